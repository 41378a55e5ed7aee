/**
 * A ValidatingAdmissionPolicy's auditAnnotations as upstream's validator and dispatcher treat them:
 * strings trimmed, empty and null left out, several bindings' distinct values joined, a value cut at
 * 10 KiB, anything else (or an error) the policy's error; published as `<policy>/<key>`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RequestContext } from '../../storage/types.js';
import { PolicyAuditAnnotations } from './policy-audit.js';

const context = (): RequestContext => ({ user: 'u', groups: [], dryRun: false, fieldValidation: 'Ignore', warnings: [], auditAnnotations: new Map() });

test('values per key across bindings, trimmed, deduplicated, joined; null and empty left out', () => {
  const c = new PolicyAuditAnnotations();
  const annotations = [{ key: 'who', valueExpression: 'params.who' }, { key: 'none', valueExpression: 'null' }, { key: 'blank', valueExpression: "'  '" }];
  for (const who of [' a ', 'b', 'a']) assert.deepEqual(c.evaluate(annotations, { params: { who } }), []);
  const ctx = context();
  c.publish(ctx, 'pol');
  assert.deepEqual([...ctx.auditAnnotations!], [['pol/who', 'a, b']]);
});

test('a value over 10 KiB is cut; a non-string result or a failed expression is an error, as upstream words it', () => {
  const c = new PolicyAuditAnnotations();
  assert.deepEqual(c.evaluate([{ key: 'long', valueExpression: 'params.long' }, { key: 'n', valueExpression: '1' }, { key: 'm', valueExpression: "{'a': 1}" }, { key: 'e', valueExpression: 'object.missing' }], { object: {}, params: { long: 'x'.repeat(20_000) } }).map((e) => e.replace(/: no such key.*/, '')), [
    "valueExpression '1' resulted in unsupported return type: int. Return type must be either string or null.",
    "valueExpression '{'a': 1}' resulted in unsupported return type: map. Return type must be either string or null.",
    "expression 'object.missing' resulted in error",
  ]);
  const ctx = context();
  c.publish(ctx, 'pol');
  assert.equal(ctx.auditAnnotations!.get('pol/long')?.length, 10 * 1024);
});
