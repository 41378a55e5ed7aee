/**
 * ValidatingAdmissionPolicy configuration errors, as upstream's validating dispatcher
 * (addConfigError) and CollectParams: a paramKind that is not served, or a binding whose params are
 * not found under parameterNotFoundAction Deny, refuses under failurePolicy Fail whatever the
 * binding's validationActions (Warn and Audit included), 422 `failed to configure policy|binding`;
 * under Ignore it is skipped; a binding without paramRef runs with null params. runPolicies over a
 * memory store, no server.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configMaps } from '../../../api/kinds/core/config-map.js';
import type { ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding } from '../../../api/kinds/admissionregistration/validating-admission-policy.js';
import type { KubeObject } from '../../../api/meta.js';
import { StatusError } from '../../../api/status.js';
import { MemoryStore } from '../../../store/memory.js';
import { objectKey } from '../../storage/keys.js';
import type { AdmissionAttributes, RequestContext } from '../../storage/types.js';
import { admissionRequest } from './admission-review.js';
import { runPolicies } from './policy.js';

const store = new MemoryStore();
const deps = { store, kindDef: (apiVersion: string, kind: string) => (apiVersion === 'v1' && kind === 'ConfigMap' ? configMaps : undefined) };

const policy = (name: string, paramKind: { apiVersion: string; kind: string } | undefined, failurePolicy = 'Fail'): ValidatingAdmissionPolicy => ({
  apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata: { name },
  spec: {
    failurePolicy, ...(paramKind ? { paramKind } : {}),
    matchConstraints: { resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['configmaps'] }] },
    // Fails when there is a param: what a run with params would report through the actions.
    validations: [{ expression: 'params == null', message: 'ran with a param' }],
  },
} as ValidatingAdmissionPolicy);
const binding = (name: string, policyName: string, validationActions: string[], paramRef?: object): ValidatingAdmissionPolicyBinding => ({
  apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding', metadata: { name },
  spec: { policyName, validationActions, ...(paramRef ? { paramRef } : {}) },
} as ValidatingAdmissionPolicyBinding);

/** Runs the policies on a ConfigMap create in namespace ns1; the refusal (or undefined), the warnings and audit annotations. */
async function run(policies: ValidatingAdmissionPolicy[], bindings: ValidatingAdmissionPolicyBinding[]) {
  const ctx: RequestContext = { user: 'u', groups: [], dryRun: false, fieldValidation: 'Ignore', warnings: [], auditAnnotations: new Map() };
  const object = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'ns1' } } as KubeObject;
  const attrs: AdmissionAttributes = { operation: 'CREATE', namespace: 'ns1', name: 'cm', object };
  const r = { def: configMaps, attrs, namespaceLabels: () => Promise.resolve({}) };
  let refused: StatusError | undefined;
  try {
    await runPolicies(deps, new Map(policies.map((p) => [p.metadata.name ?? '', p])), bindings, r, admissionRequest(configMaps, attrs, ctx), ctx);
  } catch (err) {
    if (!(err instanceof StatusError)) throw err;
    refused = err;
  }
  return { refused: refused && { code: refused.status.code, reason: refused.status.reason, message: refused.status.message }, warnings: ctx.warnings, audit: Object.fromEntries(ctx.auditAnnotations!) };
}

test('params not found under parameterNotFoundAction Deny refuse under Fail whatever the actions; under Ignore nothing', async () => {
  const ref = { name: 'absent', namespace: 'ns1', parameterNotFoundAction: 'Deny' };
  for (const actions of [['Warn'], ['Audit'], ['Deny']]) {
    assert.deepEqual(await run([policy('p', { apiVersion: 'v1', kind: 'ConfigMap' })], [binding('b', 'p', actions, ref)]), {
      refused: { code: 422, reason: 'Invalid', message: "ValidatingAdmissionPolicy 'p' with binding 'b' denied request: failed to configure binding: no params found for policy binding with `Deny` parameterNotFoundAction" },
      warnings: [], audit: {},
    }, actions.join());
  }
  assert.deepEqual(await run([policy('p', { apiVersion: 'v1', kind: 'ConfigMap' }, 'Ignore')], [binding('b', 'p', ['Warn'], ref)]), { refused: undefined, warnings: [], audit: {} });
  // Allow: no params, nothing to run.
  assert.deepEqual(await run([policy('p', { apiVersion: 'v1', kind: 'ConfigMap' })], [binding('b', 'p', ['Deny'], { ...ref, parameterNotFoundAction: 'Allow' })]), { refused: undefined, warnings: [], audit: {} });
});

test("a paramKind that is not served is the policy's configuration error, named without a binding", async () => {
  const p = policy('p', { apiVersion: 'example.com/v1', kind: 'Missing' });
  const refused = { code: 422, reason: 'Invalid', message: "ValidatingAdmissionPolicy 'p' denied request: failed to configure policy: failed to find resource referenced by paramKind: 'example.com/v1, Kind=Missing'" };
  assert.deepEqual(await run([p], [binding('b', 'p', ['Warn'], { name: 'x', parameterNotFoundAction: 'Deny' })]), { refused, warnings: [], audit: {} });
  const core = await run([policy('p', { apiVersion: 'v1', kind: 'Missing' })], [binding('b', 'p', ['Audit'])]);
  assert.equal(core.refused?.message, "ValidatingAdmissionPolicy 'p' denied request: failed to configure policy: failed to find resource referenced by paramKind: '/v1, Kind=Missing'");
});

test('a binding without paramRef runs its policy with null params; a found param runs through the actions', async () => {
  assert.deepEqual(await run([policy('p', { apiVersion: 'v1', kind: 'ConfigMap' })], [binding('b', 'p', ['Deny'])]), { refused: undefined, warnings: [], audit: {} });
  await store.create(objectKey(configMaps, 'ns1', 'limits'), JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'limits', namespace: 'ns1' } }));
  const warned = await run([policy('p', { apiVersion: 'v1', kind: 'ConfigMap' })], [binding('b', 'p', ['Warn'], { name: 'limits', parameterNotFoundAction: 'Deny' })]);
  assert.deepEqual(warned, { refused: undefined, warnings: ["Validation failed for ValidatingAdmissionPolicy 'p' with binding 'b': ran with a param"], audit: {} });
});
