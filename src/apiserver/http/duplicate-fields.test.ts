/** duplicateFields: repeated keys of a JSON body by path, as upstream's strict decoder names them. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { duplicateFields, mayRepeatKeys } from './duplicate-fields.js';

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

test('mayRepeatKeys: false only when the text surely repeats no key; the scan decides every other body', () => {
  const check = (text: string) => mayRepeatKeys(text, JSON.parse(text));
  assert.equal(check('{"a":{"x":1},"b":[{"x":1},{"y":2}]}'), false, 'one "key": per key');
  assert.equal(check('{"spec":{"replicas":2,"replicas":3}}'), true, 'a repeat: more marks than keys');
  assert.equal(check('{"note":"say \\"hi\\": there"}'), true, 'a string holding a mark: the scan decides');
  assert.equal(check('{"a" : 1, "b"\n:2}'), false, 'keys spaced before their colon are counted');
  assert.equal(check('{"a":1,"a":2,"b" :3}'), true, 'a repeat beside a spaced key');
  for (const text of ['{"a":1,"a":2}', '{"x":[{"k":1,"k":1}]}', '{"a":{"b":1},"a":{"b":1}}']) {
    assert.ok(check(text) && duplicateFields(text).length > 0, `${text}: every repeat goes to the scan`);
  }
});
