/**
 * Upstream's Namespaces conformance tests (test/e2e/apimachinery/namespace.go) against a real
 * API server with the namespace controller: deletion removes pods and services, patch, update,
 * status get/patch/update, and a finalizer added and removed through namespaces/finalize. This
 * server has no nodes, so the pod stays Pending (upstream waits for it to run first).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Namespace } from '../api/kinds/index.js';
import { isNotFound } from '../client/errors.js';
import type { KubeClient } from '../client/kube-client.js';
import { addNamespaceController } from '../controllers/namespace/namespace-controller.js';
import { startControllerEnv, type ControllerEnv } from '../testing/controller-env.js';
import { eventually } from '../testing/eventually.js';

let env: ControllerEnv;
let client: KubeClient;

before(async () => {
  env = await startControllerEnv({ add: (mgr) => addNamespaceController(mgr, { recheckMs: 100 }) });
  client = env.client;
});
after(() => env.stop());

const nsObject = (name: string): Namespace => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
const gone = (name: string) => client.namespaces().get(name).then(() => false, (e) => (isNotFound(e) ? true : Promise.reject(e)));

/** upstream's ensure*AreRemovedWhenNamespaceIsDeleted: delete, wait for it to go, recreate, find nothing. */
async function deleteAndRecreate(name: string): Promise<void> {
  await client.namespaces().delete(name);
  await eventually(() => gone(name), `namespace ${name} to be removed`, 30_000);
  await client.namespaces().create(nsObject(name));
}

test('[sig-api-machinery] Namespaces [Serial] should ensure that all pods are removed when a namespace is deleted [Conformance]', async () => {
  const ns = 'cf-nsdeletetest-pods';
  await client.namespaces().create(nsObject(ns));
  await client.pods(ns).create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'test-pod' }, spec: { containers: [{ name: 'nginx', image: 'registry.k8s.io/pause:3.10' }] } });
  await deleteAndRecreate(ns);
  assert.deepEqual((await client.pods(ns).list()).items, []);
  await client.namespaces().delete(ns);
});

test('[sig-api-machinery] Namespaces [Serial] should ensure that all services are removed when a namespace is deleted [Conformance]', async () => {
  const ns = 'cf-nsdeletetest-svc';
  await client.namespaces().create(nsObject(ns));
  await client.services(ns).create({
    apiVersion: 'v1', kind: 'Service', metadata: { name: 'test-service' },
    spec: { selector: { foo: 'bar', baz: 'blah' }, ports: [{ port: 80, targetPort: 80 }] },
  });
  await deleteAndRecreate(ns);
  await assert.rejects(client.services(ns).get('test-service'), (e) => isNotFound(e));
  await client.namespaces().delete(ns);
});

test('[sig-api-machinery] Namespaces [Serial] should patch a Namespace [Conformance]', async () => {
  const ns = 'cf-nspatchtest';
  const created = await client.namespaces().create(nsObject(ns));
  const patched = await client.namespaces().patch(ns, 'strategic', { metadata: { labels: { testLabel: 'testValue' } } });
  assert.ok(Number(patched.metadata.resourceVersion) > Number(created.metadata.resourceVersion), 'patched object has a larger resourceVersion');
  assert.equal((await client.namespaces().get(ns)).metadata.labels?.testLabel, 'testValue');
  await client.namespaces().delete(ns);
});

test('[sig-api-machinery] Namespaces [Serial] should apply changes to a namespace status [Conformance]', async () => {
  const ns = 'cf-nsstatus';
  await client.namespaces().create(nsObject(ns));
  const read = await client.raw<Namespace>('GET', `/api/v1/namespaces/${ns}/status`);
  assert.equal(read.status?.phase, 'Active');

  const condition = { type: 'StatusPatch', status: 'True', reason: 'E2E', message: 'Patched by an e2e test' };
  const patched = await client.namespaces().patch(ns, 'merge', { metadata: { annotations: { 'e2e-patched-ns-status': ns } }, status: { conditions: [condition] } }, { subresource: 'status' });
  assert.equal(patched.metadata.annotations?.['e2e-patched-ns-status'], ns);
  const lastPatched = patched.status?.conditions?.at(-1);
  assert.equal(lastPatched?.reason, 'E2E');
  assert.equal(lastPatched?.message, 'Patched by an e2e test');

  const toUpdate = await client.raw<Namespace>('GET', `/api/v1/namespaces/${ns}/status`);
  toUpdate.status = { ...toUpdate.status, conditions: [...(toUpdate.status?.conditions ?? []), { type: 'StatusUpdate', status: 'True', reason: 'E2E', message: 'Updated by an e2e test' }] };
  const updated = await client.namespaces().updateStatus(toUpdate);
  const lastUpdated = updated.status?.conditions?.at(-1);
  assert.equal(lastUpdated?.type, 'StatusUpdate');
  assert.equal(lastUpdated?.message, 'Updated by an e2e test');
  await client.namespaces().delete(ns);
});

test('[sig-api-machinery] Namespaces [Serial] should apply an update to a Namespace [Conformance]', async () => {
  const ns = 'cf-nsupdate';
  await client.namespaces().create(nsObject(ns));
  const cur = await client.namespaces().get(ns);
  const updated = await client.namespaces().update({ ...cur, metadata: { ...cur.metadata, labels: { ...cur.metadata.labels, [ns]: 'updated' } } });
  assert.equal(updated.metadata.labels?.[ns], 'updated');
  await client.namespaces().delete(ns);
});

test('[sig-api-machinery] Namespaces [Serial] should apply a finalizer to a Namespace [Conformance]', async () => {
  const ns = 'cf-e2e-ns-final';
  const fake = 'e2e.example.com/fakeFinalizer';
  const created = await client.namespaces().create(nsObject(ns));
  assert.deepEqual(created.spec?.finalizers, ['kubernetes']);
  const finalize = (obj: Namespace) => client.raw<Namespace>('PUT', `/api/v1/namespaces/${ns}/finalize`, obj);

  const withFake = await client.namespaces().get(ns);
  const added = await finalize({ ...withFake, spec: { ...withFake.spec, finalizers: [...(withFake.spec?.finalizers ?? []), fake] } });
  assert.deepEqual(added.spec?.finalizers, ['kubernetes', fake]);

  const withoutFake = await client.namespaces().get(ns);
  const removed = await finalize({ ...withoutFake, spec: { ...withoutFake.spec, finalizers: (withoutFake.spec?.finalizers ?? []).filter((f) => f !== fake) } });
  assert.deepEqual(removed.spec?.finalizers, ['kubernetes']);
  await client.namespaces().delete(ns);
  await eventually(() => gone(ns), `namespace ${ns} to be removed`, 30_000);
});
