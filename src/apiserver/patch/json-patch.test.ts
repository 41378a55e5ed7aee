/** JSON patch (RFC 6902) and its kube-apiserver error mapping (handlers/patch.go applyJSPatch). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyJsonPatch } from './json-patch.js';
import { StatusError } from '../../api/status.js';
import { REJECTED_MESSAGE } from './patch-errors.js';

const obj = () => ({ metadata: { name: 'd', labels: { a: '1' } }, spec: { replicas: 1, list: ['x', 'y'] } });

const ok: { name: string; ops: unknown; expected: unknown }[] = [
  { name: 'replace', ops: [{ op: 'replace', path: '/spec/replicas', value: 3 }], expected: { ...obj(), spec: { replicas: 3, list: ['x', 'y'] } } },
  { name: 'add to map', ops: [{ op: 'add', path: '/metadata/labels/b', value: '2' }], expected: { ...obj(), metadata: { name: 'd', labels: { a: '1', b: '2' } } } },
  { name: 'append to list with -', ops: [{ op: 'add', path: '/spec/list/-', value: 'z' }], expected: { ...obj(), spec: { replicas: 1, list: ['x', 'y', 'z'] } } },
  { name: 'escaped key ~1', ops: [{ op: 'add', path: '/metadata/labels/example.com~1x', value: 'v' }], expected: { ...obj(), metadata: { name: 'd', labels: { a: '1', 'example.com/x': 'v' } } } },
  { name: 'test then remove', ops: [{ op: 'test', path: '/spec/replicas', value: 1 }, { op: 'remove', path: '/spec/list/0' }], expected: { ...obj(), spec: { replicas: 1, list: ['y'] } } },
  { name: 'move and copy', ops: [{ op: 'copy', from: '/metadata/labels', path: '/metadata/annotations' }, { op: 'move', from: '/spec/replicas', path: '/spec/count' }],
    expected: { metadata: { name: 'd', labels: { a: '1' }, annotations: { a: '1' } }, spec: { list: ['x', 'y'], count: 1 } } },
  { name: 'empty patch', ops: [], expected: obj() },
  // evanphx/json-patch v4, which kube-apiserver applies with, departs from RFC 6902 here.
  { name: 'v4: replace of a key the object lacks adds it', ops: [{ op: 'replace', path: '/spec/nope', value: 1 }], expected: { ...obj(), spec: { replicas: 1, list: ['x', 'y'], nope: 1 } } },
  { name: 'v4: test of a missing key with null passes', ops: [{ op: 'test', path: '/metadata/nope', value: null }], expected: obj() },
  { name: 'v4: negative index counts from the end', ops: [{ op: 'replace', path: '/spec/list/-1', value: 'z' }, { op: 'test', path: '/spec/list/-2', value: 'x' }], expected: { ...obj(), spec: { replicas: 1, list: ['x', 'z'] } } },
  { name: 'v4: remove at -1 drops the last element', ops: [{ op: 'remove', path: '/spec/list/-1' }], expected: { ...obj(), spec: { replicas: 1, list: ['x'] } } },
  { name: 'v4: add at -1 appends (the array grows first)', ops: [{ op: 'add', path: '/spec/list/-1', value: 'z' }], expected: { ...obj(), spec: { replicas: 1, list: ['x', 'y', 'z'] } } },
  { name: 'v4: copy from a negative index', ops: [{ op: 'copy', from: '/spec/list/-2', path: '/metadata/labels/b' }], expected: { ...obj(), metadata: { name: 'd', labels: { a: '1', b: 'x' } } } },
];

for (const c of ok) {
  test(`json patch: ${c.name}`, () => {
    const input = obj();
    assert.deepEqual(applyJsonPatch(input, c.ops), c.expected);
    assert.deepEqual(input, obj(), 'input must not be modified');
  });
}

const bad: { name: string; ops: unknown; code: number; reason: string }[] = [
  // jsonpatch.DecodePatch failures are 400.
  { name: 'body is an object', ops: { op: 'add', path: '/x', value: 1 }, code: 400, reason: 'BadRequest' },
  { name: 'operation is not an object', ops: ['x'], code: 400, reason: 'BadRequest' },
  // Apply failures are NewGenericServerResponse(422): reason Invalid, fixed message.
  { name: 'failed test', ops: [{ op: 'test', path: '/spec/replicas', value: 5 }], code: 422, reason: 'Invalid' },
  { name: 'remove a missing path', ops: [{ op: 'remove', path: '/metadata/labels/nope' }], code: 422, reason: 'Invalid' },
  { name: 'replace under a missing parent', ops: [{ op: 'replace', path: '/spec/nope/x', value: 1 }], code: 422, reason: 'Invalid' },
  { name: 'replace past the end of a list', ops: [{ op: 'replace', path: '/spec/list/2', value: 1 }], code: 422, reason: 'Invalid' },
  { name: 'test of a missing key with a value', ops: [{ op: 'test', path: '/metadata/nope', value: 'x' }], code: 422, reason: 'Invalid' },
  { name: 'negative index before the start', ops: [{ op: 'remove', path: '/spec/list/-3' }], code: 422, reason: 'Invalid' },
  { name: 'add under a missing parent', ops: [{ op: 'add', path: '/a/b/c', value: 1 }], code: 422, reason: 'Invalid' },
  { name: 'unknown op', ops: [{ op: 'frob', path: '/spec' }], code: 422, reason: 'Invalid' },
  { name: 'too many operations', ops: Array.from({ length: 10001 }, () => ({ op: 'test', path: '/spec/replicas', value: 1 })), code: 413, reason: 'RequestEntityTooLarge' },
  { name: 'root replaced by an array', ops: [{ op: 'replace', path: '', value: [1] }], code: 422, reason: 'Invalid' },
  // RFC 6902 4.4 (found by the fuzz test: moving the root into a child made the object contain itself, a 500).
  { name: 'move the root into a child', ops: [{ op: 'move', from: '', path: '/spec/self' }], code: 422, reason: 'Invalid' },
  { name: 'move a map into its own key', ops: [{ op: 'move', from: '/metadata', path: '/metadata/labels/b' }], code: 422, reason: 'Invalid' },
  { name: 'copy from a missing path', ops: [{ op: 'copy', from: '/nope', path: '/spec/x' }], code: 422, reason: 'Invalid' },
];

for (const c of bad) {
  test(`json patch error: ${c.name}`, () => {
    assert.throws(() => applyJsonPatch(obj(), c.ops), (e: unknown) => {
      assert.ok(e instanceof StatusError);
      assert.equal(e.code, c.code);
      assert.equal(e.reason, c.reason);
      if (c.code === 422 && c.name !== 'root replaced by an array') assert.equal(e.message, REJECTED_MESSAGE);
      return true;
    });
  });
}
