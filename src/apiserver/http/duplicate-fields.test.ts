/** duplicateFields: repeated keys of a JSON body by path, as upstream's strict decoder names them. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { duplicateFields } from './duplicate-fields.js';

test('duplicateFields names each repeat by its path, through arrays and escaped keys', () => {
  assert.deepEqual(duplicateFields('{"a":1,"b":{"c":[1,{"d":"x","d":"y"}],"c":2},"a":3}'), ['b.c[1].d', 'b.c', 'a']);
  assert.deepEqual(duplicateFields('{"k\\u0065y":1,"key":2, "s": "\\"key\\":", "t": [ true , null , -1.5e3 ] }'), ['key']);
  assert.deepEqual(duplicateFields(' { "spec" : { "replicas" : 2 , "replicas" : 3 } } '), ['spec.replicas']);
});

test('duplicateFields finds nothing in bodies without repeats (same key in sibling objects is no repeat)', () => {
  assert.deepEqual(duplicateFields('{"a":{"x":1},"b":{"x":1},"c":[{"x":1},{"x":2}]}'), []);
  assert.deepEqual(duplicateFields('{"only":"one"}'), []);
  assert.deepEqual(duplicateFields('{}'), []);
});
