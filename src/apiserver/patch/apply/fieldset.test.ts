/** FieldSet algebra and the FieldsV1 wire form (structured-merge-diff fieldpath/serialize). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FieldSet } from './fieldset.js';
import { pathString } from './path-element.js';

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

test('elements sort fields, keys, values, indices (PathElement.Compare)', () => {
  const s = FieldSet.fromPaths([['k:{"a":1}'], ['i:10'], ['v:"x"'], ['f:z'], ['i:2'], ['f:a']]);
  assert.deepEqual(Object.keys(s.toFieldsV1()), ['f:a', 'f:z', 'k:{"a":1}', 'v:"x"', 'i:2', 'i:10']);
});

const paths: [string[], string][] = [
  [['f:spec', 'f:replicas'], '.spec.replicas'],
  [['f:spec', 'f:containers', 'k:{"name":"web"}', 'f:image'], '.spec.containers[name="web"].image'],
  [['f:ports', 'k:{"containerPort":80,"protocol":"TCP"}'], '.ports[containerPort=80,protocol="TCP"]'],
  [['f:metadata', 'f:finalizers', 'v:"a/b"'], '.metadata.finalizers[="a/b"]'],
  [['f:args', 'i:3'], '.args[3]'],
];
for (const [p, s] of paths) test(`path string ${s}`, () => assert.equal(pathString(p), s));

// A stored entry's FieldsV1 is read level by level (FieldSet.lazyFromFieldsV1): a write reads and
// re-encodes only the paths it touches. Each case must encode exactly as the eager decoding does,
// and the subtrees it did not touch must come back as the stored JSON objects themselves.
const stored = {
  'f:metadata': { 'f:finalizers': { '.': {}, 'v:"a"': {}, 'v:"b"': {} }, 'f:labels': { '.': {}, 'f:app': {} } },
  'f:spec': { 'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:image': {}, 'f:name': {} } }, 'f:replicas': {} },
  'f:status': { 'f:conditions': { 'k:{"type":"Ready"}': { '.': {}, 'f:status': {}, 'f:type': {} } }, 'f:phase': {} },
};
const lazyCases: { name: string; op: (s: FieldSet) => FieldSet; untouched: string[] }[] = [
  { name: 'union of a new status leaf', op: (s) => s.union(FieldSet.fromPaths([['f:status', 'f:podIP']])), untouched: ['f:metadata', 'f:spec'] },
  { name: 'union of a new list item', op: (s) => s.union(FieldSet.fromPaths([['f:status', 'f:conditions', 'k:{"type":"Initialized"}'], ['f:status', 'f:conditions', 'k:{"type":"Initialized"}', 'f:type']])), untouched: ['f:metadata', 'f:spec'] },
  { name: 'difference of a finalizer', op: (s) => s.difference(FieldSet.fromPaths([['f:metadata', 'f:finalizers', 'v:"a"']])), untouched: ['f:spec', 'f:status'] },
  // The labels map loses its own membership (`.`) but keeps its children.
  { name: 'difference of a member with children', op: (s) => s.difference(FieldSet.fromPaths([['f:metadata', 'f:labels']])), untouched: ['f:spec', 'f:status'] },
  { name: 'difference of a whole item', op: (s) => s.difference(FieldSet.fromPaths([['f:spec', 'f:containers', 'k:{"name":"web"}'], ['f:spec', 'f:containers', 'k:{"name":"web"}', 'f:image'], ['f:spec', 'f:containers', 'k:{"name":"web"}', 'f:name']])), untouched: ['f:metadata', 'f:status'] },
  { name: 'union taking membership of a parent', op: (s) => s.union(FieldSet.fromPaths([['f:spec', 'f:containers']])), untouched: ['f:metadata', 'f:status'] },
  { name: 'intersection', op: (s) => s.intersection(FieldSet.fromPaths([['f:status', 'f:phase'], ['f:metadata', 'f:labels', 'f:app']])), untouched: [] },
];
for (const c of lazyCases) {
  test(`stored FieldsV1 read lazily: ${c.name}`, () => {
    const raw = structuredClone(stored);
    const lazy = c.op(FieldSet.lazyFromFieldsV1(raw)).toFieldsV1();
    const eager = c.op(FieldSet.fromFieldsV1(structuredClone(stored))).toFieldsV1();
    assert.equal(JSON.stringify(lazy), JSON.stringify(eager));
    assert.deepEqual(raw, stored, 'the stored JSON is not modified');
    for (const k of c.untouched) assert.equal(lazy[k], raw[k as keyof typeof raw], `${k} is written back as stored`);
    assert.deepEqual(c.op(FieldSet.lazyFromFieldsV1(structuredClone(stored))).paths(), c.op(FieldSet.fromFieldsV1(stored)).paths());
  });
}

test('FieldsV1 orders keys and values as structured-merge-diff (value.Compare), not as their JSON text', () => {
  const cases: { name: string; els: string[]; want: string[] }[] = [
    { name: 'Service ports 80 and 443', els: ['k:{"port":443,"protocol":"TCP"}', 'k:{"port":80,"protocol":"TCP"}'],
      want: ['k:{"port":80,"protocol":"TCP"}', 'k:{"port":443,"protocol":"TCP"}'] },
    { name: 'second key field decides', els: ['k:{"containerPort":53,"protocol":"UDP"}', 'k:{"containerPort":53,"protocol":"TCP"}'],
      want: ['k:{"containerPort":53,"protocol":"TCP"}', 'k:{"containerPort":53,"protocol":"UDP"}'] },
    { name: 'set values: numbers, then strings, then booleans', els: ['v:true', 'v:"b"', 'v:10', 'v:9', 'v:"a"'],
      want: ['v:9', 'v:10', 'v:"a"', 'v:"b"', 'v:true'] },
    { name: 'indices numerically', els: ['i:10', 'i:2'], want: ['i:2', 'i:10'] },
  ];
  for (const c of cases) {
    const fields: Record<string, unknown> = {};
    for (const el of c.els) fields[el] = {};
    const out = FieldSet.fromFieldsV1({ 'f:list': fields }).toFieldsV1() as Record<string, Record<string, unknown>>;
    assert.deepEqual(Object.keys(out['f:list']!), c.want, c.name);
  }
});
