/**
 * The ReplicaSet reconciler with caches the test controls, writing to a real in-process API server:
 * a cache that has not yet seen the controller's own creations must not make it create more.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer } from '../../testing/test-cluster.js';
import { KubeClient } from '../../client/kube-client.js';
import { EventRecorder } from '../../controller-runtime/events/recorder.js';
import { Indexer } from '../../controller-runtime/informer/indexer.js';
import { Expectations } from '../../controller-runtime/workload/expectations.js';
import { replicaSetReconciler } from './replicaset-reconciler.js';
import type { Pod } from '../../api/kinds/core/pod.js';
import type { ReplicaSet } from '../../controller-runtime/workload/types.js';
import { quietLogger } from '../../testing/quiet-logger.js';

/** An in-process API server, a client, an event recorder and a fresh namespace, all gone after `t`. */
async function setup(t: TestContext) {
  const server = await startTestServer();
  const client = KubeClient.fromKubeconfig(server.kubeconfig);
  const recorder = new EventRecorder(client, { component: 'replicaset-controller', logger: quietLogger });
  t.after(async () => {
    await recorder.close();
    client.close();
    await server.stop();
  });
  const ns = `rsr-${Math.random().toString(36).slice(2, 8)}`;
  await client.namespaces().create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  return { client, recorder, ns };
}

test('reconciler: expectations hold back a second create while the pod cache lags; minReadySeconds asks for a re-check', async (t) => {
  const { client, recorder, ns } = await setup(t);
  const rs = await client.replicaSets<ReplicaSet>(ns).create({
    apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web' },
    spec: { replicas: 3, minReadySeconds: 5, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
  });
  const replicaSets = new Indexer<ReplicaSet>();
  replicaSets.upsert(rs);
  const pods = new Indexer<Pod>(); // stays empty: the informer "has not caught up"
  let now = Date.now();
  const expectations = new Expectations({ now: () => now });
  const reconcile = replicaSetReconciler({ client, replicaSets, pods, expectations, recorder, clock: { now: () => now }, logger: quietLogger });
  const count = async () => (await client.pods<Pod>(ns).list()).items.length;
  const req = { namespace: ns, name: 'web' };
  const signal = new AbortController().signal;

  await reconcile(req, signal);
  assert.equal(await count(), 3);
  assert.deepEqual(expectations.pending(`${ns}/web`), { add: 3, del: 0 });
  await reconcile(req, signal);
  await reconcile(req, signal);
  assert.equal(await count(), 3, 'no extra pods while creations are unobserved');

  // Once the cache shows the pods (as the informer's handlers would report), nothing more happens.
  const created = (await client.pods<Pod>(ns).list()).items;
  for (const p of created) {
    pods.upsert(p);
    expectations.creationObserved(`${ns}/web`);
  }
  await reconcile(req, signal);
  assert.equal(await count(), 3);

  // Without the expectations the same stale cache would have doubled the pods: the guard is what matters.
  const blind = replicaSetReconciler({ client, replicaSets, pods: new Indexer<Pod>(), expectations: new Expectations(), recorder, clock: { now: () => now }, logger: quietLogger });
  await blind(req, signal);
  assert.equal(await count(), 6, 'control: a lagging cache without expectations over-creates');
  for (const p of (await client.pods<Pod>(ns).list()).items) if (!pods.has(`${ns}/${p.metadata.name}`)) await client.pods(ns).delete(p.metadata.name!);

  // One pod ready just now: available only after minReadySeconds, so the reconciler asks to look again.
  const readyAt = new Date(Math.floor(now / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  const ready = await client.pods<Pod>(ns).patchStatus(created[0]!.metadata.name!, 'merge', { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: readyAt }] } });
  pods.upsert(ready);
  const res = await reconcile(req, signal);
  assert.ok(res && res.requeueAfter !== undefined && res.requeueAfter > 0 && res.requeueAfter <= 5001, `requeueAfter ${JSON.stringify(res)}`);
  let st = (await client.replicaSets<ReplicaSet>(ns).get('web')).status;
  assert.deepEqual([st?.readyReplicas, st?.availableReplicas], [1, 0]);
  replicaSets.upsert(await client.replicaSets<ReplicaSet>(ns).get('web'));
  now += 6000;
  await reconcile(req, signal);
  st = (await client.replicaSets<ReplicaSet>(ns).get('web')).status;
  assert.deepEqual([st?.readyReplicas, st?.availableReplicas], [1, 1]);
});

test('reconciler: a bare ReplicaSet scaling down does not rank its pods by co-location (upstream: no related pods without a controller)', async (t) => {
  const { client, recorder, ns } = await setup(t);
  const rs = await client.replicaSets<ReplicaSet>(ns).create({
    apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web' },
    spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
  });
  const now = Date.now();
  const readyAt = new Date(now - 3600_000).toISOString().replace(/\.\d+Z$/, 'Z');
  const replicaSets = new Indexer<ReplicaSet>();
  replicaSets.upsert(rs);
  const pods = new Indexer<Pod>();
  // Two pods doubled up on n1, one alone on n2 that restarted: without co-location ranks the restarts decide.
  for (const [name, node, restarts] of [['a', 'n1', 0], ['b', 'n1', 0], ['c', 'n2', 3]] as const) {
    const p = await client.pods<Pod>(ns).create({
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name, labels: { app: 'web' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: rs.metadata.uid!, controller: true }] },
      spec: { nodeName: node, containers: [{ name: 'c', image: 'busybox' }] },
    });
    pods.upsert({ ...p, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: readyAt }], containerStatuses: [{ name: 'c', restartCount: restarts } as never] } });
  }
  const reconcile = replicaSetReconciler({ client, replicaSets, pods, expectations: new Expectations(), recorder, clock: { now: () => now }, logger: quietLogger });
  await reconcile({ namespace: ns, name: 'web' }, new AbortController().signal);
  const left = (await client.pods<Pod>(ns).list()).items.filter((p) => !p.metadata.deletionTimestamp).map((p) => p.metadata.name).sort();
  assert.deepEqual(left, ['a', 'b'], 'the restarted pod goes; before, a doubled-up pod on n1 went');
});
