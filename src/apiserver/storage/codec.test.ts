/**
 * decodeObject types a stored object as its definition's kind, and asKind checks that an object a
 * storage returned is the kind its reader expects (as upstream's `obj.(*api.Pod)` assertion).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nodes } from '../../api/kinds/core/node.js';
import { pods } from '../../api/kinds/core/pod.js';
import type { Status } from '../../api/status.js';
import { asKind, decodeObject } from './codec.js';

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
