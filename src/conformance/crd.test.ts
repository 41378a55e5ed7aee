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

test('[sig-api-machinery] CustomResourceDefinition resources [Privileged:ClusterAdmin] Simple CustomResourceDefinition creating/deleting custom resource definition objects works [Conformance]', async () => {
  const { crd } = await createCrd(randomCrd('Cluster'));
  assert.equal(crd.metadata.name?.endsWith('.mygroup.example.com'), true);
  await deleteCrd(crd.metadata.name!);
});

test('[sig-api-machinery] CustomResourceDefinition resources [Privileged:ClusterAdmin] Simple CustomResourceDefinition listing custom resource definition objects works [Conformance]', async () => {
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

test('[sig-api-machinery] CustomResourceDefinition resources [Privileged:ClusterAdmin] Simple CustomResourceDefinition getting/updating/patching custom resource definition status sub-resource works [Conformance]', async () => {
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

test('[sig-api-machinery] CustomResourceDefinition resources [Privileged:ClusterAdmin] custom resource defaulting for requests and from storage works [Conformance]', async () => {
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

// as upstream's crd_watch.go: one watch per CR (fieldSelector metadata.name), each must see its own
// CR's ADDED, MODIFIED (a JSON patch adding /dummy) and DELETED and nothing of the other's; its
// expectNoEvent (a 10 s wait) is checked by order instead: every event a watch delivers is the next
// one expected, so an event of the other CR would fail the expect that follows it (for the last
// step, A is shown one more event of its own).
test('[sig-api-machinery] CustomResourceDefinition Watch [Privileged:ClusterAdmin] CustomResourceDefinition Watch watch on custom resource definition objects [Conformance]', async () => {
  const { crd, ref } = await createCrd(randomCrd('Cluster', { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }));
  const make = (n: string) => ({ apiVersion: `${ref.group}/${ref.version}`, kind: ref.kind, metadata: { name: n }, content: { key: 'value' } }) as KubeObject;
  const resourceVersion = (await client.list(ref, undefined)).metadata.resourceVersion;
  const watchA = new WatchReader(await client.watch(ref, undefined, { resourceVersion, fieldSelector: 'metadata.name=name1' }));
  const watchB = new WatchReader(await client.watch(ref, undefined, { resourceVersion, fieldSelector: 'metadata.name=name2' }));
  const jsonPatch = [{ op: 'add', path: '/dummy', value: 'test' }];
  try {
    const createdA = await client.create(ref, undefined, make('name1'));
    assert.ok(createdA.metadata.uid, 'the created CR has a uid');
    assert.equal(createdA.apiVersion, `${ref.group}/${ref.version}`);
    assert.equal(createdA.kind, ref.kind);
    await watchA.expect('ADDED', 'name1');
    await client.create(ref, undefined, make('name2'));
    await watchB.expect('ADDED', 'name2');
    await client.patch(ref, undefined, 'name1', 'json', jsonPatch);
    assert.equal(((await watchA.expect('MODIFIED', 'name1')).object as KubeObject & { dummy?: string }).dummy, 'test');
    await client.patch(ref, undefined, 'name2', 'json', jsonPatch);
    await watchB.expect('MODIFIED', 'name2');
    await client.delete(ref, undefined, 'name1');
    await watchA.expect('DELETED', 'name1');
    await client.delete(ref, undefined, 'name2');
    await watchB.expect('DELETED', 'name2');
    // the last "no event on A": A's next event after B's deletion is a later one of its own.
    await client.create(ref, undefined, make('name1'));
    await watchA.expect('ADDED', 'name1');
    await client.delete(ref, undefined, 'name1');
  } finally {
    watchA.stop();
    watchB.stop();
  }
  await deleteCrd(crd.metadata.name!);
});
