/**
 * Upstream's AdmissionWebhook conformance tests (test/e2e/apimachinery/webhook.go) against a real
 * API server and an HTTPS webhook server on loopback (the shared test one), reached by URL with its
 * CA bundle: denying configmaps and pods (and updates that make them non-compliant), a namespace
 * the selector exempts, a hanging webhook failing closed, ordered mutation, timeouts with both
 * failure policies, listing and deletecollection of configurations, updating and patching
 * configurations' rules, configurations not admitted by webhooks, defaulting after a pod mutation,
 * matchConditions skipping one name, and refusing a CRD.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigMap } from '../api/kinds/index.js';
import type { KubeObject } from '../api/meta.js';
import { StatusError } from '../api/status.js';
import type { KubeClient } from '../client/kube-client.js';
import { resources, type ResourceRef } from '../client/resource-ref.js';
import { startWebhookServer, type Handler, type TestWebhookServer } from '../apiserver/admission/dynamic/testing/webhook-server.js';
import { startClientEnv, type ClientEnv } from '../testing/controller-env.js';
import { eventually } from '../testing/eventually.js';

let env: ClientEnv;
let client: KubeClient;
let hooks: TestWebhookServer;
let seq = 0;

const jsonPatch = (ops: object[]): ReturnType<Handler> => ({ allowed: true, patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(ops)).toString('base64') });
const deny = (message: string): ReturnType<Handler> => ({ allowed: false, status: { code: 403, reason: 'Forbidden', message } });
const dataOf = (o: unknown) => ((o as ConfigMap | null)?.data ?? {});

before(async () => {
  hooks = await startWebhookServer({
    // upstream's sample webhook (test/images/agnhost/webhook) behaviours, by path.
    '/configmaps': (r) => (dataOf(r.object)['webhook-e2e-test'] === 'webhook-disallow' ? deny('the configmap contains unwanted key and value') : { allowed: true }),
    '/pods': (r) => ((r.object as KubeObject & { spec?: { containers?: { name: string }[] } })?.spec?.containers?.some((c: { name: string }) => c.name === 'webhook-disallow') ? deny('the pod contains unwanted container name') : { allowed: true }),
    '/wait-forever': () => 'hang',
    '/always-deny': () => deny('this webhook denies all requests'),
    '/mutating-configmaps': (r) => {
      const d = dataOf(r.object);
      if (d['mutation-start'] === 'yes' && !d['mutation-stage-1']) return jsonPatch([{ op: 'add', path: '/data/mutation-stage-1', value: 'yes' }]);
      if (d['mutation-stage-1'] === 'yes' && !d['mutation-stage-2']) return jsonPatch([{ op: 'add', path: '/data/mutation-stage-2', value: 'yes' }]);
      return { allowed: true };
    },
    '/add-stage-1': (r) => jsonPatch([r.object && (r.object as ConfigMap).data ? { op: 'add', path: '/data/mutation-stage-1', value: 'yes' } : { op: 'add', path: '/data', value: { 'mutation-stage-1': 'yes' } }]),
    '/mutating-pods': () => jsonPatch([{ op: 'add', path: '/spec/initContainers', value: [{ name: 'webhook-added-init-container', image: 'registry.k8s.io/pause:3.10', resources: {} }] }]),
    '/crd': () => deny('the crd contains unwanted label'),
    '/custom-resource': (r) => {
      if (r.operation === 'DELETE') return dataOf(r.oldObject)['webhook-e2e-test'] === 'webhook-nondeletable' ? deny('the custom resource cannot be deleted because it contains unwanted key and value') : { allowed: true };
      return dataOf(r.object)['webhook-e2e-test'] === 'webhook-disallow' ? deny('the custom resource contains unwanted data') : { allowed: true };
    },
    // agnhost's denySpecificAttachment: `kubectl attach to-be-attached-pod -i -c=container1` is refused;
    // a request that is not the CONNECT of pods/attach with PodAttachOptions is an error, as there.
    '/pods/attach': (r) => {
      if (r.name !== 'to-be-attached-pod') return { allowed: true };
      const o = r.object as KubeObject & { stdin?: boolean; container?: string } | null;
      if (r.resource.resource !== 'pods' || r.subResource !== 'attach' || r.operation !== 'CONNECT' || o?.kind !== 'PodAttachOptions' || r.kind.kind !== 'PodAttachOptions') {
        return { allowed: false, status: { code: 500, message: `unexpected review: ${JSON.stringify({ ...r, userInfo: undefined })}` } };
      }
      if (!o.stdin || o.container !== 'container1') return { allowed: true };
      return { allowed: false, status: { message: "attaching to pod 'to-be-attached-pod' is not allowed" } };
    },
    '/add-label': (r) => jsonPatch([r.object?.metadata?.labels ? { op: 'add', path: '/metadata/labels/mutated', value: 'yes' } : { op: 'add', path: '/metadata/labels', value: { mutated: 'yes' } }]),
  });
  env = await startClientEnv();
  client = env.client;
});
after(async () => {
  env.client.close();
  await env.ts.stop();
  await hooks.close();
});

async function uniqueNamespace(extra: Record<string, string> = {}): Promise<string> {
  const ns = `cf-webhook-${++seq}`;
  await client.namespaces().create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { [ns]: 'true', ...extra } } });
  return ns;
}

interface HookSpec {
  path: string;
  resources: string[];
  operations?: string[];
  apiGroups?: string[];
  failurePolicy?: 'Fail' | 'Ignore';
  timeoutSeconds?: number;
  namespaceSelector?: object;
  matchConditions?: object[];
}
const hook = (name: string, h: HookSpec) => ({
  name, admissionReviewVersions: ['v1'], sideEffects: 'None', failurePolicy: h.failurePolicy ?? 'Fail',
  clientConfig: { url: `https://127.0.0.1:${hooks.port}${h.path}`, caBundle: hooks.caBundle },
  rules: [{ apiGroups: h.apiGroups ?? [''], apiVersions: ['v1'], operations: h.operations ?? ['CREATE', 'UPDATE'], resources: h.resources }],
  ...(h.timeoutSeconds ? { timeoutSeconds: h.timeoutSeconds } : {}),
  ...(h.namespaceSelector ? { namespaceSelector: h.namespaceSelector } : {}),
  ...(h.matchConditions ? { matchConditions: h.matchConditions } : {}),
});
const configRef = (kind: 'Mutating' | 'Validating'): ResourceRef => (kind === 'Mutating' ? resources.mutatingwebhookconfigurations : resources.validatingwebhookconfigurations);

async function register(kind: 'Mutating' | 'Validating', name: string, webhooks: ReturnType<typeof hook>[], labels?: Record<string, string>): Promise<void> {
  await client.resource(configRef(kind)).create({ apiVersion: 'admissionregistration.k8s.io/v1', kind: `${kind}WebhookConfiguration`, metadata: { name, ...(labels ? { labels } : {}) }, webhooks } as KubeObject);
}
const unregister = (kind: 'Mutating' | 'Validating', name: string) => client.resource(configRef(kind)).delete(name);

const cm = (name: string, data: Record<string, string>): ConfigMap => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data });
/** The create's error, or undefined when it was allowed (a created object is deleted again). */
async function tryCreate(ns: string, obj: ConfigMap): Promise<StatusError | undefined> {
  try {
    await client.configMaps(ns).create(obj);
    await client.configMaps(ns).delete(obj.metadata.name!);
    return undefined;
  } catch (e) {
    if (e instanceof StatusError) return e;
    throw e;
  }
}
/** upstream's marker wait: configurations take effect through the server's watch of them. */
const untilDenied = (ns: string, obj: ConfigMap) => eventually(() => tryCreate(ns, obj), 'the webhook to be in effect');
const disallowed = (name: string) => cm(name, { 'webhook-e2e-test': 'webhook-disallow' });

test('[sig-api-machinery] AdmissionWebhook [Privileged:ClusterAdmin] should be able to deny pod and configmap creation [Conformance]', async () => {
  const ns = await uniqueNamespace();
  const exempt = await uniqueNamespace({ 'skip-webhook-admission': 'yes' });
  const selector = { matchExpressions: [{ key: 'skip-webhook-admission', operator: 'NotIn', values: ['yes'] }] };
  await register('Validating', `${ns}-deny`, [
    hook('deny-unwanted-pod-container-name-and-label.k8s.io', { path: '/pods', resources: ['pods'], namespaceSelector: selector }),
    hook('deny-unwanted-configmap-data.k8s.io', { path: '/configmaps', resources: ['configmaps'], namespaceSelector: selector }),
    hook('wait-forever.k8s.io', { path: '/wait-forever', resources: ['pods'], timeoutSeconds: 1, namespaceSelector: { matchLabels: { [`${ns}-hang`]: 'true' } } }),
  ]);
  const refused = await untilDenied(ns, disallowed('disallowed-configmap'));
  assert.match(refused.message, /the configmap contains unwanted key and value/);
  const pod = (name: string, container: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: container, image: 'registry.k8s.io/pause:3.10' }] } }) as KubeObject;
  await assert.rejects(client.pods(ns).create(pod('disallowed-pod', 'webhook-disallow')), /the pod contains unwanted container name/);
  // A compliant configmap may not be updated or patched into a non-compliant one.
  const allowed = await client.configMaps(ns).create(cm('allowed-configmap', { admit: 'this' }));
  await assert.rejects(client.configMaps(ns).update({ ...allowed, data: { 'webhook-e2e-test': 'webhook-disallow' } }), /the configmap contains unwanted key and value/);
  await assert.rejects(client.configMaps(ns).patch('allowed-configmap', 'strategic', { data: { 'webhook-e2e-test': 'webhook-disallow' } }), /the configmap contains unwanted key and value/);
  // The namespace the selector exempts admits it.
  assert.equal(await tryCreate(exempt, disallowed('disallowed-configmap')), undefined);
  // A webhook that hangs past its timeout fails the pod's creation (failurePolicy Fail).
  await client.namespaces().patch(ns, 'merge', { metadata: { labels: { [`${ns}-hang`]: 'true' } } });
  const hung = await eventually(() => client.pods(ns).create(pod('hanging-pod', 'c')).then(() => client.pods(ns).delete('hanging-pod').then(() => false), (e: unknown) => e), 'the hanging webhook to be called');
  assert.match(String(hung), /failed calling webhook "wait-forever.k8s.io".*(deadline|timeout|Timeout)/s);
  await unregister('Validating', `${ns}-deny`);
});

test('[sig-api-machinery] AdmissionWebhook [Privileged:ClusterAdmin] should mutate configmap [Conformance]', async () => {
  const ns = await uniqueNamespace();
  const sel = { matchLabels: { [ns]: 'true' } };
  await register('Mutating', `${ns}-mutate`, [
    hook('adding-configmap-data-stage-1.k8s.io', { path: '/mutating-configmaps', resources: ['configmaps'], namespaceSelector: sel }),
    hook('adding-configmap-data-stage-2.k8s.io', { path: '/mutating-configmaps', resources: ['configmaps'], namespaceSelector: sel }),
  ]);
  const mutated = await eventually(async () => {
    const got = await client.configMaps(ns).create(cm(`to-be-mutated-${Date.now()}`, { 'mutation-start': 'yes' }));
    return got.data?.['mutation-stage-1'] ? got : false;
  }, 'the mutating webhooks to be in effect');
  assert.deepEqual(mutated.data, { 'mutation-start': 'yes', 'mutation-stage-1': 'yes', 'mutation-stage-2': 'yes' });
  await unregister('Mutating', `${ns}-mutate`);
});

test('[sig-api-machinery] AdmissionWebhook [Privileged:ClusterAdmin] should honor timeout [Conformance]', async () => {
  const ns = await uniqueNamespace();
  const sel = { matchLabels: { [ns]: 'true' } };
  await register('Validating', `${ns}-slow-fail`, [hook('allow-configmap-with-delay-webhook.k8s.io', { path: '/wait-forever', resources: ['configmaps'], timeoutSeconds: 1, namespaceSelector: sel })]);
  const err = await untilDenied(ns, cm('slow-fail', { a: 'b' }));
  assert.match(err.message, /failed calling webhook "allow-configmap-with-delay-webhook.k8s.io".*(deadline|timeout|Timeout)/s);
  await unregister('Validating', `${ns}-slow-fail`);
  // The same webhook with failurePolicy Ignore: its timeout lets the request through.
  await register('Validating', `${ns}-slow-ignore`, [hook('allow-configmap-with-delay-webhook.k8s.io', { path: '/wait-forever', resources: ['configmaps'], timeoutSeconds: 1, failurePolicy: 'Ignore', namespaceSelector: sel })]);
  await eventually(async () => (await tryCreate(ns, cm(`slow-ignore-${Date.now()}`, { a: 'b' }))) === undefined, 'the Ignore webhook to replace the Fail one');
  await unregister('Validating', `${ns}-slow-ignore`);
});

for (const kind of ['Mutating', 'Validating'] as const) {
  test(`[sig-api-machinery] AdmissionWebhook [Privileged:ClusterAdmin] listing ${kind.toLowerCase()} webhooks should work [Conformance]`, async () => {
    const ns = await uniqueNamespace();
    const sel = { matchLabels: { [ns]: 'true' } };
    const label = { [`e2e-list-test-webhook-${ns}`]: 'true' };
    const path = kind === 'Mutating' ? '/add-stage-1' : '/always-deny';
    for (let i = 0; i < 10; i++) await register(kind, `${ns}-${kind.toLowerCase()}-${i}`, [hook(`${kind.toLowerCase()}-${i}.k8s.io`, { path, resources: ['configmaps'], operations: ['CREATE'], namespaceSelector: sel })], label);
    const listed = await client.resource(configRef(kind)).list({ labelSelector: `e2e-list-test-webhook-${ns}=true` });
    assert.equal(listed.items.length, 10);
    const effect = async (): Promise<boolean> => {
      if (kind === 'Validating') return (await tryCreate(ns, cm(`probe-${Date.now()}`, {}))) !== undefined;
      const got = await client.configMaps(ns).create(cm(`probe-${Date.now()}`, {}));
      return got.data?.['mutation-stage-1'] === 'yes';
    };
    await eventually(effect, 'the listed webhooks to be in effect');
    await client.resource(configRef(kind)).deleteCollection({ labelSelector: `e2e-list-test-webhook-${ns}=true` });
    await eventually(async () => !(await effect()), 'the deleted webhooks to be out of effect');
  });

  test(`[sig-api-machinery] AdmissionWebhook [Privileged:ClusterAdmin] patching/updating a ${kind.toLowerCase()} webhook should work [Conformance]`, async () => {
    const ns = await uniqueNamespace();
    const name = `${ns}-${kind.toLowerCase()}-update`;
    const path = kind === 'Mutating' ? '/add-stage-1' : '/always-deny';
    await register(kind, name, [hook(`${kind.toLowerCase()}-update.k8s.io`, { path, resources: ['configmaps'], operations: ['CREATE'], namespaceSelector: { matchLabels: { [ns]: 'true' } } })]);
    const effect = async (): Promise<boolean> => {
      if (kind === 'Validating') return (await tryCreate(ns, cm(`probe-${Date.now()}`, {}))) !== undefined;
      return (await client.configMaps(ns).create(cm(`probe-${Date.now()}`, {}))).data?.['mutation-stage-1'] === 'yes';
    };
    await eventually(effect, 'the webhook to be in effect');
    // Updated to no longer cover CREATE: it stops acting.
    const cur = await client.resource<KubeObject & { webhooks: { rules: { operations: string[] }[] }[] }>(configRef(kind)).get(name);
    cur.webhooks[0]!.rules[0]!.operations = ['UPDATE'];
    await client.resource(configRef(kind)).update(cur);
    await eventually(async () => !(await effect()), 'the updated webhook to stop acting on CREATE');
    // Patched back to CREATE: it acts again.
    await client.resource(configRef(kind)).patch(name, 'json', [{ op: 'replace', path: '/webhooks/0/rules/0/operations', value: ['CREATE'] }]);
    await eventually(effect, 'the patched webhook to act on CREATE again');
    await unregister(kind, name);
  });
}

test('[sig-api-machinery] AdmissionWebhook [Privileged:ClusterAdmin] should not be able to mutate or prevent deletion of webhook configuration objects [Conformance]', async () => {
  const ns = await uniqueNamespace();
  const configs = ['validatingwebhookconfigurations', 'mutatingwebhookconfigurations'];
  const inNs = { matchLabels: { [ns]: 'true' } };
  // Each configuration also acts on this namespace's configmaps: seeing that act shows it is loaded.
  await register('Mutating', `${ns}-mutate-configs`, [
    hook('add-label-to-webhook-configurations.k8s.io', { path: '/add-label', resources: configs, apiGroups: ['admissionregistration.k8s.io'], operations: ['CREATE', 'UPDATE'] }),
    hook('add-label-to-configmaps.k8s.io', { path: '/add-label', resources: ['configmaps'], operations: ['CREATE'], namespaceSelector: inNs }),
  ]);
  await eventually(async () => (await client.configMaps(ns).create(cm(`probe-${Date.now()}`, {}))).metadata.labels?.mutated === 'yes', 'the mutating webhooks to be in effect');
  await register('Validating', `${ns}-deny-configs`, [
    hook('deny-webhook-configuration-deletions.k8s.io', { path: '/always-deny', resources: configs, apiGroups: ['admissionregistration.k8s.io'], operations: ['CREATE', 'UPDATE', 'DELETE'] }),
    hook('deny-configmaps.k8s.io', { path: '/always-deny', resources: ['configmaps'], operations: ['CREATE'], namespaceSelector: inNs }),
  ]);
  await untilDenied(ns, cm('probe-denied', {}));
  // A dummy configuration of each kind is created unmutated and deleted, whatever those webhooks say.
  for (const kind of ['Validating', 'Mutating'] as const) {
    const name = `${ns}-dummy-${kind.toLowerCase()}`;
    await register(kind, name, [hook(`dummy-${kind.toLowerCase()}.k8s.io`, { path: '/always-deny', resources: ['configmaps'], namespaceSelector: { matchLabels: { 'no-such': 'namespace' } } })]);
    const got = await client.resource(configRef(kind)).get(name);
    assert.equal(got.metadata.labels?.mutated, undefined, 'not mutated');
    await unregister(kind, name);
    await assert.rejects(client.resource(configRef(kind)).get(name), (e: unknown) => e instanceof StatusError && e.status.code === 404);
  }
  await unregister('Validating', `${ns}-deny-configs`);
  await unregister('Mutating', `${ns}-mutate-configs`);
});

test('[sig-api-machinery] AdmissionWebhook [Privileged:ClusterAdmin] should mutate pod and apply defaults after mutation [Conformance]', async () => {
  const ns = await uniqueNamespace();
  await register('Mutating', `${ns}-mutate-pods`, [hook('adding-init-container.k8s.io', { path: '/mutating-pods', resources: ['pods'], operations: ['CREATE'], namespaceSelector: { matchLabels: { [ns]: 'true' } } })]);
  const pod = await eventually(async () => {
    const p = await client.pods(ns).create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `webhook-to-be-mutated-${Date.now()}` }, spec: { containers: [{ name: 'example', image: 'registry.k8s.io/pause:3.10' }] } });
    return p.spec?.initContainers?.length ? p : false;
  }, 'the pod mutation to be in effect');
  const init = pod.spec!.initContainers![0]!;
  assert.equal(init.name, 'webhook-added-init-container');
  assert.equal(init.terminationMessagePolicy, 'File', 'defaulted after the mutation');
  assert.equal(init.terminationMessagePath, '/dev/termination-log');
  assert.equal(init.imagePullPolicy, 'IfNotPresent');
  await unregister('Mutating', `${ns}-mutate-pods`);
});

test('[sig-api-machinery] AdmissionWebhook [Privileged:ClusterAdmin] should mutate everything except \'skip-me\' configmaps [Conformance]', async () => {
  const ns = await uniqueNamespace();
  await register('Mutating', `${ns}-skip-me`, [hook('adding-configmap-data.k8s.io', {
    path: '/add-stage-1', resources: ['configmaps'], operations: ['CREATE'], namespaceSelector: { matchLabels: { [ns]: 'true' } },
    matchConditions: [{ name: 'skip-me', expression: "object.metadata.name != 'skip-me'" }],
  })]);
  await eventually(async () => (await client.configMaps(ns).create(cm(`probe-${Date.now()}`, {}))).data?.['mutation-stage-1'] === 'yes', 'the webhook to be in effect');
  const skipped = await client.configMaps(ns).create(cm('skip-me', { a: 'b' }));
  assert.deepEqual(skipped.data, { a: 'b' }, 'skip-me is not mutated');
  const mutated = await client.configMaps(ns).create(cm('not-skipped', { a: 'b' }));
  assert.deepEqual(mutated.data, { a: 'b', 'mutation-stage-1': 'yes' });
  await unregister('Mutating', `${ns}-skip-me`);
});

test('[sig-api-machinery] AdmissionWebhook [Privileged:ClusterAdmin] should deny crd creation [Conformance]', async () => {
  const ns = await uniqueNamespace();
  await register('Validating', `${ns}-deny-crd`, [hook('deny-crd-with-unwanted-label.k8s.io', {
    path: '/crd', resources: ['customresourcedefinitions'], apiGroups: ['apiextensions.k8s.io'], operations: ['CREATE'],
  })]);
  const crd = (n: number) => ({
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: `e2e-test-webhook-crd${n}s.example.com`, labels: { 'webhook-e2e-test': 'webhook-disallow' } },
    spec: { group: 'example.com', scope: 'Namespaced', names: { plural: `e2e-test-webhook-crd${n}s`, kind: `E2eTestWebhookCrd${n}` }, versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } }] },
  });
  let n = 0;
  const err = await eventually(() => client.raw('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd(++n)).then(() => false, (e: unknown) => e), 'the CRD webhook to be in effect');
  assert.match(String(err), /the crd contains unwanted label/);
  await unregister('Validating', `${ns}-deny-crd`);
});

/** A namespaced CRD in group <ns>.example.com with the given versions (schema: data as the test wants it). */
async function createCrd(ns: string, versions: { name: string; storage: boolean; schema?: object }[]): Promise<{ group: string; plural: string; kind: string; name: string }> {
  const group = `${ns}.example.com`;
  const plural = 'e2e-test-webhook-crs';
  const kind = 'E2eTestWebhookCr';
  const anySchema = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  await client.raw('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: `${plural}.${group}` },
    spec: { group, scope: 'Namespaced', names: { plural, kind, singular: 'e2e-test-webhook-cr' }, versions: versions.map((v) => ({ name: v.name, served: true, storage: v.storage, schema: { openAPIV3Schema: v.schema ?? anySchema } })) },
  });
  await eventually(() => client.raw('GET', `/apis/${group}/${versions[0]!.name}/namespaces/${ns}/${plural}`).then(() => true, () => false), 'the custom resource to be served');
  return { group, plural, kind, name: `${plural}.${group}` };
}
const crPath = (c: { group: string; plural: string }, version: string, ns: string, name = '') => `/apis/${c.group}/${version}/namespaces/${ns}/${c.plural}${name ? `/${name}` : ''}`;
const crHook = (name: string, path: string, c: { group: string; plural: string }, ns: string, operations = ['CREATE', 'UPDATE']) => ({
  ...hook(name, { path, resources: [c.plural], operations, apiGroups: [c.group], namespaceSelector: { matchLabels: { [ns]: 'true' } } }),
  rules: [{ apiGroups: [c.group], apiVersions: ['*'], operations, resources: [c.plural] }],
});
type Cr = KubeObject & { data?: Record<string, string> };

/** upstream's testMutatingCustomResourceWebhook: two stage webhooks on a CRD's resource; the created CR's data. */
async function mutateCustomResource(ns: string, schema?: object): Promise<Record<string, string> | undefined> {
  const crd = await createCrd(ns, [{ name: 'v1', storage: true, ...(schema ? { schema } : {}) }]);
  await register('Mutating', `${ns}-mutate-cr`, [
    crHook('mutate-custom-resource-data-stage-1.k8s.io', '/mutating-configmaps', crd, ns),
    crHook('mutate-custom-resource-data-stage-2.k8s.io', '/mutating-configmaps', crd, ns),
  ]);
  const got = await eventually(async () => {
    const cr = await client.raw<Cr>('POST', crPath(crd, 'v1', ns), { apiVersion: `${crd.group}/v1`, kind: crd.kind, metadata: { name: `cr-${Date.now()}` }, data: { 'mutation-start': 'yes' } });
    return cr.data?.['mutation-stage-1'] ? cr : false;
  }, 'the webhooks to be in effect');
  await unregister('Mutating', `${ns}-mutate-cr`);
  await client.raw('DELETE', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.name}`);
  return got.data;
}

test('[sig-api-machinery] AdmissionWebhook [Privileged:ClusterAdmin] should mutate custom resource [Conformance]', async () => {
  const ns = await uniqueNamespace();
  assert.deepEqual(await mutateCustomResource(ns), { 'mutation-start': 'yes', 'mutation-stage-1': 'yes', 'mutation-stage-2': 'yes' });
});

test('[sig-api-machinery] AdmissionWebhook [Privileged:ClusterAdmin] should be able to deny custom resource creation, update and deletion [Conformance]', async () => {
  const ns = await uniqueNamespace();
  const crd = await createCrd(ns, [{ name: 'v1', storage: true }]);
  await register('Validating', `${ns}-deny-cr`, [crHook('deny-unwanted-custom-resource-data.k8s.io', '/custom-resource', crd, ns, ['CREATE', 'UPDATE', 'DELETE'])]);
  const cr = (name: string, value: string) => ({ apiVersion: `${crd.group}/v1`, kind: crd.kind, metadata: { name }, data: { 'webhook-e2e-test': value } });
  const created = await eventually(() => client.raw('POST', crPath(crd, 'v1', ns), cr(`probe-${Date.now()}`, 'webhook-disallow')).then(() => false, (e: unknown) => e), 'the webhook to be in effect');
  assert.match(String(created), /the custom resource contains unwanted data/);
  // An allowed one may not be updated to the unwanted data.
  await client.raw('POST', crPath(crd, 'v1', ns), cr('allowed', 'webhook-allow'));
  await assert.rejects(client.raw('PATCH', crPath(crd, 'v1', ns, 'allowed'), { data: { 'webhook-e2e-test': 'webhook-disallow' } }, { contentType: 'application/merge-patch+json' }), /the custom resource contains unwanted data/);
  // One marked non-deletable may not be deleted.
  await client.raw('POST', crPath(crd, 'v1', ns), cr('nondeletable', 'webhook-nondeletable'));
  await assert.rejects(client.raw('DELETE', crPath(crd, 'v1', ns, 'nondeletable')), /cannot be deleted because it contains unwanted key and value/);
  assert.equal((await client.raw<Cr>('GET', crPath(crd, 'v1', ns, 'nondeletable'))).metadata.name, 'nondeletable');
  await unregister('Validating', `${ns}-deny-cr`);
  await client.raw('DELETE', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.name}`);
});

test('[sig-api-machinery] AdmissionWebhook [Privileged:ClusterAdmin] should mutate custom resource with pruning [Conformance]', async () => {
  const ns = await uniqueNamespace();
  // The schema keeps data.mutation-start and data.mutation-stage-1 only: stage 2 is pruned after the mutation.
  const schema = { type: 'object', properties: { data: { type: 'object', properties: { 'mutation-start': { type: 'string' }, 'mutation-stage-1': { type: 'string' } } } } };
  assert.deepEqual(await mutateCustomResource(ns, schema), { 'mutation-start': 'yes', 'mutation-stage-1': 'yes' });
});

test('[sig-api-machinery] AdmissionWebhook [Privileged:ClusterAdmin] should mutate custom resource with different stored version [Conformance]', async () => {
  const ns = await uniqueNamespace();
  const crd = await createCrd(ns, [{ name: 'v1', storage: true }, { name: 'v2', storage: false }]);
  await register('Mutating', `${ns}-mutate-cr-versions`, [crHook('mutate-custom-resource-data-stage-1.k8s.io', '/add-stage-1', crd, ns)]);
  await eventually(async () => (await client.raw<Cr>('POST', crPath(crd, 'v1', ns), { apiVersion: `${crd.group}/v1`, kind: crd.kind, metadata: { name: `probe-${Date.now()}` }, data: {} })).data?.['mutation-stage-1'] === 'yes', 'the webhook to be in effect');
  await client.raw('POST', crPath(crd, 'v1', ns), { apiVersion: `${crd.group}/v1`, kind: crd.kind, metadata: { name: 'cr-instance-1' }, data: { 'mutation-start': 'yes' } });
  // v2 becomes the stored version; a patch through v2 still passes the webhook and lands.
  await client.raw('PATCH', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.name}`, [
    { op: 'replace', path: '/spec/versions/0/storage', value: false }, { op: 'replace', path: '/spec/versions/1/storage', value: true },
  ], { contentType: 'application/json-patch+json' });
  await eventually(async () => ((await client.raw<{ status?: { storedVersions?: string[] } }>('GET', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.name}`)).status?.storedVersions ?? []).includes('v2'), 'v2 to be a stored version');
  const patched = await client.raw<Cr>('PATCH', crPath(crd, 'v2', ns, 'cr-instance-1'), { data: { newField: 'newValue' } }, { contentType: 'application/merge-patch+json' });
  assert.equal(patched.data?.newField, 'newValue');
  assert.equal(patched.data?.['mutation-stage-1'], 'yes');
  assert.equal((await client.raw<Cr>('GET', crPath(crd, 'v1', ns, 'cr-instance-1'))).data?.newField, 'newValue');
  await unregister('Mutating', `${ns}-mutate-cr-versions`);
  await client.raw('DELETE', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.name}`);
});

// as upstream's registerWebhookForAttachingPod + testAttachingPodWebhook. Upstream first waits for the
// pod to be Running (its kubectl attach needs a live container once admitted); the refusal it asserts
// happens in the API server before the node is asked (ConnectResource admits, then connects), so the
// pod here stays Pending on a cluster without nodes. The marker is the configmap webhook of the same
// configuration (upstream's is-ready webhook).
test('[sig-api-machinery] AdmissionWebhook [Privileged:ClusterAdmin] should be able to deny attaching pod [Conformance]', async () => {
  const ns = await uniqueNamespace();
  await register('Validating', `${ns}-attach`, [
    hook('deny-attaching-pod.k8s.io', { path: '/pods/attach', resources: ['pods/attach'], operations: ['CONNECT'], namespaceSelector: { matchLabels: { [ns]: 'true' } } }),
    hook('deny-unwanted-configmap-data.k8s.io', { path: '/configmaps', resources: ['configmaps'], namespaceSelector: { matchLabels: { [ns]: 'true' } } }),
  ]);
  await untilDenied(ns, disallowed('marker'));
  await client.pods(ns).create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'to-be-attached-pod' }, spec: { containers: [{ name: 'container1', image: 'registry.k8s.io/pause:3.10' }] } } as KubeObject);
  const r = await env.ts.kubectl(['attach', `--namespace=${ns}`, 'to-be-attached-pod', '-i', '-c=container1']);
  assert.notEqual(r.code, 0, `kubectl attach should be denied by the webhook: ${r.stdout}`);
  assert.match(r.stderr, /attaching to pod 'to-be-attached-pod' is not allowed/);
  const review = (hooks.received.get('/pods/attach') ?? []).find((q) => q.namespace === ns);
  assert.deepEqual(review && { kind: review.kind, resource: review.resource, subResource: review.subResource, operation: review.operation, object: review.object }, {
    kind: { group: '', version: 'v1', kind: 'PodAttachOptions' }, resource: { group: '', version: 'v1', resource: 'pods' }, subResource: 'attach', operation: 'CONNECT',
    object: { kind: 'PodAttachOptions', apiVersion: 'v1', stdin: true, stdout: true, stderr: true, container: 'container1' },
  });
  await unregister('Validating', `${ns}-attach`);
});

// Not an upstream test: the same CONNECT admission for pods/exec, whose review carries PodExecOptions
// (the command, the stdio flags kubectl asks for, the container), refused before the pod's node is asked.
test('a validating webhook on CONNECT pods/exec refuses kubectl exec with PodExecOptions in its review', async () => {
  const ns = await uniqueNamespace();
  await register('Validating', `${ns}-exec`, [
    hook('deny-exec.k8s.io', { path: '/always-deny', resources: ['pods/exec'], operations: ['CONNECT'], namespaceSelector: { matchLabels: { [ns]: 'true' } } }),
    hook('deny-unwanted-configmap-data.k8s.io', { path: '/configmaps', resources: ['configmaps'], namespaceSelector: { matchLabels: { [ns]: 'true' } } }),
  ]);
  await untilDenied(ns, disallowed('marker'));
  await client.pods(ns).create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'to-be-execed' }, spec: { containers: [{ name: 'c1', image: 'registry.k8s.io/pause:3.10' }] } } as KubeObject);
  const r = await env.ts.kubectl(['exec', `--namespace=${ns}`, 'to-be-execed', '-c', 'c1', '--', 'echo', 'hi']);
  assert.notEqual(r.code, 0, r.stdout);
  assert.match(r.stderr, /admission webhook "deny-exec.k8s.io" denied the request: this webhook denies all requests/);
  const review = (hooks.received.get('/always-deny') ?? []).find((q) => q.namespace === ns);
  assert.deepEqual(review && { kind: review.kind.kind, name: review.name, subResource: review.subResource, operation: review.operation, object: review.object }, {
    kind: 'PodExecOptions', name: 'to-be-execed', subResource: 'exec', operation: 'CONNECT',
    object: { kind: 'PodExecOptions', apiVersion: 'v1', stdout: true, stderr: true, container: 'c1', command: ['echo', 'hi'] },
  });
  await unregister('Validating', `${ns}-exec`);
});
