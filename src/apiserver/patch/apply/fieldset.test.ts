/** FieldSet algebra and the FieldsV1 wire form (structured-merge-diff fieldpath/serialize). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FieldSet, pathString } from './fieldset.js';

const v1 = {
  'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
  'f:spec': {
    'f:replicas': {},
    'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:image': {}, 'f:name': {} } } } },
  },
};

test('FieldsV1 round trip keeps `.` members and leaves', () => {
  const s = FieldSet.fromFieldsV1(v1);
  assert.ok(s.has(['f:metadata', 'f:labels']));
  assert.ok(s.has(['f:metadata', 'f:labels', 'f:app']));
  assert.ok(!s.has(['f:metadata']));
  assert.ok(s.has(['f:spec', 'f:template', 'f:spec', 'f:containers', 'k:{"name":"web"}']));
  assert.deepEqual(s.toFieldsV1(), v1);
  assert.equal(JSON.stringify(s.toFieldsV1()), JSON.stringify(v1));
});

test('FieldsV1 rejects non-objects and unknown prefixes', () => {
  assert.throws(() => FieldSet.fromFieldsV1([]));
  assert.throws(() => FieldSet.fromFieldsV1({ 'x:y': {} }));
});

test('union, difference, intersection work on exact paths', () => {
  const a = FieldSet.fromPaths([['f:a'], ['f:b', 'f:c'], ['f:b', 'f:d']]);
  const b = FieldSet.fromPaths([['f:b', 'f:c'], ['f:e']]);
  assert.deepEqual(a.union(b).paths(), [['f:a'], ['f:b', 'f:c'], ['f:b', 'f:d'], ['f:e']]);
  assert.deepEqual(a.difference(b).paths(), [['f:a'], ['f:b', 'f:d']]);
  assert.deepEqual(a.intersection(b).paths(), [['f:b', 'f:c']]);
  assert.ok(a.difference(a).isEmpty());
  assert.deepEqual(a.difference(a).toFieldsV1(), {});
});

test('elements sort fields, values, keys, indices', () => {
  const s = FieldSet.fromPaths([['k:{"a":1}'], ['i:10'], ['v:"x"'], ['f:z'], ['i:2'], ['f:a']]);
  assert.deepEqual(Object.keys(s.toFieldsV1()), ['f:a', 'f:z', 'v:"x"', 'k:{"a":1}', 'i:2', 'i:10']);
});

const paths: [string[], string][] = [
  [['f:spec', 'f:replicas'], '.spec.replicas'],
  [['f:spec', 'f:containers', 'k:{"name":"web"}', 'f:image'], '.spec.containers[name="web"].image'],
  [['f:ports', 'k:{"containerPort":80,"protocol":"TCP"}'], '.ports[containerPort=80,protocol="TCP"]'],
  [['f:metadata', 'f:finalizers', 'v:"a/b"'], '.metadata.finalizers[="a/b"]'],
  [['f:args', 'i:3'], '.args[3]'],
];
for (const [p, s] of paths) test(`path string ${s}`, () => assert.equal(pathString(p), s));
