/**
 * Writes through a subresource are admitted as that subresource, as upstream's handlers admit
 * scope.Subresource and the scale REST storages hand admission Scale objects (registry/apps/
 * deployment/storage ScaleREST: scaleUpdatedObjectInfo runs the mutating admission on the Scale,
 * toScaleUpdateValidation the validating one): a /scale write is an UPDATE of deployments with
 * subResource scale, kind autoscaling/v1 Scale, object and oldObject Scales; rules for
 * `deployments` do not match it, rules for `deployments/scale` do; a mutating webhook's patch of
 * the Scale's replicas is what is stored. /status is `status`, namespaces/finalize is `finalize`
 * (kind Namespace). Dynamic admission wrapper over a memory store's fixture storages and a
 * webhook server on loopback; no API server.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { mutatingWebhookConfigurations, validatingWebhookConfigurations } from '../../../api/kinds/admissionregistration/webhook-configuration.js';
import { validatingAdmissionPolicies, validatingAdmissionPolicyBindings } from '../../../api/kinds/admissionregistration/validating-admission-policy.js';
import type { KubeObject } from '../../../api/meta.js';
import type { ResourceDefinition } from '../../../api/resource.js';
import { objectKey } from '../../storage/keys.js';
import { rejectsStatus } from '../../storage/testing/assert-status.js';
import { ctx, newEnv, storage, type Env } from '../../storage/testing/fixtures.js';
import type { ActionSubresource, ResourceStorage } from '../../storage/types.js';
import type { AdmissionRequest } from './admission-review.js';
import { startDynamicAdmission, type DynamicAdmissionChain } from './dynamic-admission.js';
import { startWebhookServer, type TestWebhookServer } from './testing/webhook-server.js';

/** Caps a Scale of the Deployment `capped` at 5 replicas, sets the `broken` one's to -1 (JSONPatch on the Scale). */
const cap = (req: AdmissionRequest) => {
  const replicas = (req.object as { spec?: { replicas?: number } } | null)?.spec?.replicas ?? 0;
  const to = req.name === 'broken' ? -1 : req.name === 'capped' && replicas > 5 ? 5 : undefined;
  if (to === undefined) return { allowed: true };
  return { allowed: true, patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify([{ op: 'replace', path: '/spec/replicas', value: to }])).toString('base64') };
};

let env: Env;
let hooks: TestWebhookServer;
let chain: DynamicAdmissionChain;
let deploys: ResourceStorage;
let finalize: ActionSubresource;

const webhook = (name: string, path: string, resources: string[], apiGroups = ['apps']) => ({
  name: `${name}.example.com`, clientConfig: { url: `https://127.0.0.1:${hooks.port}${path}`, caBundle: hooks.caBundle },
  rules: [{ operations: ['UPDATE'], apiGroups, apiVersions: ['v1'], resources }],
  failurePolicy: 'Fail', sideEffects: 'None', admissionReviewVersions: ['v1'], timeoutSeconds: 5,
});
const put = (def: ResourceDefinition, name: string, obj: object) => env.store.create(objectKey(def, undefined, name), JSON.stringify({ metadata: { name }, ...obj }));

before(async () => {
  hooks = await startWebhookServer({
    '/cap': cap,
    '/record': () => ({ allowed: true }),
    '/deny-main': () => ({ allowed: false, status: { code: 403, reason: 'Forbidden', message: 'no updates of deployments themselves' } }),
  });
  env = await newEnv();
  await put(mutatingWebhookConfigurations, 'cap', { webhooks: [webhook('cap', '/cap', ['deployments/scale'])] });
  await put(validatingWebhookConfigurations, 'record', { webhooks: [webhook('record', '/record', ['*/scale', 'deployments/status'])] });
  await put(validatingWebhookConfigurations, 'record-core', { webhooks: [webhook('record-core', '/record', ['namespaces/*'], [''])] });
  await put(validatingWebhookConfigurations, 'deny-main', { webhooks: [webhook('deny-main', '/deny-main', ['deployments'])] });
  // Upstream's documented example of a policy on a scale subresource.
  await put(validatingAdmissionPolicies, 'scale-max', {
    spec: {
      failurePolicy: 'Fail',
      matchConstraints: { resourceRules: [{ apiGroups: ['apps'], apiVersions: ['v1'], operations: ['UPDATE'], resources: ['deployments/scale'] }] },
      validations: [{ expression: 'object.spec.replicas <= 5', message: 'at most 5 replicas' }],
    },
  });
  await put(validatingAdmissionPolicyBindings, 'scale-max', { spec: { policyName: 'scale-max', validationActions: ['Deny'] } });
  chain = await startDynamicAdmission(env.store, () => undefined);
  deploys = chain.wrap(storage(env, 'deployments'));
  finalize = chain.wrapAction(env.set.action('namespaces', 'finalize')!);
  for (const name of ['plain', 'capped', 'broken']) {
    await storage(env, 'deployments').create(ctx(), 'ns1', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, labels: { app: name } }, spec: { replicas: 1, selector: { matchLabels: { app: name } } } });
  }
});

after(async () => {
  chain?.stop();
  await hooks?.close();
  await env?.close();
});

const scale = (name: string, replicas: number): KubeObject => ({ apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name, namespace: 'ns1' }, spec: { replicas } });
const last = (path: string): AdmissionRequest => hooks.received.get(path)!.at(-1)!;

test('a /scale write is admitted as deployments/scale with Scale objects; rules for deployments do not match it', async () => {
  const out = await deploys.update(ctx(), 'ns1', 'plain', scale('plain', 3), 'scale');
  assert.equal((out as { spec: { replicas: number } }).spec.replicas, 3);
  for (const path of ['/cap', '/record']) {
    const req = last(path);
    assert.deepEqual([req.operation, req.kind, req.resource, req.subResource, req.requestKind, req.requestSubResource], [
      'UPDATE', { group: 'autoscaling', version: 'v1', kind: 'Scale' }, { group: 'apps', version: 'v1', resource: 'deployments' }, 'scale',
      { group: 'autoscaling', version: 'v1', kind: 'Scale' }, 'scale',
    ], path);
    assert.deepEqual([req.object?.kind, req.object?.apiVersion, (req.object as KubeObject).spec, (req.oldObject as KubeObject).spec], ['Scale', 'autoscaling/v1', { replicas: 3 }, { replicas: 1 }], path);
    assert.equal((req.object as KubeObject).status?.selector, 'app=plain');
  }
  assert.equal(hooks.received.get('/deny-main'), undefined);
  // The main resource is still the main rule's.
  const d = await deploys.get(ctx(), 'ns1', 'plain');
  await rejectsStatus(deploys.update(ctx(), 'ns1', 'plain', { ...d, spec: { ...d.spec, replicas: 9 } }), 403, 'Forbidden', (e) => {
    assert.equal(e.message, 'admission webhook "deny-main.example.com" denied the request: no updates of deployments themselves');
  });
});

test('a ValidatingAdmissionPolicy on deployments/scale checks the Scale (object.spec.replicas <= 5), PUT and PATCH', async () => {
  const denied = (e: { message: string }) => assert.equal(e.message, "ValidatingAdmissionPolicy 'scale-max' with binding 'scale-max' denied request: at most 5 replicas");
  await rejectsStatus(deploys.update(ctx(), 'ns1', 'plain', scale('plain', 6), 'scale'), 422, 'Invalid', denied);
  await rejectsStatus(deploys.patch(ctx(), 'ns1', 'plain', { type: 'merge', body: { spec: { replicas: 7 } } }, 'scale'), 422, 'Invalid', denied);
  assert.equal((await deploys.get(ctx(), 'ns1', 'plain')).spec.replicas, 3);
  const patched = await deploys.patch(ctx(), 'ns1', 'plain', { type: 'merge', body: { spec: { replicas: 4 } } }, 'scale');
  assert.equal((patched.object as KubeObject).spec.replicas, 4);
});

test("a mutating webhook's patch of the Scale is what is stored, and is validated as the Scale", async () => {
  const before = await deploys.get(ctx(), 'ns1', 'capped');
  const out = await deploys.update(ctx(), 'ns1', 'capped', scale('capped', 9), 'scale');
  assert.equal((out as KubeObject).spec.replicas, 5);
  assert.equal((last('/record').object as KubeObject).spec.replicas, 5);
  const stored = await deploys.get(ctx(), 'ns1', 'capped');
  assert.equal(stored.spec.replicas, 5);
  assert.equal(stored.metadata.generation, (before.metadata.generation ?? 1) + 1);
  // Capped back to what is stored: no write, as upstream's update of an unchanged object.
  await deploys.update(ctx(), 'ns1', 'capped', scale('capped', 12), 'scale');
  const again = await deploys.get(ctx(), 'ns1', 'capped');
  assert.deepEqual([again.metadata.resourceVersion, again.metadata.generation], [stored.metadata.resourceVersion, stored.metadata.generation]);
  // The webhook's Scale is validated as a Scale (upstream: ValidateScale after the transformers).
  await rejectsStatus(deploys.update(ctx(), 'ns1', 'broken', scale('broken', 2), 'scale'), 422, 'Invalid', (e) => {
    assert.equal(e.message, 'Scale.autoscaling "broken" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0');
  });
});

test('a /status write is admitted as status, a namespaces/finalize write as finalize of a Namespace', async () => {
  const d = await deploys.get(ctx(), 'ns1', 'plain');
  await deploys.update(ctx(), 'ns1', 'plain', { ...d, status: { replicas: 2 } }, 'status');
  const st = last('/record');
  assert.deepEqual([st.subResource, st.kind.kind, (st.object as KubeObject).status], ['status', 'Deployment', { replicas: 2 }]);
  await storage(env, 'namespaces').create(ctx(), undefined, { metadata: { name: 'gone' } });
  await finalize.update!(ctx(), undefined, 'gone', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'gone' }, spec: { finalizers: [] } });
  const fin = last('/record');
  assert.deepEqual([fin.operation, fin.kind, fin.resource, fin.subResource, fin.name], [
    'UPDATE', { group: '', version: 'v1', kind: 'Namespace' }, { group: '', version: 'v1', resource: 'namespaces' }, 'finalize', 'gone',
  ]);
  assert.deepEqual([(fin.object as KubeObject).spec, (fin.oldObject as KubeObject).spec], [{ finalizers: [] }, { finalizers: ['kubernetes'] }]);
});
