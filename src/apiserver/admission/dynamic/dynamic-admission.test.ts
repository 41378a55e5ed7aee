/**
 * Admission webhooks and ValidatingAdmissionPolicies through the real kubectl against an in-process
 * API server, with a webhook server on loopback reached through a selector-less Service whose
 * Endpoints name it (the way upstream's endpoint resolver reaches a webhook pod), or by URL.
 * Messages as upstream's webhook/errors and policy/validating dispatcher word them.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { eventually } from '../../../testing/eventually.js';
import { startTestServer, type TestServer } from '../../../testing/test-cluster.js';
import type { AdmissionRequest } from './admission-review.js';
import { addLabelPatch, startWebhookServer, type TestWebhookServer } from './testing/webhook-server.js';

const NS = 'wh-q1-ns';
let server: TestServer;
let hooks: TestWebhookServer;

const apply = async (yaml: string): Promise<void> => {
  const r = await server.kubectl(['apply', '-f', '-'], { input: yaml });
  assert.equal(r.code, 0, r.stderr);
};
const calls = (path: string): AdmissionRequest[] => hooks.received.get(path) ?? [];

/** A webhook configuration with one webhook (kind, names, clientConfig, rules; `extra` YAML lines of the webhook). */
const webhookConfig = (kind: 'Mutating' | 'Validating', name: string, hook: string, clientConfig: string, resources: string, extra = ''): string => `apiVersion: admissionregistration.k8s.io/v1
kind: ${kind}WebhookConfiguration
metadata: {name: ${name}}
webhooks:
- name: ${hook}
  clientConfig: ${clientConfig}
  rules: [{operations: [CREATE, UPDATE], apiGroups: [""], apiVersions: [v1], resources: [${resources}]}]
  sideEffects: None
  admissionReviewVersions: [v1]
${extra}`;
const byUrl = (path: string): string => `{url: "https://127.0.0.1:${hooks.port}${path}", caBundle: ${hooks.caBundle}}`;

before(async () => {
  hooks = await startWebhookServer({
    '/mutate': (req) => addLabelPatch(req.object, 'injected-by', 'webhook'),
    '/deny': (req) => (req.object?.metadata?.name?.startsWith('bad-')
      ? { allowed: false, status: { message: 'names starting with bad- are refused', code: 403, reason: 'Forbidden' } }
      : { allowed: true, warnings: ['checked by wh-q1 validator'] }),
    '/dry': () => ({ allowed: true }),
    '/hang': () => 'hang',
    // first.* (IfNeeded) copies label b into label a-saw-b; second.* adds b after it ran.
    '/first': (req) => (req.object?.metadata?.labels?.b ? addLabelPatch(req.object, 'a-saw-b', 'yes') : { allowed: true }),
    '/second': (req) => addLabelPatch(req.object, 'b', 'set'),
    '/bad-patch': (req) => (req.operation === 'UPDATE' ? addLabelPatch(req.object, 'not a valid label key!', 'x') : { allowed: true }),
  }, [`wh.${NS}.svc`]);
  server = await startTestServer();
  await apply(`apiVersion: v1
kind: Namespace
metadata: {name: ${NS}, labels: {webhooks: "yes"}}
---
apiVersion: v1
kind: Service
metadata: {name: wh, namespace: ${NS}}
spec: {ports: [{name: https, port: 443, targetPort: ${hooks.port}}]}
---
apiVersion: v1
kind: Endpoints
metadata: {name: wh, namespace: ${NS}}
subsets: [{addresses: [{ip: 127.0.0.1}], ports: [{name: https, port: ${hooks.port}}]}]
`);
});

after(async () => {
  await server.kubectl(['delete', 'mutatingwebhookconfigurations,validatingwebhookconfigurations,validatingadmissionpolicies,validatingadmissionpolicybindings', '--all']);
  await server.stop();
  await hooks.close();
});

test('a mutating webhook reached through a Service injects a label; it sees AdmissionReview v1 fields', async () => {
  await apply(webhookConfig('Mutating', 'wh-q1-mutate', 'inject.wh-q1.example.com', `{service: {namespace: ${NS}, name: wh, path: /mutate}, caBundle: ${hooks.caBundle}}`, 'configmaps',
    '  namespaceSelector: {matchLabels: {webhooks: "yes"}}\n'));
  const r = await server.kubectl(['-n', NS, 'create', 'configmap', 'cm-mutated', '--from-literal=a=b']);
  assert.equal(r.code, 0, r.stderr);
  const labels = JSON.parse((await server.kubectl(['-n', NS, 'get', 'configmap', 'cm-mutated', '-o', 'jsonpath={.metadata.labels}'])).stdout) as Record<string, string>;
  assert.deepEqual(labels, { 'injected-by': 'webhook' });
  const req = calls('/mutate').find((c) => c.name === 'cm-mutated')!;
  assert.equal(req.operation, 'CREATE');
  assert.deepEqual(req.kind, { group: '', version: 'v1', kind: 'ConfigMap' });
  assert.deepEqual(req.resource, { group: '', version: 'v1', resource: 'configmaps' });
  assert.equal(req.namespace, NS);
  assert.equal(req.userInfo.username.length > 0, true);
  assert.equal(req.dryRun, false);
  assert.equal(req.options?.kind, 'CreateOptions');
  assert.equal(req.oldObject, null);
  // The namespaceSelector keeps the webhook out of a namespace without the label.
  const before = calls('/mutate').length;
  assert.equal((await server.kubectl(['-n', 'default', 'create', 'configmap', 'cm-unlabelled-ns'])).code, 0);
  assert.equal(calls('/mutate').length, before);
  await server.kubectl(['delete', 'mutatingwebhookconfiguration', 'wh-q1-mutate']);
});

test('a validating webhook refuses with upstream\'s message and passes its warnings to kubectl, kubectl drain its refusal of an eviction', async () => {
  await apply(webhookConfig('Validating', 'wh-q1-validate', 'deny.wh-q1.example.com', byUrl('/deny'), 'configmaps, pods/eviction',
    '  objectSelector: {matchExpressions: [{key: skip-validation, operator: DoesNotExist}]}\n'
    + '  matchConditions: [{name: not-kube-system, expression: "request.namespace != \'kube-system\'"}]\n'));
  const bad = await server.kubectl(['-n', NS, 'create', 'configmap', 'bad-one']);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /admission webhook "deny\.wh-q1\.example\.com" denied the request: names starting with bad- are refused/);
  assert.equal((await server.kubectl(['-n', NS, 'get', 'configmap', 'bad-one'])).code, 1, 'nothing was written');

  const ok = await server.kubectl(['-n', NS, 'create', 'configmap', 'good-one']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stderr, /Warning: checked by wh-q1 validator/);

  // objectSelector: a labelled object is not sent; matchConditions: kube-system is not sent.
  const n = calls('/deny').length;
  await apply(`apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bad-but-skipped, namespace: ${NS}, labels: {skip-validation: "yes"}}\n`);
  assert.equal((await server.kubectl(['-n', 'kube-system', 'create', 'configmap', 'bad-in-kube-system'])).code, 0);
  assert.equal(calls('/deny').length, n);
  // pods/eviction is a CREATE of the Eviction, named as the pod: drain stops at the refusal.
  await apply(`apiVersion: v1\nkind: Node\nmetadata: {name: wh-q1-node}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: bad-evictee, namespace: ${NS}}\nspec: {nodeName: wh-q1-node, containers: [{name: c, image: x}]}\n`);
  const drain = await server.kubectl(['drain', 'wh-q1-node', '--force', '--timeout=10s']);
  assert.equal(drain.code, 1, drain.stderr);
  assert.match(drain.stderr, new RegExp(`error when evicting pods/"bad-evictee" -n "${NS}": admission webhook "deny\\.wh-q1\\.example\\.com" denied the request: names starting with bad- are refused`));
  await server.kubectl(['delete', 'validatingwebhookconfiguration', 'wh-q1-validate']);
});

test('failurePolicy with the webhook down: Ignore lets the write through, Fail refuses it (500)', async () => {
  const down = (policy: string, name: string): string => webhookConfig('Validating', name, 'down.wh-q1.example.com',
    `{service: {namespace: ${NS}, name: nowhere, port: 443}, caBundle: ${hooks.caBundle}}`, 'secrets', `  failurePolicy: ${policy}\n  timeoutSeconds: 2\n`);
  await apply(down('Ignore', 'wh-q1-down'));
  const ignored = await server.kubectl(['-n', NS, 'create', 'secret', 'generic', 's-ignored']);
  assert.equal(ignored.code, 0, ignored.stderr);
  await apply(down('Fail', 'wh-q1-down'));
  const failed = await server.kubectl(['-n', NS, 'create', 'secret', 'generic', 's-failed']);
  assert.notEqual(failed.code, 0);
  assert.match(failed.stderr, /Internal error occurred: failed calling webhook "down\.wh-q1\.example\.com": .*service "nowhere" not found/);
  // A Service without endpoints fails the same way.
  await apply(`apiVersion: v1\nkind: Service\nmetadata: {name: nowhere, namespace: ${NS}}\nspec: {ports: [{port: 443}]}\n`);
  const noEndpoints = await server.kubectl(['-n', NS, 'create', 'secret', 'generic', 's-failed']);
  assert.match(noEndpoints.stderr, /failed calling webhook "down\.wh-q1\.example\.com": .*service "nowhere" has no endpoints/);
  // A webhook that does not answer within timeoutSeconds fails the call (context deadline exceeded).
  await apply(webhookConfig('Validating', 'wh-q1-down', 'down.wh-q1.example.com', byUrl('/hang'), 'secrets', '  timeoutSeconds: 1\n'));
  const hung = await server.kubectl(['-n', NS, 'create', 'secret', 'generic', 's-hung']);
  assert.match(hung.stderr, /failed calling webhook "down\.wh-q1\.example\.com": failed to call webhook: Post "https:\/\/127\.0\.0\.1:\d+\/hang\?timeout=1s": context deadline exceeded/);
  await server.kubectl(['delete', 'validatingwebhookconfiguration', 'wh-q1-down']);
});

test('a dry run calls webhooks with dryRun true and persists nothing', async () => {
  await apply(webhookConfig('Validating', 'wh-q1-dry', 'dry.wh-q1.example.com', byUrl('/dry'), 'configmaps').replace('sideEffects: None', 'sideEffects: NoneOnDryRun'));
  const r = await server.kubectl(['-n', NS, 'create', 'configmap', 'cm-dry', '--dry-run=server']);
  assert.equal(r.code, 0, r.stderr);
  const req = calls('/dry').find((c) => c.name === 'cm-dry');
  assert.equal(req?.dryRun, true);
  assert.deepEqual((req?.options as { dryRun?: string[] } | null)?.dryRun, ['All']);
  assert.equal((await server.kubectl(['-n', NS, 'get', 'configmap', 'cm-dry'])).code, 1);
  // sideEffects outside v1's None/NoneOnDryRun is refused at validation.
  const some = await server.kubectl(['apply', '-f', '-'], { input: `apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingWebhookConfiguration\nmetadata: {name: wh-q1-some}
webhooks: [{name: some.wh-q1.example.com, clientConfig: {url: "https://127.0.0.1:${hooks.port}/dry"}, sideEffects: Some, admissionReviewVersions: [v1]}]\n` });
  assert.match(some.stderr, /webhooks\[0\]\.sideEffects: Unsupported value: "Some": supported values: "None", "NoneOnDryRun"/);
  await server.kubectl(['delete', 'validatingwebhookconfiguration', 'wh-q1-dry']);
});

/** The replica-limit policy's binding in namespace NS's ConfigMap params, with one validation action. */
const replicasBinding = (action: 'Deny' | 'Warn'): string => `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: wh-q1-replicas-binding}
spec:
  policyName: wh-q1-replicas
  validationActions: [${action}]
  paramRef: {name: replica-limit, namespace: ${NS}}
`;

test('a ValidatingAdmissionPolicy refuses in CEL (Deny), warns (Warn), with params and variables', async () => {
  await apply(`apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: wh-q1-replicas}
spec:
  failurePolicy: Fail
  paramKind: {apiVersion: v1, kind: ConfigMap}
  matchConstraints:
    resourceRules: [{apiGroups: [apps], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [deployments]}]
  variables: [{name: limit, expression: "int(params.data.max)"}]
  validations:
  - expression: "object.spec.replicas <= variables.limit"
    messageExpression: "'replicas must be no greater than ' + string(variables.limit)"
    reason: Forbidden
---
apiVersion: v1
kind: ConfigMap
metadata: {name: replica-limit, namespace: ${NS}}
data: {max: "3"}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: wh-q1-replicas-binding}
spec:
  policyName: wh-q1-replicas
  validationActions: [Deny]
  paramRef: {name: replica-limit, namespace: ${NS}}
  matchResources: {namespaceSelector: {matchLabels: {webhooks: "yes"}}}
`);
  const r = await server.kubectl(['-n', NS, 'create', 'deployment', 'too-many', '--image=nginx', '--replicas=5']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /ValidatingAdmissionPolicy 'wh-q1-replicas' with binding 'wh-q1-replicas-binding' denied request: replicas must be no greater than 3/);
  assert.equal((await server.kubectl(['-n', NS, 'create', 'deployment', 'few', '--image=nginx', '--replicas=2'])).code, 0);
  // Another namespace is outside the binding's matchResources.
  assert.equal((await server.kubectl(['-n', 'default', 'create', 'deployment', 'many-elsewhere', '--image=nginx', '--replicas=5'])).code, 0);

  // Warn: the write goes through with kubectl's "Warning:" line.
  await apply(replicasBinding('Warn'));
  const warned = await server.kubectl(['-n', NS, 'create', 'deployment', 'warned', '--image=nginx', '--replicas=5']);
  assert.equal(warned.code, 0, warned.stderr);
  assert.match(warned.stderr, /Warning: Validation failed for ValidatingAdmissionPolicy 'wh-q1-replicas' with binding 'wh-q1-replicas-binding': replicas must be no greater than 3/);

  // Missing params with failurePolicy Fail refuse (parameterNotFoundAction defaults to Deny).
  await server.kubectl(['-n', NS, 'delete', 'configmap', 'replica-limit']);
  await apply(replicasBinding('Deny'));
  const noParams = await server.kubectl(['-n', NS, 'create', 'deployment', 'no-params', '--image=nginx']);
  assert.match(noParams.stderr, /no params found for policy binding with `Deny` parameterNotFoundAction/);
  const get = await server.kubectl(['get', 'validatingadmissionpolicies']);
  assert.match(get.stdout, /NAME\s+VALIDATIONS\s+PARAMKIND\s+AGE\nwh-q1-replicas\s+1\s+v1\/ConfigMap/);
});

test('reinvocation IfNeeded: a webhook runs again when a later one changed the object; a patch on UPDATE is validated again', async () => {
  const yaml = webhookConfig('Mutating', 'wh-q1-reinvoke', 'first.wh-q1.example.com', byUrl('/first'), 'serviceaccounts', '  reinvocationPolicy: IfNeeded\n')
    + `- name: second.wh-q1.example.com
  clientConfig: ${byUrl('/second')}
  rules: [{operations: [CREATE], apiGroups: [""], apiVersions: [v1], resources: [serviceaccounts]}]
  sideEffects: None
  admissionReviewVersions: [v1]
`;
  await apply(yaml);
  assert.equal((await server.kubectl(['-n', NS, 'create', 'serviceaccount', 'sa-reinvoked'])).code, 0);
  const labels = JSON.parse((await server.kubectl(['-n', NS, 'get', 'serviceaccount', 'sa-reinvoked', '-o', 'jsonpath={.metadata.labels}'])).stdout) as Record<string, string>;
  assert.deepEqual(labels, { b: 'set', 'a-saw-b': 'yes' });
  assert.equal(calls('/first').filter((c) => c.name === 'sa-reinvoked').length, 2);
  await server.kubectl(['delete', 'mutatingwebhookconfiguration', 'wh-q1-reinvoke']);

  await apply(webhookConfig('Mutating', 'wh-q1-bad-patch', 'badpatch.wh-q1.example.com', byUrl('/bad-patch'), 'serviceaccounts'));
  const r = await server.kubectl(['-n', NS, 'label', 'serviceaccount', 'sa-reinvoked', 'c=d']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /metadata\.labels: Invalid value: "not a valid label key!"/);
  const req = calls('/bad-patch').find((c) => c.operation === 'UPDATE')!;
  assert.equal(req.oldObject?.metadata?.labels?.c, undefined);
  assert.equal(req.object?.metadata?.labels?.c, 'd');
  await server.kubectl(['delete', 'mutatingwebhookconfiguration', 'wh-q1-bad-patch']);
});

test('a ValidatingAdmissionPolicy applies to custom resources too', async () => {
  await apply(`apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.whq1.example.com}
spec:
  group: whq1.example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget}
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, properties: {spec: {type: object, properties: {size: {type: integer}}}}}}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: wh-q1-widget-size}
spec:
  matchConstraints:
    resourceRules: [{apiGroups: [whq1.example.com], apiVersions: ["*"], operations: [CREATE, UPDATE], resources: [widgets]}]
  validations: [{expression: "object.spec.size < 10", message: "widgets are small"}]
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: wh-q1-widget-size}
spec: {policyName: wh-q1-widget-size, validationActions: [Deny]}
`);
  const widget = (name: string, size: number): string => `apiVersion: whq1.example.com/v1\nkind: Widget\nmetadata: {name: ${name}, namespace: ${NS}}\nspec: {size: ${size}}\n`;
  // The CRD is served a moment after it is stored.
  const r = await eventually(async () => {
    const res = await server.kubectl(['create', '-f', '-'], { input: widget('big', 12) });
    return !/the server could not find the requested resource|no matches for kind/.test(res.stderr) && res;
  }, 'the Widget kind served');
  assert.match(r.stderr, /ValidatingAdmissionPolicy 'wh-q1-widget-size' with binding 'wh-q1-widget-size' denied request: widgets are small/);
  assert.equal((await server.kubectl(['create', '-f', '-'], { input: widget('small', 2) })).code, 0);
  await server.kubectl(['delete', 'crd', 'widgets.whq1.example.com']);
});

test('kubectl scale is admitted as replicationcontrollers/scale with Scale objects, a finalize PUT as namespaces/finalize', async () => {
  await apply(webhookConfig('Validating', 'wh-q1-subresources', 'sub.wh-q1.example.com', byUrl('/dry'), 'replicationcontrollers/scale, namespaces/finalize')
    + `---\napiVersion: v1\nkind: ReplicationController\nmetadata: {name: rc1, namespace: ${NS}}\nspec: {replicas: 0, selector: {app: rc1}, template: {metadata: {labels: {app: rc1}}, spec: {containers: [{name: c, image: x}]}}}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: wh-q1-fin}\n`);
  assert.equal((await server.kubectl(['-n', NS, 'scale', 'rc/rc1', '--replicas=2'])).code, 0);
  // As the namespace controller does: a terminating namespace's empty finalizers let it go.
  assert.equal((await server.kubectl(['delete', 'namespace', 'wh-q1-fin', '--wait=false'])).code, 0);
  const finalized = '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"wh-q1-fin"},"spec":{"finalizers":[]}}';
  assert.equal((await server.kubectl(['replace', '--raw', '/api/v1/namespaces/wh-q1-fin/finalize', '-f', '-'], { input: finalized })).code, 0);
  const [scale, finalize] = calls('/dry').filter((c) => c.subResource);
  assert.deepEqual([scale.kind, scale.resource.resource, scale.subResource, scale.object?.kind, scale.object?.spec, scale.oldObject?.spec, scale.object?.status], [
    { group: 'autoscaling', version: 'v1', kind: 'Scale' }, 'replicationcontrollers', 'scale', 'Scale', { replicas: 2 }, { replicas: 0 }, { replicas: 0, selector: 'app=rc1' },
  ]);
  assert.deepEqual([finalize.kind.kind, finalize.subResource, finalize.name, finalize.object?.spec], ['Namespace', 'finalize', 'wh-q1-fin', { finalizers: [] }]);
  assert.equal((await server.kubectl(['get', 'namespace', 'wh-q1-fin'])).code, 1, 'finalized');
  await server.kubectl(['delete', 'validatingwebhookconfiguration', 'wh-q1-subresources']);
});
