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
