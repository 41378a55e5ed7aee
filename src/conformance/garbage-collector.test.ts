/**
 * Upstream's Garbage collector conformance tests (test/e2e/apimachinery/garbage_collector.go)
 * against a real API server running the Deployment, ReplicaSet, ReplicationController controllers
 * and the garbage collector: background and orphan propagation from a Deployment and from a
 * ReplicationController, foreground keeping the owner until its pods are gone, a pod with a second
 * valid owner surviving its foreground-deleted owner, and an ownership cycle not blocking
 * collection. This server has no nodes: the pods stay Pending (deletion is then immediate).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../api/meta.js';
import { isNotFound } from '../client/errors.js';
import type { KubeClient } from '../client/kube-client.js';
import { resources } from '../client/resource-ref.js';
import { controllers } from '../controllers/index.js';
import { startControllerEnv, type ControllerEnv } from '../testing/controller-env.js';
import { eventually } from '../testing/eventually.js';

let env: ControllerEnv;
let client: KubeClient;
let nsCount = 0;

before(async () => {
  env = await startControllerEnv({
    add: (mgr) => {
      for (const name of ['deployment', 'replicaset', 'replicationcontroller', 'garbagecollector']) controllers[name]!(mgr);
    },
  });
  client = env.client;
});
after(() => env.stop());

async function freshNamespace(): Promise<string> {
  const ns = `cf-gc-${++nsCount}`;
  await client.namespaces().create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  return ns;
}

const podSpec = { containers: [{ name: 'nginx', image: 'registry.k8s.io/nginx:1.27' }] };
const gone = (p: Promise<unknown>) => p.then(() => false, (e: unknown) => (isNotFound(e) ? true : Promise.reject(e)));
const rcs = (ns: string) => client.resource(resources.replicationcontrollers, ns);
const uidPrecondition = (o: KubeObject) => ({ preconditions: { uid: o.metadata.uid } });

/** upstream's newOwnerRC, then waitForReplicas. */
async function ownerRc(ns: string, name: string, replicas: number, labels: Record<string, string>): Promise<KubeObject> {
  const rc = await rcs(ns).create({
    apiVersion: 'v1', kind: 'ReplicationController', metadata: { name },
    spec: { replicas, selector: labels, template: { metadata: { labels }, spec: podSpec } },
  } as KubeObject);
  await eventually(async () => ((await rcs(ns).get(name)).status as { replicas?: number } | undefined)?.replicas === replicas, `rc ${name} to have ${replicas} replicas`);
  return rc;
}

async function deployment(ns: string, name: string): Promise<KubeObject> {
  const labels = { name: 'nginx' };
  const d = await client.deployments(ns).create({
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, labels },
    spec: { replicas: 2, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: podSpec } },
  });
  await eventually(async () => (await client.replicaSets(ns).list()).items.length > 0 && (await client.pods(ns).list()).items.length === 2, 'the ReplicaSet and its 2 pods');
  return d;
}

test('[sig-api-machinery] Garbage collector should delete RS created by deployment when not orphaning [Conformance]', async () => {
  const ns = await freshNamespace();
  await deployment(ns, 'simpletest.deployment');
  await client.deployments(ns).delete('simpletest.deployment', { propagationPolicy: 'Background' });
  await eventually(async () => (await client.replicaSets(ns).list()).items.length === 0 && (await client.pods(ns).list()).items.length === 0, 'the ReplicaSet and pods to be collected', 30_000);
});

test('[sig-api-machinery] Garbage collector should orphan RS created by deployment when deleteOptions.PropagationPolicy is Orphan [Conformance]', async () => {
  const ns = await freshNamespace();
  await deployment(ns, 'simpletest.deployment');
  await client.deployments(ns).delete('simpletest.deployment', { propagationPolicy: 'Orphan' });
  await eventually(() => gone(client.deployments(ns).get('simpletest.deployment')), 'the deployment to be deleted', 30_000);
  const rsList = (await client.replicaSets(ns).list()).items;
  assert.equal(rsList.length, 1, 'the ReplicaSet is orphaned, not deleted');
  assert.deepEqual(rsList[0]!.metadata.ownerReferences ?? [], [], 'and no longer refers to the deployment');
  assert.equal((await client.pods(ns).list()).items.length, 2, 'its pods stay');
});

test('[sig-api-machinery] Garbage collector should delete pods created by rc when not orphaning [Conformance]', async () => {
  const ns = await freshNamespace();
  await ownerRc(ns, 'simpletest.rc', 2, { gctest: 'delete_pods' });
  await rcs(ns).delete('simpletest.rc', { propagationPolicy: 'Background' });
  await eventually(async () => (await client.pods(ns).list()).items.length === 0, 'the rc\'s pods to be collected', 30_000);
});

test('[sig-api-machinery] Garbage collector should orphan pods created by rc if delete options say so [Conformance]', async () => {
  const ns = await freshNamespace();
  const rc = await ownerRc(ns, 'simpletest.rc', 10, { gctest: 'orphan_pods' });
  await rcs(ns).delete('simpletest.rc', { propagationPolicy: 'Orphan', ...uidPrecondition(rc) });
  await eventually(() => gone(rcs(ns).get('simpletest.rc')), 'the rc to be deleted', 30_000);
  const pods = (await client.pods(ns).list()).items;
  assert.equal(pods.length, 10, 'the pods are orphaned, not deleted');
  for (const p of pods) {
    assert.deepEqual(p.metadata.ownerReferences ?? [], [], `${p.metadata.name} no longer refers to the rc`);
    assert.equal(p.metadata.deletionTimestamp, undefined);
  }
});

test('[sig-api-machinery] Garbage collector should keep the rc around until all its pods are deleted if the deleteOptions says so [Conformance]', async () => {
  const ns = await freshNamespace();
  const rc = await ownerRc(ns, 'simpletest.rc', 10, { gctest: 'delete_pods_foreground' });
  const deleting = await rcs(ns).delete('simpletest.rc', { propagationPolicy: 'Foreground', ...uidPrecondition(rc) }) as KubeObject;
  // The owner stays, marked, while the collector deletes its dependents.
  assert.ok(deleting.metadata.deletionTimestamp, 'the rc is marked for deletion');
  assert.ok(deleting.metadata.finalizers?.includes('foregroundDeletion'), 'with the foregroundDeletion finalizer');
  await eventually(() => gone(rcs(ns).get('simpletest.rc')), 'the rc to be deleted', 30_000);
  assert.deepEqual((await client.pods(ns).list()).items.map((p) => p.metadata.name), [], 'no pod outlives the rc');
});

test('[sig-api-machinery] Garbage collector should not delete dependents that have both valid owner and owner that\'s waiting for dependents to be deleted [Conformance]', async () => {
  const ns = await freshNamespace();
  const replicas = 10;
  const rc1 = await ownerRc(ns, 'simpletest-rc-to-be-deleted', replicas, { gctest_d: 'valid_and_pending_owners_d' });
  const rc2 = await ownerRc(ns, 'simpletest-rc-to-stay', 0, { gctest_s: 'valid_and_pending_owners_s' });
  const pods = (await client.pods(ns).list()).items;
  const half = replicas / 2;
  // A strategic merge of ownerReferences (merge key uid) adds rc2 beside rc1.
  const patch = { metadata: { ownerReferences: [{ apiVersion: 'v1', kind: 'ReplicationController', name: rc2.metadata.name, uid: rc2.metadata.uid }] } };
  for (const p of pods.slice(0, half)) await client.pods(ns).patch(p.metadata.name!, 'strategic', patch);
  await rcs(ns).delete(rc1.metadata.name!, { propagationPolicy: 'Foreground', ...uidPrecondition(rc1) });
  await eventually(() => gone(rcs(ns).get(rc1.metadata.name!)), 'rc1 to be deleted', 30_000);
  const left = (await client.pods(ns).list()).items;
  assert.equal(left.length, half, 'the pods rc2 also owns stay');
  for (const p of left) {
    assert.equal(p.metadata.deletionTimestamp, undefined, `${p.metadata.name} is not being deleted`);
    assert.deepEqual(p.metadata.ownerReferences?.map((r) => r.name), ['simpletest-rc-to-stay'], `${p.metadata.name} keeps only rc2`);
  }
});

test('[sig-api-machinery] Garbage collector should not be blocked by dependency circle [Conformance]', async () => {
  const ns = await freshNamespace();
  const created: KubeObject[] = [];
  for (const name of ['pod1', 'pod2', 'pod3']) created.push(await client.pods(ns).create({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: podSpec }));
  const ref = (o: KubeObject) => ({ metadata: { ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: o.metadata.name, uid: o.metadata.uid, controller: true, blockOwnerDeletion: true }] } });
  const [pod1, pod2, pod3] = created as [KubeObject, KubeObject, KubeObject];
  await client.pods(ns).patch('pod1', 'strategic', ref(pod3));
  await client.pods(ns).patch('pod2', 'strategic', ref(pod1));
  await client.pods(ns).patch('pod3', 'strategic', ref(pod2));
  await client.pods(ns).delete('pod1', { propagationPolicy: 'Foreground', ...uidPrecondition(pod1) });
  await eventually(async () => (await client.pods(ns).list()).items.length === 0, 'every pod of the cycle to be deleted', 30_000).catch(async (e: unknown) => {
    const left = (await client.pods(ns).list()).items.map((p) => ({ name: p.metadata.name, deletionTimestamp: p.metadata.deletionTimestamp, finalizers: p.metadata.finalizers, owners: p.metadata.ownerReferences?.map((r) => r.name) }));
    throw new Error(`${String(e)}; left: ${JSON.stringify(left)}`);
  });
});
