/** events.k8s.io/v1 recording (the scheduler's) against an in-process API server: series, finishing, refresh. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/meta.js';
import type { EventsV1Event } from '../../api/kinds/events/event.js';
import type { KubeClient } from '../../client/kube-client.js';
import { resources } from '../../client/resource-ref.js';
import { startClientEnv, type ClientEnv } from '../../testing/controller-env.js';
import { quietLogger } from '../../testing/quiet-logger.js';
import { FakeClock } from '../clock/fake-clock.js';
import { FINISH_MS, SeriesEventRecorder } from './series-recorder.js';

let env: ClientEnv;
let client: KubeClient;
const P = `sev-${process.pid}-${Date.now().toString(36)}`;

before(async () => {
  env = await startClientEnv();
  ({ client } = env);
});
after(() => env?.stop());

const about = async (name: string) =>
  (await client.resource(resources.eventsV1, 'default').list()).items.filter((e) => e.regarding?.name === name)
    .sort((a, b) => String(a.eventTime).localeCompare(String(b.eventTime)));

test('isomorphic events form a series: one PATCH at the second, counts in memory, the last count when it finishes', async () => {
  const clock = new FakeClock(Date.parse('2025-06-01T00:00:00Z'));
  const rec = new SeriesEventRecorder(client, { reportingController: 'default-scheduler', reportingInstance: 'default-scheduler-h1', clock, logger: quietLogger });
  const pod = await client.pods('default').create({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: `${P}-pod` }, spec: { containers: [{ name: 'c', image: 'busybox' }] },
  } as KubeObject);
  rec.event(pod, 'Warning', 'FailedScheduling', '0/3 nodes are available: 3 Insufficient cpu.', { action: 'Scheduling' });
  await rec.flush();
  let [ev, ...rest] = await about(`${P}-pod`);
  assert.equal(rest.length, 0);
  assert.equal(ev!.eventTime, '2025-06-01T00:00:00.000000Z');
  assert.equal(ev!.series, undefined);
  assert.deepEqual([ev!.reportingController, ev!.reportingInstance, ev!.action, ev!.reason, ev!.type], ['default-scheduler', 'default-scheduler-h1', 'Scheduling', 'FailedScheduling', 'Warning']);
  assert.equal(ev!.regarding?.uid, pod.metadata.uid);
  clock.advance(60_000);
  // The note is not part of the key: another message joins the series, the first note stays.
  rec.event(pod, 'Warning', 'FailedScheduling', '0/4 nodes are available: 4 Insufficient cpu.', { action: 'Scheduling' });
  await rec.flush();
  [ev, ...rest] = await about(`${P}-pod`);
  assert.equal(rest.length, 0);
  assert.deepEqual(ev!.series, { count: 2, lastObservedTime: '2025-06-01T00:01:00.000000Z' });
  assert.equal(ev!.note, '0/3 nodes are available: 3 Insufficient cpu.');
  const rv = ev!.metadata?.resourceVersion;
  clock.advance(60_000);
  rec.event(pod, 'Warning', 'FailedScheduling', 'x', { action: 'Scheduling' });
  rec.event(pod, 'Warning', 'FailedScheduling', 'x', { action: 'Scheduling' });
  await rec.flush();
  assert.equal((await about(`${P}-pod`))[0]!.metadata?.resourceVersion, rv, 'later occurrences are not written at once');
  clock.advance(4 * 60_000); // the 6-minute tick: silent for only 4 minutes, still open
  await rec.flush();
  assert.equal((await about(`${P}-pod`))[0]!.metadata?.resourceVersion, rv);
  clock.advance(FINISH_MS); // the 12-minute tick: silent for 10 (over 6), finished with its last count
  await rec.flush();
  [ev, ...rest] = await about(`${P}-pod`);
  assert.deepEqual(ev!.series, { count: 4, lastObservedTime: '2025-06-01T00:02:00.000000Z' });
  // kubectl reads the series in the core/v1 view.
  const described = await env.ts.kubectl(['describe', 'pod', `${P}-pod`]);
  assert.match(described.stdout, /Warning\s+FailedScheduling\s+\S+ \(x4 over \S+\)\s+default-scheduler\s+0\/3 nodes are available/, described.stdout);
  // Finished: the next occurrence is a new Event.
  rec.event(pod, 'Warning', 'FailedScheduling', 'again', { action: 'Scheduling' });
  await rec.close();
  const all = await about(`${P}-pod`);
  assert.equal(all.length, 2);
  assert.equal(all[1]!.note, 'again');
  assert.equal(all[1]!.series, undefined);
});

test('open series are written every 30 minutes; another related object or action is another Event; a deleted Event comes back', async () => {
  const clock = new FakeClock(Date.parse('2025-07-01T00:00:00Z'));
  const rec = new SeriesEventRecorder(client, { reportingController: 'default-scheduler', clock, logger: quietLogger });
  const victim: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { namespace: 'default', name: `${P}-victim`, uid: 'u-victim', resourceVersion: '7' } };
  const a: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { namespace: 'default', name: 'a', uid: 'u-a' } };
  const b: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { namespace: 'default', name: 'b', uid: 'u-b' } };
  rec.event(victim, 'Normal', 'Preempted', 'Preempted by pod u-a on node n1', { action: 'Preempting', related: a });
  rec.event(victim, 'Normal', 'Preempted', 'Preempted by pod u-b on node n1', { action: 'Preempting', related: b });
  rec.event(victim, 'Normal', 'Preempted', 'Preempted by pod u-a on node n1', { action: 'Other', related: a });
  await rec.flush();
  assert.equal((await about(`${P}-victim`)).length, 3);
  assert.match(String((await about(`${P}-victim`))[0]!.metadata?.name), new RegExp(`^${P}-victim\\.[0-9a-f]+$`));
  // Keep one series going every 5 minutes: never finished, written at each 30-minute refresh.
  for (let i = 0; i < 7; i++) {
    rec.event(victim, 'Normal', 'Preempted', 'Preempted by pod u-a on node n1', { action: 'Preempting', related: a });
    clock.advance(5 * 60_000);
  }
  await rec.flush();
  const open = (await about(`${P}-victim`)).find((e) => e.related?.name === 'a' && e.action === 'Preempting')!;
  assert.deepEqual(open.series, { count: 7, lastObservedTime: '2025-07-01T00:25:00.000000Z' });
  assert.equal(rec.dropped, 0);
  // Deleted (as --event-ttl does): the next series write creates it again, series and all.
  await client.resource(resources.eventsV1, 'default').delete(open.metadata!.name!);
  rec.event(victim, 'Normal', 'Preempted', 'Preempted by pod u-a on node n1', { action: 'Preempting', related: a });
  clock.advance(10 * 60_000); // finished at 42 minutes: its last write finds it gone
  await rec.close();
  const back = (await about(`${P}-victim`)).find((e) => e.related?.name === 'a' && e.action === 'Preempting') as EventsV1Event | undefined;
  assert.equal(back?.metadata?.name, open.metadata!.name);
  assert.equal(back?.series?.count, 9);
});
