/** Events against an in-process API server: creation, aggregation of repeats, per-object rate limit, the server's Event TTL. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/meta.js';
import { StatusError } from '../../api/status.js';
import type { KubeClient } from '../../client/kube-client.js';
import { startClientEnv, type ClientEnv } from '../../testing/controller-env.js';
import { quietLogger } from '../../testing/quiet-logger.js';
import { FakeClock } from '../clock/fake-clock.js';
import { EventRecorder } from './recorder.js';

let env: ClientEnv;
let client: KubeClient;
const P = `ev-${process.pid}-${Date.now().toString(36)}`;
/** Times the API server's --event-ttl (the default hour); only the TTL test moves it. */
const ttlClock = new FakeClock(Date.parse('2025-03-01T00:00:00Z'));

before(async () => {
  env = await startClientEnv({ server: { eventTtlClock: ttlClock } });
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
  // What kubectl shows of them (its field selector on involvedObject, its "(xN over AGE)" from count and firstTimestamp).
  const described = await env.ts.kubectl(['describe', 'pod', `${P}-pod`]);
  assert.match(described.stdout, /Warning\s+BackOff\s+\S+ \(x3 over \S+\)\s+test-controller\s+Back-off restarting failed container/, described.stdout);
  const listed = await env.ts.kubectl(['get', 'events', '--field-selector', `involvedObject.name=${P}-pod,reason=BackOff`]);
  assert.match(listed.stdout, /Warning\s+BackOff\s+pod\/\S+\s+Back-off restarting failed container/, listed.stdout);
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

test('similar events combine while each comes within 10 minutes of the last (a sliding window, not one from the first)', async () => {
  const clock = new FakeClock();
  const rec = new EventRecorder(client, { component: 'sliding', clock, logger: quietLogger });
  const obj: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: 'default', name: `${P}-sliding`, uid: 'u-sliding' } };
  for (let i = 1; i <= 5; i++) rec.event(obj, 'Warning', 'Failed', `attempt ${i}`);
  clock.advance(8 * 60_000);
  for (let i = 6; i <= 9; i++) rec.event(obj, 'Warning', 'Failed', `attempt ${i}`);
  clock.advance(8 * 60_000); // 16 minutes after the first, 8 after the last
  rec.event(obj, 'Warning', 'Failed', 'attempt 10');
  await rec.close();
  const messages = (await eventsAbout(`${P}-sliding`)).map((e) => e.message).sort();
  assert.equal(messages.length, 10);
  assert.ok(messages.includes('(combined from similar events): attempt 10'), messages.join('\n'));
  // A quiet gap longer than 10 minutes starts over.
  const rec2 = new EventRecorder(client, { component: 'sliding-gap', clock, logger: quietLogger });
  for (let i = 1; i <= 9; i++) rec2.event(obj, 'Warning', 'Failed', `try ${i}`);
  clock.advance(10 * 60_000 + 1000);
  rec2.event(obj, 'Warning', 'Failed', 'try 10');
  await rec2.close();
  const gap = (await eventsAbout(`${P}-sliding`)).filter((e) => (e.source as { component: string }).component === 'sliding-gap');
  assert.deepEqual(gap.map((e) => e.message).filter((m) => String(m).startsWith('(combined')), []);
});

test('occurrences the rate limit drops still count: the next write carries them (EventCorrelate counts before it filters)', async () => {
  const clock = new FakeClock(Date.parse('2025-04-01T00:00:00Z'));
  const rec = new EventRecorder(client, { component: 'spam', burst: 2, clock, logger: quietLogger });
  const obj: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: 'default', name: `${P}-spam`, uid: 'u-spam' } };
  for (let i = 0; i < 4; i++) rec.event(obj, 'Warning', 'BackOff', 'Back-off restarting failed container');
  await rec.flush();
  assert.equal(rec.dropped, 2);
  assert.equal((await eventsAbout(`${P}-spam`))[0]!.count, 2);
  clock.advance(300_000); // the bucket's refill: one event per 5 minutes
  rec.event(obj, 'Warning', 'BackOff', 'Back-off restarting failed container');
  await rec.close();
  const [ev, ...rest] = await eventsAbout(`${P}-spam`);
  assert.equal(rest.length, 0);
  assert.equal(ev!.count, 5);
  assert.equal(ev!.lastTimestamp, '2025-04-01T00:05:00Z');
});

test('an Event deleted under the recorder is created again with its name, count and firstTimestamp', async () => {
  const clock = new FakeClock(Date.parse('2025-05-01T00:00:00Z'));
  const rec = new EventRecorder(client, { component: 'recreate', clock, logger: quietLogger });
  const obj: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: 'default', name: `${P}-recreate`, uid: 'u-recreate' } };
  rec.event(obj, 'Normal', 'Synced', 'synced');
  rec.event(obj, 'Normal', 'Synced', 'synced');
  await rec.flush();
  const [first] = await eventsAbout(`${P}-recreate`);
  await client.events('default').delete(first!.metadata.name!);
  clock.advance(60_000);
  rec.event(obj, 'Normal', 'Synced', 'synced');
  await rec.close();
  const [again, ...rest] = await eventsAbout(`${P}-recreate`);
  assert.equal(rest.length, 0);
  assert.equal(again!.metadata.name, first!.metadata.name);
  assert.equal(again!.count, 3);
  assert.equal(again!.firstTimestamp, '2025-05-01T00:00:00Z');
  assert.equal(again!.lastTimestamp, '2025-05-01T00:01:00Z');
});

test('the API server deletes an Event one TTL (1 hour) after its last write; a repeat extends it', async () => {
  const rec = new EventRecorder(client, { component: 'ttl', logger: quietLogger });
  const obj: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: 'default', name: `${P}-ttl`, uid: 'u-ttl' } };
  const other: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: 'default', name: `${P}-ttl-other`, uid: 'u-ttl-other' } };
  rec.event(obj, 'Normal', 'Tick', 'tick');
  rec.event(other, 'Normal', 'Tick', 'tick');
  await rec.flush();
  const gone = async (name: string) => {
    for (let i = 0; i < 100 && (await eventsAbout(name)).length > 0; i++) await new Promise((r) => setTimeout(r, 20));
    return (await eventsAbout(name)).length === 0;
  };
  ttlClock.advance(50 * 60_000);
  rec.event(obj, 'Normal', 'Tick', 'tick'); // a PATCH: the TTL starts again
  // The in-process memory store tells its watchers in a microtask, before the PATCH is answered: the
  // server notes each write at the TTL clock's time of the write.
  await rec.flush();
  ttlClock.advance(10 * 60_000 + 1000);
  assert.ok(await gone(`${P}-ttl-other`), 'untouched for an hour: deleted');
  assert.equal((await eventsAbout(`${P}-ttl`))[0]?.count, 2, 'written 10 minutes ago: kept');
  ttlClock.advance(50 * 60_000);
  assert.ok(await gone(`${P}-ttl`));
  await rec.close();
});

/** `client` whose first `failures` event creates fail with `err` before reaching the server. */
function failingClient(failures: number, err: () => Error): { client: KubeClient; calls: () => number } {
  let calls = 0;
  const wrapped = new Proxy(client, {
    get(target, key) {
      const v = Reflect.get(target, key, target) as unknown;
      if (key !== 'events') return typeof v === 'function' ? v.bind(target) : v;
      return (ns: string) => {
        const ev = target.events(ns);
        return new Proxy(ev, {
          get: (e, m) => (m === 'create'
            ? (o: Parameters<typeof e.create>[0]) => (++calls <= failures ? Promise.reject(err()) : e.create(o))
            : (Reflect.get(e, m, e) as (...a: unknown[]) => unknown).bind(e)),
        });
      };
    },
  });
  return { client: wrapped, calls: () => calls };
}

test('a write the server never answered is tried again 10 s later (up to 12 times); one it refused is not', async () => {
  const clock = new FakeClock(Date.parse('2025-08-01T00:00:00Z'));
  const down = failingClient(3, () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6443'), { code: 'ECONNREFUSED' }));
  const rec = new EventRecorder(down.client, { component: 'retry', clock, logger: quietLogger });
  const obj: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: 'default', name: `${P}-retry`, uid: 'u-retry' } };
  rec.event(obj, 'Warning', 'Failed', 'no route');
  for (let i = 0; i < 100 && down.calls() < 4; i++) {
    await new Promise((r) => setImmediate(r));
    clock.advance(10_000);
  }
  await rec.close();
  assert.equal(down.calls(), 4);
  assert.equal((await eventsAbout(`${P}-retry`)).length, 1);

  const refused = failingClient(1, () => new StatusError({ apiVersion: 'v1', kind: 'Status', metadata: {}, status: 'Failure', code: 422, reason: 'Invalid', message: 'invalid' }));
  const rec2 = new EventRecorder(refused.client, { component: 'refused', clock, logger: quietLogger });
  rec2.event({ ...obj, metadata: { ...obj.metadata, name: `${P}-refused` } }, 'Warning', 'Failed', 'no route');
  await rec2.flush();
  clock.advance(200_000);
  await rec2.close();
  assert.equal(refused.calls(), 1);
  assert.equal((await eventsAbout(`${P}-refused`)).length, 0);
});
