/**
 * Upstream's admission conformance tests that need no webhook server
 * (test/e2e/apimachinery/validatingadmissionpolicy.go and webhook.go): ValidatingAdmissionPolicies
 * denying Deployments by CEL (with messageExpression, namespaceObject and variables), webhook
 * configurations with matchConditions stored and updated, invalid matchConditions refused, and a
 * fail-closed webhook that cannot be called rejecting every operation it matches.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../api/meta.js';
import { StatusError } from '../api/status.js';
import type { KubeClient } from '../client/kube-client.js';
import { resources, type ResourceRef } from '../client/resource-ref.js';
import { startClientEnv, type ClientEnv } from '../testing/controller-env.js';
import { eventually } from '../testing/eventually.js';

let env: ClientEnv;
let client: KubeClient;
let seq = 0;

before(async () => {
  env = await startClientEnv();
  client = env.client;
});
after(() => env.stop());

/** A namespace labelled as upstream's framework labels its unique one, for namespaceSelector matching. */
async function uniqueNamespace(): Promise<string> {
  const ns = `cf-admission-${++seq}`;
  await client.namespaces().create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { [ns]: 'true' } } });
  return ns;
}

const deployment = (name: string, replicas: number): KubeObject => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name },
  spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
} as KubeObject);

/** The create's refusal message, or undefined when it was allowed (the object is then deleted again). */
async function createDeployment(ns: string, name: string, replicas: number): Promise<string | undefined> {
  try {
    await client.deployments(ns).create(deployment(name, replicas));
    await client.deployments(ns).delete(name);
    return undefined;
  } catch (e) {
    // A policy's denial without a reason is 422 Invalid (upstream's default Validation.reason).
    if (e instanceof StatusError && e.status.code === 422) return e.message;
    throw e;
  }
}

async function policyWithBinding(ns: string, name: string, spec: object): Promise<void> {
  await client.resource(resources.validatingadmissionpolicies).create({
    apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata: { name },
    spec: {
      matchConstraints: {
        namespaceSelector: { matchLabels: { [ns]: 'true' } },
        resourceRules: [{ apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['deployments'] }],
      },
      ...spec,
    },
  } as KubeObject);
  await client.resource(resources.validatingadmissionpolicybindings).create({
    apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding', metadata: { name: `${name}-binding` },
    spec: { policyName: name, validationActions: ['Deny'] },
  } as KubeObject);
}

test('[sig-api-machinery] ValidatingAdmissionPolicy [Privileged:ClusterAdmin] should validate against a Deployment [Conformance]', async () => {
  const ns = await uniqueNamespace();
  await policyWithBinding(ns, `${ns}.policy.example.com`, {
    validations: [
      { expression: 'object.spec.replicas > 1', messageExpression: "'wants replicas > 1, got ' + string(object.spec.replicas)" },
      { expression: `namespaceObject.metadata.name == '${ns}'`, message: 'Internal error! Other namespace should not be allowed.' },
    ],
  });
  // Policies take effect through the server's watch of them: wait until a non-replicated marker is denied.
  await eventually(async () => await createDeployment(ns, 'marker', 1), 'the policy to be in effect');
  assert.equal(await createDeployment(ns, 'replicated', 2), undefined, 'a replicated Deployment is allowed');
  const denied = await createDeployment(ns, 'non-replicated', 1);
  assert.ok(denied?.includes('wants replicas > 1, got 1'), denied);
});

test('[sig-api-machinery] ValidatingAdmissionPolicy [Privileged:ClusterAdmin] should allow expressions to refer variables. [Conformance]', async () => {
  const ns = await uniqueNamespace();
  await policyWithBinding(ns, `${ns}.policy.example.com`, {
    variables: [{ name: 'replicas', expression: 'object.spec.replicas' }, { name: 'oddReplicas', expression: 'variables.replicas % 2 == 1' }],
    validations: [{ expression: 'variables.replicas > 1' }, { expression: 'variables.oddReplicas' }],
  });
  await eventually(async () => await createDeployment(ns, 'marker', 1), 'the policy to be in effect');
  assert.equal(await createDeployment(ns, 'odd-replicated', 3), undefined, 'an odd-replicated Deployment is allowed');
  assert.ok((await createDeployment(ns, 'single', 1))?.includes('failed expression: variables.replicas > 1'));
  assert.ok((await createDeployment(ns, 'even-replicated', 2))?.includes('failed expression: variables.oddReplicas'));
});

const webhook = (name: string, matchConditions: object[]) => ({
  name, admissionReviewVersions: ['v1'], sideEffects: 'None', failurePolicy: 'Ignore',
  clientConfig: { url: 'https://127.0.0.1:1/always-unreachable' },
  rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] }],
  matchConditions,
});

for (const [kind, plural] of [['Mutating', 'mutatingwebhookconfigurations'], ['Validating', 'validatingwebhookconfigurations']] as const) {
  const ref: ResourceRef = resources[plural];
  test(`[sig-api-machinery] AdmissionWebhook [Privileged:ClusterAdmin] should be able to create and update ${kind.toLowerCase()} webhook configurations with match conditions [Conformance]`, async () => {
    const name = `cf-${kind.toLowerCase()}-match-conditions`;
    const first = [{ name: 'exclude-leases', expression: "!(request.resource.group == 'coordination.k8s.io' && request.resource.resource == 'leases')" }];
    await client.resource(ref).create({ apiVersion: 'admissionregistration.k8s.io/v1', kind: `${kind}WebhookConfiguration`, metadata: { name }, webhooks: [webhook(`${kind.toLowerCase()}.example.com`, first)] } as KubeObject);
    const got = await client.resource<KubeObject & { webhooks: { matchConditions: object[] }[] }>(ref).get(name);
    assert.deepEqual(got.webhooks[0]!.matchConditions, first);
    const second = [{ name: 'exclude-leases-and-kube-system', expression: "!(request.resource.group == 'coordination.k8s.io' && request.resource.resource == 'leases') && request.namespace != 'kube-system'" }];
    got.webhooks[0]!.matchConditions = second;
    await client.resource(ref).update(got);
    assert.deepEqual((await client.resource<KubeObject & { webhooks: { matchConditions: object[] }[] }>(ref).get(name)).webhooks[0]!.matchConditions, second);
    await client.resource(ref).delete(name);
  });

  test(`[sig-api-machinery] AdmissionWebhook [Privileged:ClusterAdmin] should reject ${kind.toLowerCase()} webhook configurations with invalid match conditions [Conformance]`, async () => {
    const invalid = [{ name: 'invalid-expression-1', expression: '... [] bad expression' }];
    const err = await client.resource(ref).create({
      apiVersion: 'admissionregistration.k8s.io/v1', kind: `${kind}WebhookConfiguration`, metadata: { name: `cf-${kind.toLowerCase()}-invalid` },
      webhooks: [webhook(`${kind.toLowerCase()}.example.com`, invalid)],
    } as KubeObject).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof StatusError && err.status.code === 422, String(err));
    assert.ok(err.message.includes('compilation failed'), err.message);
  });
}

test('[sig-api-machinery] AdmissionWebhook [Privileged:ClusterAdmin] should unconditionally reject operations on fail closed webhook [Conformance]', async () => {
  const ns = await uniqueNamespace();
  const name = `${ns}-fail-closed`;
  // A webhook that cannot be called (no service answers, no CA bundle) with failurePolicy Fail.
  await client.resource(resources.validatingwebhookconfigurations).create({
    apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: { name },
    webhooks: [{
      name: 'fail-closed.k8s.io', admissionReviewVersions: ['v1', 'v1beta1'], sideEffects: 'None', failurePolicy: 'Fail',
      clientConfig: { service: { namespace: 'default', name: 'e2e-test-webhook', path: '/configmaps' } },
      rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['configmaps'] }],
      namespaceSelector: { matchLabels: { [ns]: 'true' } },
    }],
  } as KubeObject);
  const err = await eventually(() => client.configMaps(ns).create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'foo' } }).then(() => client.configMaps(ns).delete('foo').then(() => false), (e: unknown) => e), 'the fail-closed webhook to reject');
  assert.ok(err instanceof StatusError, String(err));
  assert.match(err.message, /failed calling webhook "fail-closed.k8s.io"/);
  await client.resource(resources.validatingwebhookconfigurations).delete(name);
});
