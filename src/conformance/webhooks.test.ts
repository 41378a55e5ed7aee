/**
 * Upstream's AdmissionWebhook conformance tests (test/e2e/apimachinery/webhook.go) against a real
 * API server and an HTTPS webhook server on loopback (the shared test one), reached by URL with its
 * CA bundle: denying configmaps and pods (and updates that make them non-compliant), a namespace
 * the selector exempts, a hanging webhook failing closed, ordered mutation, timeouts with both
 * failure policies, listing and deletecollection of configurations, updating and patching
 * configurations' rules, configurations not admitted by webhooks, defaulting after a pod mutation,
 * matchConditions skipping one name, and refusing a CRD.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../api/meta.js';
import { StatusError } from '../api/status.js';
import { eventually } from '../testing/eventually.js';
import {
  client, cm, configRef, createCrd, crHook, crPath, disallowed, env, hook, hooks, mutateCustomResource, register, tryCreate, uniqueNamespace, unregister, untilDenied,
  webhookEnvForFile, type Cr,
} from './testing/webhook-env.js';

webhookEnvForFile();

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
