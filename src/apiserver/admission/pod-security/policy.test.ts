/** Namespace labels to policy and the admission decisions, as upstream's api/helpers.go and admission.go. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PodSpec } from '../../../api/kinds/index.js';
import { decide, enforceTightened, existingPodWarnings, isSignificantPodUpdate } from './admission.js';
import { levelVersionString, policyErrorText, policyFromLabels } from './policy.js';

const L = 'pod-security.kubernetes.io/';
const privileged = { containers: [{ name: 'c', image: 'i', securityContext: { privileged: true } }] } as unknown as PodSpec;

describe('pod security: policy from labels', () => {
  it('unlabelled is privileged:latest; warn follows a stricter enforce', () => {
    assert.equal(levelVersionString(policyFromLabels(undefined).policy.enforce), 'privileged:latest');
    const { policy } = policyFromLabels({ [`${L}enforce`]: 'baseline', [`${L}enforce-version`]: 'v1.30' });
    assert.equal(levelVersionString(policy.enforce), 'baseline:v1.30');
    assert.equal(levelVersionString(policy.warn), 'baseline:v1.30');
    assert.equal(levelVersionString(policy.audit), 'privileged:latest');
  });
  it('invalid values fail closed and name the label', () => {
    const { policy, errors } = policyFromLabels({ [`${L}enforce`]: 'strict', [`${L}warn-version`]: '1.2' });
    assert.equal(policy.enforce.level, 'restricted');
    assert.deepEqual(errors.map((e) => `${e.field}: ${e.detail}`), [
      `metadata.labels[${L}enforce]: Invalid value: "strict": must be one of privileged, baseline, restricted`,
      `metadata.labels[${L}warn-version]: Invalid value: "1.2": must be "latest" or "v1.x"`,
    ]);
  });
});

describe('pod security: decisions', () => {
  it('enforce refuses without warnings; warn only warns; templates are never refused', () => {
    const enforce = policyFromLabels({ [`${L}enforce`]: 'baseline' }).policy;
    assert.deepEqual(decide(enforce, {}, privileged, true), {
      warnings: [], forbidden: 'violates PodSecurity "baseline:latest": privileged (container "c" must not set securityContext.privileged=true)',
      auditAnnotations: { 'enforce-policy': 'baseline:latest' },
    });
    const warn = policyFromLabels({ [`${L}warn`]: 'baseline' }).policy;
    assert.deepEqual(decide(warn, {}, privileged, true).warnings,
      ['would violate PodSecurity "baseline:latest": privileged (container "c" must not set securityContext.privileged=true)']);
    const d = decide(enforce, {}, privileged, false);
    assert.equal(d.forbidden, undefined);
    assert.equal(d.warnings.length, 1);
  });
  it("audit annotations as upstream's EvaluatePod: the audit level's violations, the labels' parse error (aggregated)", () => {
    const audit = policyFromLabels({ [`${L}audit`]: 'baseline' }).policy;
    assert.deepEqual(decide(audit, {}, privileged, false).auditAnnotations, {
      'audit-violations': 'would violate PodSecurity "baseline:latest": privileged (container "c" must not set securityContext.privileged=true)',
    });
    const bad = policyFromLabels({ [`${L}enforce-version`]: 'v2', [`${L}audit-version`]: '1.2' });
    const error = policyErrorText(bad.errors);
    assert.deepEqual(decide(bad.policy, {}, privileged, true, error).auditAnnotations, {
      error: `Failed to parse policy: [metadata.labels[${L}enforce-version]: Invalid value: "v2": must be "latest" or "v1.x", metadata.labels[${L}audit-version]: Invalid value: "1.2": must be "latest" or "v1.x"]`,
      'enforce-policy': 'privileged:latest',
    });
    assert.equal(policyErrorText(bad.errors.slice(0, 1)), `metadata.labels[${L}enforce-version]: Invalid value: "v2": must be "latest" or "v1.x"`);
    assert.equal(policyErrorText([]), undefined);
  });
  it('only image and container changes of a pod are re-evaluated', () => {
    const pod = { metadata: {}, spec: privileged };
    assert.equal(isSignificantPodUpdate({ metadata: { annotations: { x: 'y' } }, spec: privileged }, pod), false);
    assert.equal(isSignificantPodUpdate({ metadata: {}, spec: { containers: [{ ...privileged.containers[0]!, image: 'j' }] } as PodSpec }, pod), true);
  });
  it('tightening enforce warns about existing pods, grouped as upstream', () => {
    const b = { level: 'baseline', version: 'latest' } as const;
    assert.equal(enforceTightened(b, { level: 'privileged', version: 'latest' }), true);
    assert.equal(enforceTightened({ level: 'privileged', version: 'latest' }, b), false);
    assert.equal(enforceTightened(b, { level: 'restricted', version: 'latest' }), false);
    const pods = ['p3', 'p1', 'p2'].map((name) => ({ name, meta: {}, spec: privileged }));
    assert.deepEqual(existingPodWarnings('ns1', b, [...pods, { name: 'ok', meta: {}, spec: { containers: [] } as unknown as PodSpec }]), [
      'existing pods in namespace "ns1" violate the new PodSecurity enforce level "baseline:latest"',
      'p1 (and 2 other pods): privileged',
    ]);
  });
});
