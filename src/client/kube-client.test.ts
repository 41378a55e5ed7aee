/** The client against a real in-process API server (startTestServer): every verb, errors, watch, 410. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject, WatchEvent } from '../api/meta.js';
import { StatusError } from '../api/status.js';
import { startClientEnv, type ClientEnv } from '../testing/controller-env.js';
import { KubeClient } from './kube-client.js';
import { isConflict, isNotFound, isAlreadyExists, WatchExpiredError } from './errors.js';
import { resources } from './resource-ref.js';

let env: ClientEnv;
let client: KubeClient;
const P = `kc-${process.pid}-${Date.now().toString(36)}`;
const cm = (name: string, labels: Record<string, string> = {}, data: Record<string, string> = {}): KubeObject =>
  ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${P}-${name}`, labels }, data });

before(async () => {
  env = await startClientEnv();
  ({ client } = env);
});
after(() => env?.stop());

test('create, get, update with optimistic concurrency, delete, 404', async () => {
  const cms = client.configMaps('default');
  const created = await cms.create(cm('crud', {}, { a: '1' }));
  assert.ok(created.metadata.uid);
  assert.ok(created.metadata.resourceVersion);
  await assert.rejects(cms.create(cm('crud')), (e) => isAlreadyExists(e));
  const got = await cms.get(`${P}-crud`);
  assert.deepEqual(got.data, { a: '1' });
  const updated = await cms.update({ ...got, data: { a: '2' } });
  assert.notEqual(updated.metadata.resourceVersion, got.metadata.resourceVersion);
  // the stale version must be refused
  await assert.rejects(cms.update({ ...got, data: { a: '3' } }), (e) => isConflict(e) && (e as StatusError).code === 409);
  await cms.delete(`${P}-crud`);
  await assert.rejects(cms.get(`${P}-crud`), (e) => isNotFound(e) && e instanceof StatusError && e.reason === 'NotFound');
});

test('list: label and field selectors, pagination with continue', async () => {
  const cms = client.configMaps('default');
  for (let i = 0; i < 5; i++) await cms.create(cm(`page-${i}`, { set: `${P}-page`, parity: i % 2 ? 'odd' : 'even' }));
  const odd = await cms.list({ labelSelector: `set=${P}-page,parity=odd` });
  assert.deepEqual(odd.items.map((o) => o.metadata.name).sort(), [`${P}-page-1`, `${P}-page-3`]);
  assert.ok(odd.metadata.resourceVersion);
  const byName = await cms.list({ fieldSelector: `metadata.name=${P}-page-2` });
  assert.deepEqual(byName.items.map((o) => o.metadata.name), [`${P}-page-2`]);
  const first = await cms.list({ labelSelector: `set=${P}-page`, limit: 2 });
  assert.equal(first.items.length, 2);
  assert.ok(first.metadata.continue, 'a limited list continues');
  const all = await cms.listAll({ labelSelector: `set=${P}-page`, limit: 2 });
  assert.equal(all.items.length, 5);
  assert.equal(all.metadata.continue, undefined);
  await cms.deleteCollection({ labelSelector: `set=${P}-page` });
  assert.equal((await cms.list({ labelSelector: `set=${P}-page` })).items.length, 0);
});

test('patch: merge, json, strategic, apply (with fieldManager and force)', async () => {
  const cms = client.configMaps('default');
  await cms.create(cm('patch', {}, { a: '1' }));
  const name = `${P}-patch`;
  assert.deepEqual((await cms.patch(name, 'merge', { data: { b: '2' } })).data, { a: '1', b: '2' });
  assert.deepEqual((await cms.patch(name, 'json', [{ op: 'remove', path: '/data/a' }])).data, { b: '2' });
  assert.deepEqual((await cms.patch(name, 'strategic', { metadata: { labels: { x: 'y' } } })).metadata.labels, { x: 'y' });
  const applied = await cms.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${P}-applied` }, data: { k: 'v' } }, 'test-owner');
  assert.deepEqual(applied.data, { k: 'v' });
  assert.ok(applied.metadata.managedFields?.some((f) => f.manager === 'test-owner' && f.operation === 'Apply'));
  // another manager changing the same field conflicts unless it forces
  const other = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${P}-applied` }, data: { k: 'w' } };
  await assert.rejects(cms.apply(other, 'other-owner'), (e) => e instanceof StatusError && e.code === 409);
  assert.deepEqual((await cms.apply(other, 'other-owner', { force: true })).data, { k: 'w' });
  await assert.rejects(client.patch(resources.configmaps, 'default', name, 'apply', {}), /fieldManager/);
});

test('patchNoResult and patchStatusNoResult: the write is made, the answer not decoded, failures still reject', async () => {
  const deps = client.deployments('default');
  const name = `${P}-noresult`;
  await deps.create({
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name },
    spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
  });
  assert.equal(await deps.patchNoResult(name, 'merge', { metadata: { labels: { x: 'y' } } }), undefined);
  assert.equal(await deps.patchStatusNoResult(name, 'merge', { status: { observedGeneration: 1 } }), undefined);
  const got = await deps.get(name);
  assert.deepEqual(got.metadata.labels, { x: 'y' });
  assert.equal(got.status?.observedGeneration, 1);
  await assert.rejects(deps.patchNoResult(name, 'json', [{ op: 'test', path: '/metadata/labels/x', value: 'z' }]), (e) => e instanceof StatusError && e.code === 422);
  await assert.rejects(deps.patchStatusNoResult(`${P}-missing`, 'merge', { status: {} }), (e) => isNotFound(e));
});

test('updateStatus and the scale subresource on a Deployment', async () => {
  const deps = client.deployments('default');
  const dep = await deps.create({
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: `${P}-dep` },
    spec: {
      replicas: 1, selector: { matchLabels: { app: `${P}-dep` } },
      template: { metadata: { labels: { app: `${P}-dep` } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } },
    },
  });
  const withStatus = await deps.updateStatus({ ...dep, status: { replicas: 1, observedGeneration: 1 } });
  assert.equal(withStatus.status?.observedGeneration, 1);
  const scale = await deps.getScale(`${P}-dep`);
  assert.equal(scale.kind, 'Scale');
  assert.equal(scale.spec.replicas, 1);
  const scaled = await deps.patchScale(`${P}-dep`, 4);
  assert.equal(scaled.spec.replicas, 4);
  assert.equal((await deps.get(`${P}-dep`)).spec?.replicas, 4);
});

test('pods/binding assigns a node', async () => {
  const pods = client.pods('default');
  await pods.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `${P}-pod` }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
  await pods.bind(`${P}-pod`, 'node-a');
  assert.equal((await pods.get(`${P}-pod`)).spec?.nodeName, 'node-a');
  await assert.rejects(pods.bind(`${P}-pod`, 'node-b'), (e) => e instanceof StatusError && e.code === 409);
});

test('kind resolution: registry first, discovery as the fallback', async () => {
  const want = { group: 'apps', version: 'v1', resource: 'deployments', namespaced: true, kind: 'Deployment' };
  assert.deepEqual(await client.resolve('apps/v1', 'Deployment'), want);
  const viaDiscovery = KubeClient.fromKubeconfig(env.ts.kubeconfig, { kindResolver: () => undefined });
  try {
    assert.deepEqual(await viaDiscovery.resolve('apps/v1', 'Deployment'), want);
    assert.equal((await viaDiscovery.resolve('v1', 'Node')).namespaced, false);
    await assert.rejects(viaDiscovery.resolve('v1', 'NoSuchKind'), /no resource serves kind/);
  } finally {
    viaDiscovery.close();
  }
  const rc = await client.forObject({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { namespace: 'kube-system' } });
  assert.equal(rc.ref.resource, 'leases');
  assert.equal(rc.namespace, 'kube-system');
  const nodes = await client.forObject({ apiVersion: 'v1', kind: 'Node', metadata: { namespace: 'ignored' } });
  assert.equal(nodes.namespace, undefined);
});

test('watch: events from a resourceVersion in order; stop ends iteration', async () => {
  const cms = client.configMaps('default');
  const start = await cms.list({ labelSelector: `set=${P}-w` });
  const w = await cms.watch({ resourceVersion: start.metadata.resourceVersion, labelSelector: `set=${P}-w` });
  const a = await cms.create(cm('w', { set: `${P}-w` }));
  await cms.patch(a.metadata.name!, 'merge', { data: { x: '1' } });
  await cms.delete(a.metadata.name!);
  const seen: string[] = [];
  for await (const ev of w) {
    seen.push(`${ev.type} ${ev.object.metadata.name}`);
    if (seen.length === 3) w.stop();
  }
  assert.deepEqual(seen, [`ADDED ${P}-w`, `MODIFIED ${P}-w`, `DELETED ${P}-w`]);
});

test('watch from a compacted resourceVersion surfaces WatchExpiredError (410)', async () => {
  const cms = client.configMaps('default');
  const old = (await cms.create(cm('old'))).metadata.resourceVersion!;
  await cms.create(cm('newer'));
  await cms.create(cm('newest'));
  await env.ts.server.store.compact(env.ts.server.store.currentRevision());
  const run = async () => {
    const w = await cms.watch({ resourceVersion: old });
    const got: WatchEvent[] = [];
    for await (const ev of w) got.push(ev);
    return got;
  };
  await assert.rejects(run(), (e) => e instanceof WatchExpiredError || (e instanceof StatusError && e.code === 410));
});

test('a watch aborted through its signal ends cleanly', async () => {
  const ac = new AbortController();
  const w = await client.configMaps('default').watch({ signal: ac.signal });
  const done = (async () => {
    let n = 0;
    for await (const _ of w) n++;
    return n;
  })();
  ac.abort();
  assert.equal(typeof (await done), 'number');
});

test('pods/eviction deletes the pod; delete honours preconditions', async () => {
  const pods = client.pods('default');
  const spec = { containers: [{ name: 'c', image: 'busybox' }] };
  await pods.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `${P}-evict` }, spec });
  await pods.evict(`${P}-evict`, { gracePeriodSeconds: 0 });
  // graceful deletion may leave the pod terminating for a while: it must be marked or gone
  const gone = await pods.get(`${P}-evict`).then((p) => Boolean(p.metadata.deletionTimestamp), (e) => isNotFound(e));
  assert.ok(gone, 'evicted pod is terminating or deleted');

  const cms = client.configMaps('default');
  const c = await cms.create(cm('precond'));
  await assert.rejects(cms.delete(c.metadata.name!, { preconditions: { uid: 'not-the-uid' } }), (e) => e instanceof StatusError && e.code === 409);
  await cms.delete(c.metadata.name!, { preconditions: { uid: c.metadata.uid }, propagationPolicy: 'Background' });
  await assert.rejects(cms.get(c.metadata.name!), (e) => isNotFound(e));
});
