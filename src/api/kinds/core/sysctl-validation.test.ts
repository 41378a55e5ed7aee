import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validatePodSpec } from './pod-spec-validation.js';

/** spec.securityContext.sysctls as upstream's validateSysctls (pkg/apis/core/validation/validation.go). */

const REGEX = '^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\\./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$';
const errs = (sysctls: { name: string; value: string }[]) =>
  validatePodSpec({ securityContext: { sysctls }, containers: [{ name: 'c', image: 'busybox' }] }, 'spec').map((e) => `${e.field}: ${e.detail}`);

describe('sysctl names (validateSysctls)', () => {
  it('accepts dotted and slashed names, refuses the others with upstream\'s message (the conformance test\'s four)', () => {
    assert.deepEqual(errs([{ name: 'foo-', value: 'bar' }, { name: 'kernel.shmmax', value: '1' }, { name: 'safe-and-unsafe', value: '1' }, { name: 'bar..', value: '42' }]), [
      `spec.securityContext.sysctls[0].name: Invalid value: "foo-": must have at most 253 characters and match regex ${REGEX}`,
      `spec.securityContext.sysctls[3].name: Invalid value: "bar..": must have at most 253 characters and match regex ${REGEX}`,
    ]);
    assert.deepEqual(errs([{ name: 'net/ipv4/ip_local_port_range', value: '1 2' }, { name: 'kernel.shm_rmid_forced', value: '1' }]), []);
  });

  it('requires a name, refuses repeats and names over 253 characters', () => {
    assert.deepEqual(errs([{ name: '', value: '1' }, { name: 'kernel.msgmax', value: '1' }, { name: 'kernel.msgmax', value: '2' }, { name: `a${'.a'.repeat(127)}`, value: '1' }]).map((e) => e.replace(/regex .*/, 'regex')), [
      'spec.securityContext.sysctls[0].name: Required value',
      'spec.securityContext.sysctls[2].name: Duplicate value: "kernel.msgmax"',
      `spec.securityContext.sysctls[3].name: Invalid value: "a${'.a'.repeat(127)}": must have at most 253 characters and match regex`,
    ]);
  });
});
