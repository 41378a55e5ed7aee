/**
 * decodeObject types a stored object as its definition's kind, and asKind checks that an object a
 * storage returned is the kind its reader expects (as upstream's `obj.(*api.Pod)` assertion).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nodes } from '../../api/kinds/core/node.js';
import { pods } from '../../api/kinds/core/pod.js';
import type { Status } from '../../api/status.js';
import { asKind, decodeObject, encodeObject, noteStored, objectJson } from './codec.js';

const stored = JSON.stringify({ metadata: { name: 'p', namespace: 'ns' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });

test('decodeObject fills apiVersion, kind and resourceVersion; asKind reads it as its own kind', () => {
  const pod = decodeObject(pods, stored, 7);
  assert.deepEqual([pod.apiVersion, pod.kind, pod.metadata.resourceVersion], ['v1', 'Pod', '7']);
  assert.equal(asKind(pods, pod), pod);
  assert.equal(asKind(pods, pod).spec?.containers[0]?.image, 'busybox');
});

test('asKind refuses an object of another kind with a 500 InternalError naming both', () => {
  const node = decodeObject(nodes, JSON.stringify({ metadata: { name: 'n' } }), 3);
  assert.throws(() => asKind(pods, node), (err: { status?: Status }) => {
    assert.equal(err.status?.code, 500);
    assert.equal(err.status?.reason, 'InternalError');
    assert.match(err.status?.message ?? '', /expected v1 Pod, read v1 Node/);
    return true;
  });
  assert.throws(() => asKind(pods, { ...node, kind: 'Pod', apiVersion: 'v2' }), /expected v1 Pod, read v2 Pod/);
});

test('objectJson of a noted object is its stored text with the revision spliced in: the JSON.stringify of its decoding', () => {
  const pod = { spec: { containers: [{ name: 'c', image: 'busybox' }] }, kind: 'Pod', metadata: { name: 'p', namespace: 'ns', resourceVersion: '3', labels: { a: 'b' } }, apiVersion: 'v1' };
  const text = encodeObject(pod);
  assert.ok(text.startsWith('{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"'), 'apiVersion, kind and metadata first, without the resourceVersion');
  const decoded = decodeObject(pods, text, 9);
  noteStored(pods, decoded, text, 9);
  assert.equal(objectJson(decoded), JSON.stringify(decoded));
  assert.equal(objectJson(decoded), text.replace('"metadata":{', '"metadata":{"resourceVersion":"9",'));
  // A write's own object (its own key order) answers with the same text once noted.
  pod.metadata.resourceVersion = '9';
  noteStored(pods, pod, text, 9);
  assert.equal(objectJson(pod), JSON.stringify(decoded));
  assert.deepEqual(JSON.parse(objectJson(pod)), JSON.parse(JSON.stringify(pod)));
  // An empty metadata object takes the resourceVersion alone.
  const bare = decodeObject(pods, '{"apiVersion":"v1","kind":"Pod","metadata":{}}', 4);
  noteStored(pods, bare, '{"apiVersion":"v1","kind":"Pod","metadata":{}}', 4);
  assert.equal(objectJson(bare), '{"apiVersion":"v1","kind":"Pod","metadata":{"resourceVersion":"4"}}');
});

test('objectJson serialises what it has no stored text for: another layout, another revision, an unnoted object', () => {
  const older = decodeObject(pods, stored, 5);
  noteStored(pods, older, stored, 5);
  assert.equal(objectJson(older), JSON.stringify(older));
  const text = encodeObject({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } });
  const other = decodeObject(pods, text, 6);
  noteStored(pods, other, text, 7);
  assert.equal(objectJson(other), JSON.stringify(other));
  assert.equal(objectJson({ kind: 'Status', code: 404 }), '{"kind":"Status","code":404}');
  assert.equal(objectJson(undefined), undefined);
});
