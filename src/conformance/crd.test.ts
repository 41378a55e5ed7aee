/**
 * Upstream's CustomResourceDefinition conformance tests (test/e2e/apimachinery/
 * custom_resource_definition.go and crd_watch.go) against a real API server: create/delete, list by
 * label and deletecollection, the CRD's status subresource, defaulting on requests and on reads
 * from storage, and watching custom resources. CRDs as upstream's fixtures make them
 * (NewRandomNameV1CustomResourceDefinition: group mygroup.example.com, an allow-all schema).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../api/meta.js';
import { isNotFound } from '../client/errors.js';
import type { KubeClient } from '../client/kube-client.js';
import type { ResourceRef } from '../client/resource-ref.js';
import { startClientEnv, type ClientEnv } from '../testing/controller-env.js';
import { eventually } from '../testing/eventually.js';
import { WatchReader } from './testing/watch-reader.js';

let env: ClientEnv;
let client: KubeClient;
let seq = 0;

before(async () => {
  env = await startClientEnv({ namespace: 'cf-crd' });
  client = env.client;
});
after(() => env.stop());

const CRDS = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
interface Condition { type: string; status: string; reason?: string; message?: string }
type Crd = KubeObject & { spec: any; status?: { conditions?: Condition[] } };

/** upstream's NewRandomNameV1CustomResourceDefinition (with the schema given, allow-all by default). */
function randomCrd(scope: 'Namespaced' | 'Cluster', schema: object = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }, labels?: Record<string, string>): Crd {
  const kind = `E2eTest${++seq}Crd`;
  const plural = kind.toLowerCase() + 's';
  return {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: `${plural}.mygroup.example.com`, ...(labels ? { labels } : {}) },
    spec: {
      group: 'mygroup.example.com', scope,
      names: { plural, singular: kind.toLowerCase(), kind, listKind: `${kind}List` },
      versions: [{ name: 'v1beta1', served: true, storage: true, schema: { openAPIV3Schema: schema } }],
    },
  };
}

/** upstream's CreateNewV1CustomResourceDefinition: create, then wait for Established and the resource served. */
async function createCrd(crd: Crd): Promise<{ crd: Crd; ref: ResourceRef }> {
  const created = await client.raw<Crd>('POST', CRDS, crd);
  await eventually(async () => (await client.raw<Crd>('GET', `${CRDS}/${crd.metadata.name}`)).status?.conditions?.some((c: Condition) => c.type === 'Established' && c.status === 'True'), 'the CRD to be Established');
  const ref = { group: crd.spec.group, version: crd.spec.versions[0].name, resource: crd.spec.names.plural, namespaced: crd.spec.scope === 'Namespaced', kind: crd.spec.names.kind } as ResourceRef;
  await eventually(() => client.list(ref, ref.namespaced ? 'cf-crd' : undefined).then(() => true, () => false), 'the custom resource to be served');
  return { crd: created, ref };
}

async function deleteCrd(name: string): Promise<void> {
  await client.raw('DELETE', `${CRDS}/${name}`);
  await eventually(() => client.raw('GET', `${CRDS}/${name}`).then(() => false, (e: unknown) => isNotFound(e)), `CRD ${name} to be gone`);
}

test('[Conformance] CustomResourceDefinition resources Simple CustomResourceDefinition creating/deleting custom resource definition objects works', async () => {
  const { crd } = await createCrd(randomCrd('Cluster'));
  assert.equal(crd.metadata.name?.endsWith('.mygroup.example.com'), true);
  await deleteCrd(crd.metadata.name!);
});

test('[Conformance] CustomResourceDefinition resources Simple CustomResourceDefinition listing custom resource definition objects works', async () => {
  const label = { 'e2e-list-test-uuid': 'cf-list' };
  const made: string[] = [];
  for (let i = 0; i < 10; i++) made.push((await createCrd(randomCrd('Cluster', undefined, label))).crd.metadata.name!);
  const unlabelled = (await createCrd(randomCrd('Cluster'))).crd.metadata.name!;
  const listed = await client.raw<{ items: Crd[] }>('GET', `${CRDS}?labelSelector=e2e-list-test-uuid%3Dcf-list`);
  assert.deepEqual(listed.items.map((c) => c.metadata.name).sort(), [...made].sort());
  await client.raw('DELETE', `${CRDS}?labelSelector=e2e-list-test-uuid%3Dcf-list`);
  await eventually(async () => (await client.raw<{ items: Crd[] }>('GET', `${CRDS}?labelSelector=e2e-list-test-uuid%3Dcf-list`)).items.length === 0, 'the labelled CRDs to be deleted');
  // deletecollection deleted only the labelled ones.
  assert.equal((await client.raw<Crd>('GET', `${CRDS}/${unlabelled}`)).metadata.name, unlabelled);
  await deleteCrd(unlabelled);
});

test('[Conformance] CustomResourceDefinition resources Simple CustomResourceDefinition getting/updating/patching custom resource definition status sub-resource works', async () => {
  const { crd } = await createCrd(randomCrd('Cluster'));
  const name = crd.metadata.name!;
  const status = await client.raw<Crd>('GET', `${CRDS}/${name}/status`);
  const updatedCondition = { type: 'StatusUpdate', status: 'True', reason: 'E2E', message: 'Set from e2e test' };
  status.status = { ...status.status, conditions: [...(status.status?.conditions ?? []), updatedCondition] };
  const updated = await client.raw<Crd>('PUT', `${CRDS}/${name}/status`, status);
  assert.ok(updated.status?.conditions?.some((c: Condition) => c.type === 'StatusUpdate' && c.reason === 'E2E' && c.message === 'Set from e2e test'), JSON.stringify(updated.status));
  const patchedCondition = { type: 'StatusPatched', status: 'True', reason: 'E2E', message: 'Set from e2e test' };
  const patched = await client.raw<Crd>('PATCH', `${CRDS}/${name}/status`, { status: { conditions: [...(updated.status?.conditions ?? []), patchedCondition] } }, { contentType: 'application/merge-patch+json' });
  assert.ok(patched.status?.conditions?.some((c: Condition) => c.type === 'StatusPatched' && c.message === 'Set from e2e test'), JSON.stringify(patched.status));
  assert.ok((await client.raw<Crd>('GET', `${CRDS}/${name}`)).status?.conditions?.some((c: Condition) => c.type === 'StatusPatched'), 'visible to later reads');
  await deleteCrd(name);
});

test('[Conformance] CustomResourceDefinition resources custom resource defaulting for requests and from storage works', async () => {
  const { crd, ref } = await createCrd(randomCrd('Cluster', { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { a: { type: 'string' }, b: { type: 'string' } } }));
  const name = crd.metadata.name!;
  const cr = (n: string) => ({ apiVersion: `${ref.group}/${ref.version}`, kind: ref.kind, metadata: { name: n } }) as KubeObject;
  await client.create(ref, undefined, cr('cr-1'));
  // A default added to the schema shows on reads of objects stored without it.
  await client.raw('PATCH', `${CRDS}/${name}`, [{ op: 'add', path: '/spec/versions/0/schema/openAPIV3Schema/properties/a/default', value: 'A' }], { contentType: 'application/json-patch+json' });
  await eventually(async () => (await client.get<KubeObject & { a?: string }>(ref, undefined, 'cr-1')).a === 'A', 'cr-1 defaulted on read');
  const cr2 = await client.create<KubeObject & { a?: string }>(ref, undefined, cr('cr-2'));
  assert.equal(cr2.a, 'A', 'defaulted on create');
  await client.raw('PATCH', `${CRDS}/${name}`, [
    { op: 'remove', path: '/spec/versions/0/schema/openAPIV3Schema/properties/a/default' },
    { op: 'add', path: '/spec/versions/0/schema/openAPIV3Schema/properties/b/default', value: 'B' },
  ], { contentType: 'application/json-patch+json' });
  await eventually(async () => {
    const got = await client.get<KubeObject & { a?: string; b?: string }>(ref, undefined, 'cr-2');
    if (got.b !== 'B') return false;
    assert.equal(got.a, 'A', 'the stored default stays');
    return true;
  }, 'cr-2 defaulted on read for b, a unchanged');
  await deleteCrd(name);
});

test('[Conformance] CustomResourceDefinition Watch watch on custom resource definition objects', async () => {
  const { crd, ref } = await createCrd(randomCrd('Cluster', { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }));
  const make = (n: string) => ({ apiVersion: `${ref.group}/${ref.version}`, kind: ref.kind, metadata: { name: n }, content: { key: 'value' } }) as KubeObject;
  const w = new WatchReader(await client.watch(ref, undefined, { resourceVersion: (await client.list(ref, undefined)).metadata.resourceVersion }));
  try {
    await client.create(ref, undefined, make('name1'));
    await w.expect('ADDED', 'name1');
    await client.create(ref, undefined, make('name2'));
    await w.expect('ADDED', 'name2');
    await client.patch(ref, undefined, 'name1', 'merge', { dummy: 'test' });
    assert.equal(((await w.expect('MODIFIED', 'name1')).object as KubeObject & { dummy?: string }).dummy, 'test');
    await client.patch(ref, undefined, 'name2', 'merge', { dummy: 'test' });
    await w.expect('MODIFIED', 'name2');
    await client.delete(ref, undefined, 'name1');
    await w.expect('DELETED', 'name1');
    await client.delete(ref, undefined, 'name2');
    await w.expect('DELETED', 'name2');
  } finally {
    w.stop();
  }
  await deleteCrd(crd.metadata.name!);
});
