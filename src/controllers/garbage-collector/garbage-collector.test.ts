/**
 * The garbage collector against an in-process API server, with ReplicaSet owners and pods whose
 * ownerReferences are written by hand (no ReplicaSet controller runs): background, foreground and
 * orphan propagation, dangling references at creation, and a Deployment -> ReplicaSet -> Pod chain.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject, OwnerReference } from '../../api/meta.js';
import { isNotFound } from '../../client/errors.js';
import type { KubeClient } from '../../client/kube-client.js';
import { startControllerEnv, type ControllerEnv } from '../../testing/controller-env.js';
import { eventually } from '../../testing/eventually.js';
import { addGarbageCollector } from './garbage-collector.js';

const P = `gc-${process.pid}-${Date.now().toString(36)}`;
const NS = P;
let env: ControllerEnv;
let client: KubeClient;

before(async () => {
  env = await startControllerEnv({ namespace: NS, add: addGarbageCollector });
  ({ client } = env);
});
after(() => env?.stop());

const template = { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } };
const ownerRef = (o: KubeObject, block = true): OwnerReference => ({
  apiVersion: o.apiVersion!, kind: o.kind!, name: o.metadata.name!, uid: o.metadata.uid!, controller: true, blockOwnerDeletion: block,
});

async function replicaSet(name: string, owner?: KubeObject): Promise<KubeObject> {
  const rs = await client.replicaSets(NS).create({
    apiVersion: 'apps/v1', kind: 'ReplicaSet',
    metadata: { name, ...(owner ? { ownerReferences: [ownerRef(owner)] } : {}) },
    spec: { replicas: 0, selector: { matchLabels: { app: 'x' } }, template },
  });
  return { ...rs, apiVersion: 'apps/v1', kind: 'ReplicaSet' };
}

async function pods(prefix: string, owner: KubeObject, n: number, block = true): Promise<string[]> {
  const names: string[] = [];
  for (let i = 0; i < n; i++) {
    const p = await client.pods(NS).create({
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name: `${prefix}-${i}`, labels: { app: 'x' }, ownerReferences: [ownerRef(owner, block)] },
      spec: template.spec,
    });
    names.push(p.metadata.name!);
  }
  return names;
}

const exists = (get: () => Promise<unknown>) => get().then(() => true, (e) => (isNotFound(e) ? false : Promise.reject(e)));
const podExists = (name: string) => exists(() => client.pods(NS).get(name));
const rsExists = (name: string) => exists(() => client.replicaSets(NS).get(name));

test('background: deleting the owner deletes its pods', async () => {
  const rs = await replicaSet('bg');
  const names = await pods('bg', rs, 3);
  await client.replicaSets(NS).delete('bg', { propagationPolicy: 'Background' });
  assert.equal(await rsExists('bg'), false, 'Background deletes the owner at once');
  for (const n of names) await eventually(async () => !(await podExists(n)), `pod ${n} collected`);
});

test('foreground: the owner waits, with its finalizer, until blocking dependents are gone', async () => {
  const rs = await replicaSet('fg');
  const names = await pods('fg', rs, 2);
  // A finalizer on one pod holds it, so the owner must keep waiting.
  const held = await client.pods(NS).get(names[0]!);
  await client.pods(NS).update({ ...held, metadata: { ...held.metadata, finalizers: ['example.com/hold'] } });

  const marked = await client.replicaSets(NS).delete('fg', { propagationPolicy: 'Foreground' }) as KubeObject;
  assert.deepEqual(marked.metadata.finalizers, ['foregroundDeletion']);
  await eventually(async () => !(await podExists(names[1]!)), 'the free pod collected');
  const held2 = await client.pods(NS).get(names[0]!);
  assert.ok(held2.metadata.deletionTimestamp, 'the held pod is being deleted');
  assert.equal(await rsExists('fg'), true, 'owner still waits for the held pod');

  await client.pods(NS).update({ ...held2, metadata: { ...held2.metadata, finalizers: [] } });
  await eventually(async () => !(await rsExists('fg')), 'owner deleted after its dependents');
});

test('orphan: dependents lose the reference and stay', async () => {
  const rs = await replicaSet('or');
  const names = await pods('or', rs, 2);
  await client.replicaSets(NS).delete('or', { propagationPolicy: 'Orphan' });
  await eventually(async () => !(await rsExists('or')), 'owner deleted after orphaning');
  for (const n of names) {
    const p = await client.pods(NS).get(n);
    assert.equal(p.metadata.ownerReferences, undefined, `${n} orphaned`);
    assert.equal(p.metadata.deletionTimestamp, undefined);
  }
});

test('a dependent created with a reference to an owner that does not exist is collected; a solid one stays', async () => {
  const rs = await replicaSet('solid');
  const [kept] = await pods('solid', rs, 1);
  const ghost = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'ghost', uid: '00000000-0000-0000-0000-000000000000' } };
  const [dangling] = await pods('dangling', ghost, 1, false);
  await eventually(async () => !(await podExists(dangling!)), 'dangling pod collected');
  assert.equal(await podExists(kept!), true);
  // A reference to the ghost next to a solid owner is removed, the pod kept.
  const mixed = await client.pods(NS).create({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'mixed', ownerReferences: [ownerRef(rs), ownerRef(ghost as KubeObject, false)].map((r, i) => ({ ...r, controller: i === 0 })) },
    spec: template.spec,
  });
  await eventually(async () => {
    const p = await client.pods(NS).get(mixed.metadata.name!);
    return p.metadata.ownerReferences?.length === 1 && p.metadata.ownerReferences[0]!.uid === rs.metadata.uid;
  }, 'the ghost reference removed');
});

test('foreground through a chain: Deployment -> ReplicaSet -> Pods', async () => {
  const d = await client.deployments(NS).create({
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'chain' },
    spec: { selector: { matchLabels: { app: 'x' } }, template },
  });
  const rs = await replicaSet('chain-rs', { ...d, apiVersion: 'apps/v1', kind: 'Deployment' });
  const names = await pods('chain', rs, 2);
  await client.deployments(NS).delete('chain', { propagationPolicy: 'Foreground' });
  await eventually(async () => !(await exists(() => client.deployments(NS).get('chain'))), 'deployment gone');
  assert.equal(await rsExists('chain-rs'), false, 'the ReplicaSet went before its owner');
  for (const n of names) assert.equal(await podExists(n), false, `${n} went before the ReplicaSet`);
});

test('kubectl delete --cascade=foreground and --cascade=orphan', async () => {
  const fg = await replicaSet('k-fg');
  const fgPods = await pods('k-fg', fg, 2);
  const del = await env.ts.kubectl(['-n', NS, 'delete', 'replicaset', 'k-fg', '--cascade=foreground', '--timeout=20s']);
  assert.equal(del.code, 0, del.stderr);
  // kubectl waited for the owner, which waited for its blocking dependents.
  for (const n of fgPods) assert.equal(await podExists(n), false, `${n} deleted before the owner`);

  const or = await replicaSet('k-or');
  const orPods = await pods('k-or', or, 1);
  const del2 = await env.ts.kubectl(['-n', NS, 'delete', 'replicaset', 'k-or', '--cascade=orphan', '--timeout=20s']);
  assert.equal(del2.code, 0, del2.stderr);
  const p = await client.pods(NS).get(orPods[0]!);
  assert.equal(p.metadata.ownerReferences, undefined);
});
