/**
 * pods/binding and pods/eviction are dynamically admitted as upstream's create handler admits them:
 * a CREATE of pods with subResource binding (kind v1 Binding) or eviction (kind policy/v1
 * Eviction), the posted object as `object`; the `bindings` collection as a CREATE of bindings. A
 * validating webhook on pods/eviction blocks evictions with its 403; a ValidatingAdmissionPolicy
 * on pods/binding sees the Binding; a mutating webhook's Binding is what binds. The eviction's own
 * delete of the pod is not admitted (EvictionREST deletes through the store). Real kinds over a
 * memory store, webhooks on loopback; no API server (~0.2 s).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { mutatingWebhookConfigurations, validatingWebhookConfigurations } from '../../../api/kinds/admissionregistration/webhook-configuration.js';
import { validatingAdmissionPolicies, validatingAdmissionPolicyBindings } from '../../../api/kinds/admissionregistration/validating-admission-policy.js';
import type { KubeObject } from '../../../api/meta.js';
import { registry } from '../../../api/registry.js';
import type { ResourceDefinition } from '../../../api/resource.js';
import { MemoryStore } from '../../../store/memory.js';
import { objectKey } from '../../storage/keys.js';
import { createStorages, type StorageSet } from '../../storage/storage-set.js';
import { rejectsStatus } from '../../storage/testing/assert-status.js';
import { ctx } from '../../storage/testing/fixtures.js';
import type { ActionSubresource, ResourceStorage } from '../../storage/types.js';
import type { AdmissionRequest } from './admission-review.js';
import { startDynamicAdmission, type DynamicAdmissionChain } from './dynamic-admission.js';
import { startWebhookServer, type TestWebhookServer } from './testing/webhook-server.js';

let store: MemoryStore;
let set: StorageSet;
let hooks: TestWebhookServer;
let chain: DynamicAdmissionChain;
let pods: ResourceStorage;
let binding: ActionSubresource;
let eviction: ActionSubresource;
let bindingsCollection: ResourceStorage;

const webhook = (name: string, path: string, operations: string[], resources: string[]) => ({
  name: `${name}.example.com`, clientConfig: { url: `https://127.0.0.1:${hooks.port}${path}`, caBundle: hooks.caBundle },
  rules: [{ operations, apiGroups: [''], apiVersions: ['v1'], resources }],
  failurePolicy: 'Fail', sideEffects: 'None', admissionReviewVersions: ['v1'], timeoutSeconds: 5,
});
const put = (def: ResourceDefinition, name: string, obj: object) => store.create(objectKey(def, undefined, name), JSON.stringify({ metadata: { name }, ...obj }));
const jsonPatch = (ops: object[]) => ({ allowed: true, patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(ops)).toString('base64') });

before(async () => {
  hooks = await startWebhookServer({
    '/record': () => ({ allowed: true }),
    // Evictions of pods labelled keep are refused, as PDB-like eviction guards in the wild do.
    '/guard': (req) => (req.name === 'keep' ? { allowed: false, status: { code: 403, reason: 'Forbidden', message: 'pod keep must not be evicted' } } : { allowed: true }),
    '/deny-delete': () => ({ allowed: false, status: { code: 403, reason: 'Forbidden', message: 'no direct deletes' } }),
    // Steers the pod named steer to node n2.
    '/steer': (req) => (req.name === 'steer' ? jsonPatch([{ op: 'replace', path: '/target/name', value: 'n2' }]) : { allowed: true }),
  });
  store = new MemoryStore();
  set = createStorages(store, registry);
  await put(validatingWebhookConfigurations, 'record', { webhooks: [webhook('record', '/record', ['CREATE'], ['pods/binding', 'pods/eviction', 'bindings'])] });
  await put(validatingWebhookConfigurations, 'guard', { webhooks: [webhook('guard', '/guard', ['CREATE'], ['pods/eviction'])] });
  await put(validatingWebhookConfigurations, 'deny-delete', { webhooks: [webhook('deny-delete', '/deny-delete', ['DELETE'], ['pods'])] });
  await put(mutatingWebhookConfigurations, 'steer', { webhooks: [webhook('steer', '/steer', ['CREATE'], ['pods/binding'])] });
  await put(validatingAdmissionPolicies, 'no-n9', {
    spec: {
      failurePolicy: 'Fail',
      matchConstraints: { resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods/binding'] }] },
      validations: [{ expression: "object.kind == 'Binding' && object.target.name != 'n9'", message: 'nothing binds to n9' }],
    },
  });
  await put(validatingAdmissionPolicyBindings, 'no-n9', { spec: { policyName: 'no-n9', validationActions: ['Deny'] } });
  chain = await startDynamicAdmission(store, () => undefined);
  await set.get('', 'v1', 'namespaces')!.create(ctx(), undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'app' } });
  pods = chain.wrap(set.get('', 'v1', 'pods')!);
  binding = chain.wrapAction(set.action('pods', 'binding')!);
  eviction = chain.wrapAction(set.action('pods', 'eviction')!);
  bindingsCollection = chain.wrap(set.all().find((s) => s.def.plural === 'bindings')!);
  for (const name of ['keep', 'go', 'steer', 'plain', 'n9pod', 'legacy']) {
    await set.get('', 'v1', 'pods')!.create(ctx(), 'app', { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'i' }] } });
  }
});

after(async () => {
  chain?.stop();
  await hooks?.close();
  await store?.close();
});

const last = (path: string): AdmissionRequest => hooks.received.get(path)!.at(-1)!;
const bind = (name: string, node: string): KubeObject => ({ apiVersion: 'v1', kind: 'Binding', metadata: { name }, target: { kind: 'Node', name: node } });
const evict = (name: string): KubeObject => ({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name } });

test('a validating webhook on pods/eviction refuses an eviction with its 403; the eviction is a CREATE of pods/eviction', async () => {
  await rejectsStatus(eviction.create(ctx(), 'app', 'keep', evict('keep')), 403, 'Forbidden', (e) => {
    assert.equal(e.message, 'admission webhook "guard.example.com" denied the request: pod keep must not be evicted');
  });
  assert.equal((await pods.get(ctx(), 'app', 'keep')).metadata.name, 'keep', 'not evicted');
  const req = last('/guard');
  assert.deepEqual([req.operation, req.kind, req.resource, req.subResource, req.name, req.namespace], [
    'CREATE', { group: 'policy', version: 'v1', kind: 'Eviction' }, { group: '', version: 'v1', resource: 'pods' }, 'eviction', 'keep', 'app',
  ]);
  assert.deepEqual([req.object?.apiVersion, req.object?.kind, req.object?.metadata], ['policy/v1', 'Eviction', { name: 'keep', namespace: 'app' }]);
  assert.equal((req.options as KubeObject).kind, 'CreateOptions');
  // Allowed: the pod goes, its delete not admitted as one (the deny-delete webhook refuses direct deletes only).
  assert.equal((await eviction.create(ctx(), 'app', 'go', evict('go'))).status, 'Success');
  await rejectsStatus(pods.get(ctx(), 'app', 'go'), 404, 'NotFound');
  assert.equal(hooks.received.get('/deny-delete'), undefined);
  await rejectsStatus(pods.delete(ctx(), 'app', 'keep', {}), 403, 'Forbidden');
});

test('a ValidatingAdmissionPolicy on pods/binding sees the Binding; a mutating webhook\'s Binding is what binds', async () => {
  await rejectsStatus(binding.create(ctx(), 'app', 'n9pod', bind('n9pod', 'n9')), 422, 'Invalid', (e) => {
    assert.equal(e.message, "ValidatingAdmissionPolicy 'no-n9' with binding 'no-n9' denied request: nothing binds to n9");
  });
  assert.equal((await pods.get(ctx(), 'app', 'n9pod')).spec.nodeName, undefined, 'not bound');
  await binding.create(ctx(), 'app', 'plain', bind('plain', 'n1'));
  const req = last('/record');
  assert.deepEqual([req.operation, req.kind, req.resource, req.subResource, req.name], [
    'CREATE', { group: '', version: 'v1', kind: 'Binding' }, { group: '', version: 'v1', resource: 'pods' }, 'binding', 'plain',
  ]);
  assert.deepEqual((req.object as KubeObject).target, { kind: 'Node', name: 'n1' });
  assert.equal((await pods.get(ctx(), 'app', 'plain')).spec.nodeName, 'n1');
  await binding.create(ctx(), 'app', 'steer', bind('steer', 'n1'));
  assert.deepEqual((last('/record').object as KubeObject).target, { kind: 'Node', name: 'n2' }, 'validation sees the mutated Binding');
  assert.equal((await pods.get(ctx(), 'app', 'steer')).spec.nodeName, 'n2');
});

test('a POST to the bindings collection is admitted as a CREATE of bindings, no subresource', async () => {
  await bindingsCollection.create(ctx(), 'app', bind('legacy', 'n1'));
  const req = last('/record');
  assert.deepEqual([req.operation, req.kind, req.resource, req.subResource, req.name], [
    'CREATE', { group: '', version: 'v1', kind: 'Binding' }, { group: '', version: 'v1', resource: 'bindings' }, undefined, 'legacy',
  ]);
  assert.equal((await pods.get(ctx(), 'app', 'legacy')).spec.nodeName, 'n1');
});
