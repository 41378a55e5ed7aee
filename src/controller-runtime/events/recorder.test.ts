/** Events against an in-process API server: creation, aggregation of repeats, per-object rate limit. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/meta.js';
import type { KubeClient } from '../../client/kube-client.js';
import { startClientEnv, type ClientEnv } from '../../testing/controller-env.js';
import { quietLogger } from '../../testing/quiet-logger.js';
import { FakeClock } from '../clock/fake-clock.js';
import { EventRecorder } from './recorder.js';

let env: ClientEnv;
let client: KubeClient;
const P = `ev-${process.pid}-${Date.now().toString(36)}`;

before(async () => {
  env = await startClientEnv();
  ({ client } = env);
});
after(() => env?.stop());

const eventsAbout = async (name: string) =>
  (await client.events('default').list()).items.filter((e) => (e.involvedObject as { name: string }).name === name);

test('repeats of one event bump count and lastTimestamp; different reasons are separate events', async () => {
  const clock = new FakeClock(Date.parse('2025-01-01T00:00:00Z'));
  const rec = new EventRecorder(client, { component: 'test-controller', host: 'node-1', clock, logger: quietLogger });
  const pod = await client.pods('default').create({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: `${P}-pod` }, spec: { containers: [{ name: 'c', image: 'busybox' }] },
  } as KubeObject);
  rec.event(pod, 'Warning', 'BackOff', 'Back-off restarting failed container');
  await rec.flush();
  clock.advance(10_000);
  rec.event(pod, 'Warning', 'BackOff', 'Back-off restarting failed container');
  rec.event(pod, 'Warning', 'BackOff', 'Back-off restarting failed container');
  rec.event(pod, 'Normal', 'Pulled', 'Container image "busybox" already present');
  await rec.close();
  const evs = await eventsAbout(`${P}-pod`);
  assert.equal(evs.length, 2);
  const backoff = evs.find((e) => e.reason === 'BackOff')!;
  assert.equal(backoff.count, 3);
  assert.equal(backoff.type, 'Warning');
  assert.equal(backoff.firstTimestamp, '2025-01-01T00:00:00Z');
  assert.equal(backoff.lastTimestamp, '2025-01-01T00:00:10Z');
  assert.deepEqual(backoff.source, { component: 'test-controller', host: 'node-1' });
  assert.deepEqual(backoff.involvedObject, {
    apiVersion: 'v1', kind: 'Pod', namespace: 'default', name: `${P}-pod`, uid: pod.metadata.uid, resourceVersion: pod.metadata.resourceVersion,
  });
  assert.equal(evs.find((e) => e.reason === 'Pulled')!.count, 1);
});

test('per-object rate limit drops a flood beyond the burst', async () => {
  const clock = new FakeClock();
  const rec = new EventRecorder(client, { component: 'flood', burst: 5, clock, logger: quietLogger });
  const obj: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: 'default', name: `${P}-flood`, uid: 'u-flood' } };
  for (let i = 0; i < 20; i++) rec.event(obj, 'Normal', 'Tick', `tick ${i}`);
  await rec.close();
  assert.equal(rec.dropped, 15);
  assert.equal((await eventsAbout(`${P}-flood`)).length, 5);
});

test('ten different messages for one object and reason fold into a combined event', async () => {
  const clock = new FakeClock();
  const rec = new EventRecorder(client, { component: 'similar', clock, logger: quietLogger });
  const obj: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: 'default', name: `${P}-similar`, uid: 'u-similar' } };
  for (let i = 1; i <= 12; i++) rec.event(obj, 'Warning', 'Failed', `attempt ${i}`);
  await rec.close();
  const evs = await eventsAbout(`${P}-similar`);
  assert.equal(evs.length, 10, 'nine separate events and one combined');
  const combined = evs.find((e) => String(e.message).startsWith('(combined from similar events)'))!;
  assert.equal(combined.message, '(combined from similar events): attempt 12');
  assert.equal(combined.count, 3);
});

/** `client` whose event writes are counted, with the most ever running at once. */
function countingClient(): { client: KubeClient; stats: { calls: number; active: number; max: number } } {
  const stats = { calls: 0, active: 0, max: 0 };
  const wrapped = new Proxy(client, {
    get(target, key) {
      const v = Reflect.get(target, key, target) as unknown;
      if (key !== 'events' || typeof v !== 'function') return typeof v === 'function' ? v.bind(target) : v;
      return (ns: string) => {
        const ev = target.events(ns);
        return new Proxy(ev, {
          get(e, m) {
            const f = Reflect.get(e, m, e) as unknown;
            if (typeof f !== 'function') return f;
            if (m !== 'create' && m !== 'patch') return f.bind(e);
            return async (...args: unknown[]) => {
              stats.calls++;
              stats.max = Math.max(stats.max, ++stats.active);
              try {
                return await (f as (...a: unknown[]) => Promise<unknown>).apply(e, args);
              } finally {
                stats.active--;
              }
            };
          },
        });
      };
    },
  });
  return { client: wrapped, stats };
}

test('a burst about many objects is written with at most maxInFlight requests at once', async () => {
  const { client: c, stats } = countingClient();
  const rec = new EventRecorder(c, { component: 'burst', maxInFlight: 3, logger: quietLogger });
  for (let i = 0; i < 40; i++) {
    rec.event({ apiVersion: 'v1', kind: 'Pod', metadata: { namespace: 'default', name: `${P}-burst-${i}`, uid: `u-burst-${i}` } }, 'Normal', 'Scheduled', `assigned ${i}`);
  }
  await rec.close();
  assert.equal(stats.calls, 40);
  assert.equal(stats.max, 3);
  const names = new Set((await client.events('default').list()).items.map((e) => (e.involvedObject as { name: string }).name));
  for (let i = 0; i < 40; i++) assert.ok(names.has(`${P}-burst-${i}`), `event about pod ${i}`);
});

test('repeats of an event still queued merge into its one write', async () => {
  const clock = new FakeClock(Date.parse('2025-02-01T00:00:00Z'));
  const { client: c, stats } = countingClient();
  const rec = new EventRecorder(c, { component: 'merge', burst: 1000, clock, logger: quietLogger });
  const obj: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: 'default', name: `${P}-merge`, uid: 'u-merge' } };
  for (let i = 0; i < 50; i++) {
    rec.event(obj, 'Warning', 'Unhealthy', 'probe failed');
    clock.advance(1000);
  }
  await rec.close();
  assert.equal(stats.calls, 1);
  assert.equal(rec.merged, 49);
  const [ev, ...rest] = await eventsAbout(`${P}-merge`);
  assert.equal(rest.length, 0);
  assert.equal(ev!.count, 50);
  assert.equal(ev!.firstTimestamp, '2025-02-01T00:00:00Z');
  assert.equal(ev!.lastTimestamp, '2025-02-01T00:00:49Z');
});

test('a full queue drops new events instead of growing (client-go drops beyond 1,000)', async () => {
  const { client: c, stats } = countingClient();
  const rec = new EventRecorder(c, { component: 'full', maxQueued: 10, logger: quietLogger });
  for (let i = 0; i < 30; i++) {
    rec.event({ apiVersion: 'v1', kind: 'Pod', metadata: { namespace: 'default', name: `${P}-full-${i}`, uid: `u-full-${i}` } }, 'Normal', 'Scheduled', 'assigned');
  }
  await rec.close();
  assert.equal(rec.dropped, 20);
  assert.equal(stats.calls, 10);
});
