/**
 * The ReplicaSet controller against an in-process API server: pods are created with controller
 * ownerReferences, a deleted pod is replaced, scale-down removes not-ready pods first, orphans are
 * adopted and status is reported. No kubelet runs: tests mark pods Ready through pods/status.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeClient } from '../../client/kube-client.js';
import { startControllerEnv } from '../../testing/controller-env.js';
import { statusWrites } from '../../testing/status-writes.js';
import { eventuallyWith } from '../../testing/eventually.js';
import { addReplicaSetController } from './replicaset-controller.js';
import type { Pod } from '../../api/kinds/core/pod.js';
import type { ReplicaSet } from '../../controller-runtime/workload/types.js';

const eventually = eventuallyWith({ timeoutMs: 15_000, intervalMs: 50, retryErrors: true });

async function setup() {
  const ns = `rs-test-${Math.random().toString(36).slice(2, 8)}`;
  const env = await startControllerEnv({ namespace: ns, shareClient: true, add: addReplicaSetController });
  return { client: env.client, ns, server: env.ts, stop: env.stop };
}

const replicaSet = (name: string, replicas: number): ReplicaSet => ({
  apiVersion: 'apps/v1', kind: 'ReplicaSet',
  metadata: { name },
  spec: {
    replicas, selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } },
  },
});

const activePods = async (client: KubeClient, ns: string, app: string) =>
  (await client.pods<Pod>(ns).list({ labelSelector: `app=${app}` })).items.filter((p) => !p.metadata.deletionTimestamp);

async function markReady(client: KubeClient, ns: string, name: string): Promise<void> {
  await client.pods<Pod>(ns).patchStatus(name, 'merge', {
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: new Date(Date.now() - 60_000).toISOString().replace(/\.\d+Z$/, 'Z') }] },
  });
}

test('ReplicaSet: creates N owned pods, replaces a deleted one, deletes not-ready pods first, reports status', async (t) => {
  const env = await setup();
  t.after(() => env.stop());
  const { client, ns } = env;
  // Every pod ever created, seen through a watch: expectations must keep a lagging cache from causing extras.
  const created = new Set<string>();
  const watch = await client.pods<Pod>(ns).watch({ resourceVersion: '0' });
  const pump = (async () => {
    for await (const ev of watch) if (ev.type === 'ADDED') created.add(ev.object.metadata.name!);
  })();
  t.after(async () => {
    watch.stop();
    await pump.catch(() => undefined);
  });
  const before = await statusWrites(client, 'replicasets');
  const rs = await client.replicaSets<ReplicaSet>(ns).create(replicaSet('web', 3));

  const pods = await eventually(async () => {
    const ps = await activePods(client, ns, 'web');
    return ps.length === 3 && ps;
  }, '3 pods');
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(created.size, 3, `exactly 3 pods were ever created (saw ${[...created].join(', ')})`);
  await eventually(async () => (await client.replicaSets<ReplicaSet>(ns).get('web')).status?.replicas === 3, 'status.replicas 3');
  // Only the controller writes the ReplicaSet meanwhile: the pods' events wake syncs right after its
  // own status write, which must not go out on the resourceVersion that write replaced.
  const writes = await statusWrites(client, 'replicasets', before);
  assert.ok(writes.ok > 0, 'status was written');
  assert.equal(writes.conflicts, 0, `status writes that conflicted (of ${writes.ok + writes.conflicts})`);
  for (const p of pods) {
    assert.match(p.metadata.name!, /^web-[a-z0-9]{5}$/);
    assert.deepEqual(p.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: rs.metadata.uid, controller: true, blockOwnerDeletion: true }]);
  }

  // a deleted pod is replaced
  await client.pods(ns).delete(pods[0]!.metadata.name!);
  await eventually(async () => {
    const ps = await activePods(client, ns, 'web');
    return ps.length === 3 && !ps.some((p) => p.metadata.name === pods[0]!.metadata.name) && ps;
  }, 'a replacement pod');

  // two of three become ready; status reflects it
  const current = await activePods(client, ns, 'web');
  const [ready1, ready2, notReady] = current;
  await markReady(client, ns, ready1!.metadata.name!);
  await markReady(client, ns, ready2!.metadata.name!);
  await eventually(async () => {
    const s = (await client.replicaSets<ReplicaSet>(ns).get('web')).status;
    return s?.replicas === 3 && s.readyReplicas === 2 && s.availableReplicas === 2 && s.fullyLabeledReplicas === 3 && s.observedGeneration === 1;
  }, 'status 3/2/2');

  // scale down to 2 through the scale subresource: the not-ready pod goes
  await client.replicaSets(ns).patchScale('web', 2);
  const left = await eventually(async () => {
    const ps = await activePods(client, ns, 'web');
    return ps.length === 2 && ps;
  }, '2 pods');
  assert.deepEqual(left.map((p) => p.metadata.name).sort(), [ready1!.metadata.name, ready2!.metadata.name].sort());
  assert.equal(left.some((p) => p.metadata.name === notReady!.metadata.name), false);
  await eventually(async () => (await client.replicaSets<ReplicaSet>(ns).get('web')).status?.observedGeneration === 2, 'observedGeneration 2');

  // events like upstream
  const events = await eventually(async () => {
    const evs = (await client.events(ns).list()).items as unknown as { reason: string; message: string }[];
    return evs.some((e) => e.reason === 'SuccessfulDelete') && evs;
  }, 'events');
  assert.ok(events.some((e) => e.reason === 'SuccessfulCreate' && /^Created pod: web-/.test(e.message)), 'SuccessfulCreate event');
  assert.ok(events.some((e) => e.reason === 'SuccessfulDelete' && e.message === `Deleted pod: ${notReady!.metadata.name}`), 'SuccessfulDelete event');
});

test('ReplicaSet: adopts a matching orphan instead of creating, and releases a pod relabelled away', async (t) => {
  const env = await setup();
  t.after(() => env.stop());
  const { client, ns } = env;
  const orphan = await client.pods<Pod>(ns).create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'orphan', labels: { app: 'db' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
  const rs = await client.replicaSets<ReplicaSet>(ns).create(replicaSet('db', 2));
  const pods = await eventually(async () => {
    const ps = await activePods(client, ns, 'db');
    return ps.length === 2 && ps.every((p) => p.metadata.ownerReferences?.length) && ps;
  }, '2 pods');
  const adopted = pods.find((p) => p.metadata.name === 'orphan');
  assert.equal(adopted?.metadata.uid, orphan.metadata.uid, 'the orphan was adopted');
  assert.equal(adopted?.metadata.ownerReferences?.[0]?.uid, rs.metadata.uid);

  await client.pods(ns).patch('orphan', 'merge', { metadata: { labels: { app: 'db-debug' } } });
  await eventually(async () => {
    const p = await client.pods<Pod>(ns).get('orphan');
    const ps = await activePods(client, ns, 'db');
    return !p.metadata.ownerReferences?.length && ps.length === 2;
  }, 'released and replaced');
});
