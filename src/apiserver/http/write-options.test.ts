/**
 * Write options as upstream validates them (apimachinery pkg/apis/meta/v1/validation
 * ValidateCreateOptions / ValidateUpdateOptions / ValidatePatchOptions): one 422 Invalid on the
 * options kind listing every problem, with upstream's wording.
 */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { parseWriteOptions } from './write-options.js';

const q = (s: string): URLSearchParams => new URLSearchParams(s);
const invalid = (message: string) => (e: any): boolean => {
  assert.equal(e.status.code, 422);
  assert.equal(e.status.reason, 'Invalid');
  assert.equal(e.status.message, message);
  assert.equal(e.status.details.group, 'meta.k8s.io');
  return true;
};

test('defaults: no dry run, Warn, the user agent program as manager', () => {
  assert.deepEqual(parseWriteOptions(q(''), 'CreateOptions', 'kubectl/v1.32.0 (linux/amd64) kubernetes/abc'),
    { dryRun: false, fieldValidation: 'Warn', fieldManager: 'kubectl', force: false });
  assert.deepEqual(parseWriteOptions(q('dryRun=All&fieldValidation=Strict&fieldManager=m'), 'UpdateOptions', undefined),
    { dryRun: true, fieldValidation: 'Strict', fieldManager: 'm', force: false });
});

test('force is read as upstream converts booleans, and only on apply', () => {
  assert.equal(parseWriteOptions(q('fieldManager=m&force=True'), 'PatchOptions', undefined, 'apply').force, true);
  assert.equal(parseWriteOptions(q('fieldManager=m&force=False'), 'PatchOptions', undefined, 'apply').force, false);
  assert.throws(() => parseWriteOptions(q('force=false'), 'PatchOptions', undefined, 'merge'),
    invalid('PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch'));
  assert.throws(() => parseWriteOptions(q('force=true'), 'PatchOptions', undefined, 'apply'),
    invalid('PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch'));
});

test('bad dryRun, fieldValidation and fieldManager are 422 on the options kind, all causes at once', () => {
  assert.throws(() => parseWriteOptions(q('dryRun=Yes'), 'CreateOptions', undefined),
    invalid('CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"Yes"}: supported values: "All"'));
  assert.throws(() => parseWriteOptions(q('dryRun='), 'CreateOptions', undefined),
    invalid('CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{""}: supported values: "All"'));
  assert.throws(() => parseWriteOptions(q('fieldValidation=strict'), 'UpdateOptions', undefined),
    invalid('UpdateOptions.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: "strict": supported values: "Ignore", "Strict", "Warn"'));
  assert.throws(() => parseWriteOptions(q(`fieldManager=${'x'.repeat(129)}&fieldValidation=x`), 'CreateOptions', undefined), (e: any) => {
    assert.equal(e.status.code, 422);
    assert.deepEqual(e.status.details.causes.map((c: any) => c.field), ['fieldManager', 'fieldValidation']);
    assert.match(e.status.message, /fieldManager: Too long: may not be more than 128 bytes/);
    return true;
  });
  assert.throws(() => parseWriteOptions(q('fieldManager=a%07b'), 'CreateOptions', undefined), (e: any) => {
    assert.match(e.status.message, /fieldManager: Invalid value: .*: invalid character U\+0007 \(at position 1\)/);
    return true;
  });
});
