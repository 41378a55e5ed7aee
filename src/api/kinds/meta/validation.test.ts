/**
 * Label and annotation values that are not strings (what a JSON patch `replace` with null leaves)
 * are refused with a type error naming the key; the fuzz test found them crashing validation.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateAnnotations, validateLabels } from './validation.js';

test('labels: null or numeric values are a type error on that key, valid ones pass', () => {
  const bad = { a: null, b: 3 } as unknown as Record<string, string>;
  assert.deepEqual(validateLabels(bad, 'metadata.labels').map((e) => [e.type, e.field]), [
    ['FieldValueTypeInvalid', 'metadata.labels.a'],
    ['FieldValueTypeInvalid', 'metadata.labels.b'],
  ]);
  assert.deepEqual(validateLabels({ app: 'web', empty: '' }, 'metadata.labels'), []);
});

test('annotations: a null value is a type error and is not counted towards the size limit', () => {
  const bad = { note: null } as unknown as Record<string, string>;
  assert.deepEqual(validateAnnotations(bad, 'metadata.annotations').map((e) => [e.type, e.field]), [['FieldValueTypeInvalid', 'metadata.annotations.note']]);
  assert.deepEqual(validateAnnotations({ note: 'x' }, 'metadata.annotations'), []);
});
