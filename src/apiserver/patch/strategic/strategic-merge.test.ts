/**
 * Strategic merge patch cases, following apimachinery's strategicpatch/patch_test.go
 * (TestCustomStrategicMergePatch, TestStrategicMergePatch's "retainKeys", "setElementOrder" and
 * "deleteFromPrimitiveList" cases) re-expressed on Pod/Deployment fields.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyStrategicMergePatch } from './strategic-merge.js';
import { testFieldInfo } from '../testdata/field-info.js';
import { StatusError } from '../../../api/status.js';

const pod = (spec: unknown) => ({ metadata: { name: 'p' }, spec });

const cases: { name: string; original: Record<string, unknown>; patch: unknown; expected: Record<string, unknown> }[] = [
  {
    name: 'map keys merge, null deletes, absent key is kept',
    original: { metadata: { name: 'p', labels: { app: 'web', tier: 'fe' } } },
    patch: { metadata: { labels: { tier: null, env: 'prod' } } },
    expected: { metadata: { name: 'p', labels: { app: 'web', env: 'prod' } } },
  },
  {
    name: 'containers merge by name: changed image, other fields kept',
    original: pod({ containers: [{ name: 'a', image: 'a:1', imagePullPolicy: 'Always' }, { name: 'b', image: 'b:1' }] }),
    patch: { spec: { containers: [{ name: 'b', image: 'b:2' }] } },
    expected: pod({ containers: [{ name: 'a', image: 'a:1', imagePullPolicy: 'Always' }, { name: 'b', image: 'b:2' }] }),
  },
  {
    // Without $setElementOrder, mergeSlice orders by the patch and mergeSortedSlice puts a new
    // item (unknown to the live order) before the server-only ones.
    name: 'new list item without $setElementOrder goes first',
    original: pod({ containers: [{ name: 'a', image: 'a:1' }, { name: 'b' }] }),
    patch: { spec: { containers: [{ name: 'c', image: 'c:1' }] } },
    expected: pod({ containers: [{ name: 'c', image: 'c:1' }, { name: 'a', image: 'a:1' }, { name: 'b' }] }),
  },
  {
    name: '$patch: delete removes the item with that merge key',
    original: pod({ containers: [{ name: 'a', image: 'a:1' }, { name: 'b', image: 'b:1' }] }),
    patch: { spec: { containers: [{ name: 'a', $patch: 'delete' }] } },
    expected: pod({ containers: [{ name: 'b', image: 'b:1' }] }),
  },
  {
    name: '$patch: replace on a list replaces it with the other items',
    original: pod({ containers: [{ name: 'a', image: 'a:1' }, { name: 'b', image: 'b:1' }] }),
    patch: { spec: { containers: [{ $patch: 'replace' }, { name: 'c', image: 'c:1' }] } },
    expected: pod({ containers: [{ name: 'c', image: 'c:1' }] }),
  },
  {
    name: '$patch: replace on a map replaces the map',
    original: { metadata: { name: 'p', labels: { a: '1', b: '2' } } },
    patch: { metadata: { labels: { $patch: 'replace', c: '3' } } },
    expected: { metadata: { name: 'p', labels: { c: '3' } } },
  },
  {
    name: '$patch: delete on a map empties it',
    original: { metadata: { name: 'p', labels: { a: '1' } } },
    patch: { metadata: { labels: { $patch: 'delete' } } },
    expected: { metadata: { name: 'p', labels: {} } },
  },
  {
    name: 'list without merge strategy is replaced (args)',
    original: pod({ containers: [{ name: 'a', args: ['x', 'y'] }] }),
    patch: { spec: { containers: [{ name: 'a', args: ['z'] }] } },
    expected: pod({ containers: [{ name: 'a', args: ['z'] }] }),
  },
  {
    name: 'list of unknown field is replaced',
    original: { metadata: { name: 'p' }, stuff: [{ name: 'a', v: 1 }] },
    patch: { stuff: [{ name: 'b' }] },
    expected: { metadata: { name: 'p' }, stuff: [{ name: 'b' }] },
  },
  {
    name: 'primitive merge list (finalizers) is a union without duplicates',
    original: { metadata: { name: 'p', finalizers: ['a', 'b'] } },
    patch: { metadata: { finalizers: ['b', 'c'] } },
    expected: { metadata: { name: 'p', finalizers: ['a', 'b', 'c'] } },
  },
  {
    name: 'empty merge list in the patch leaves the list alone',
    original: { metadata: { name: 'p', finalizers: ['a'] } },
    patch: { metadata: { finalizers: [] } },
    expected: { metadata: { name: 'p', finalizers: ['a'] } },
  },
  {
    name: '$deleteFromPrimitiveList removes values',
    original: { metadata: { name: 'p', finalizers: ['a', 'b', 'c'] } },
    patch: { metadata: { '$deleteFromPrimitiveList/finalizers': ['b'] } },
    expected: { metadata: { name: 'p', finalizers: ['a', 'c'] } },
  },
  {
    name: '$setElementOrder orders patch items and keeps server-only items in place',
    original: pod({ containers: [{ name: 'a' }, { name: 'server' }, { name: 'b' }] }),
    patch: { spec: { '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }], containers: [{ name: 'b', image: 'b:2' }] } },
    // mergeSortedSlice: "server" sat before "b" live, so it stays in front of it.
    expected: pod({ containers: [{ name: 'server' }, { name: 'b', image: 'b:2' }, { name: 'a' }] }),
  },
  {
    name: '$setElementOrder with a new item places it as ordered',
    original: pod({ containers: [{ name: 'a' }, { name: 'c' }] }),
    patch: { spec: { '$setElementOrder/containers': [{ name: 'a' }, { name: 'b' }, { name: 'c' }], containers: [{ name: 'b', image: 'b' }] } },
    expected: pod({ containers: [{ name: 'a' }, { name: 'b', image: 'b' }, { name: 'c' }] }),
  },
  {
    name: '$setElementOrder on a primitive list with $deleteFromPrimitiveList',
    original: { metadata: { name: 'p', finalizers: ['a', 'b', 'c'] } },
    patch: { metadata: { '$setElementOrder/finalizers': ['c', 'a', 'd'], '$deleteFromPrimitiveList/finalizers': ['b'], finalizers: ['d'] } },
    expected: { metadata: { name: 'p', finalizers: ['c', 'a', 'd'] } },
  },
  {
    name: '$retainKeys drops keys not listed (strategy type change)',
    original: { metadata: { name: 'd' }, spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } } },
    patch: { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } },
    expected: { metadata: { name: 'd' }, spec: { strategy: { type: 'Recreate' } } },
  },
  {
    name: 'volumes: merge by name with $retainKeys switching the volume source',
    original: pod({ volumes: [{ name: 'v', emptyDir: {} }, { name: 'w', emptyDir: {} }] }),
    patch: { spec: { volumes: [{ $retainKeys: ['hostPath', 'name'], name: 'v', hostPath: { path: '/x' } }] } },
    expected: pod({ volumes: [{ name: 'v', hostPath: { path: '/x' } }, { name: 'w', emptyDir: {} }] }),
  },
  {
    name: 'nested merge: env inside a container',
    original: pod({ containers: [{ name: 'a', env: [{ name: 'X', value: '1' }, { name: 'Y', value: '2' }] }] }),
    patch: { spec: { containers: [{ name: 'a', env: [{ name: 'Y', value: '3' }, { name: 'X', $patch: 'delete' }] }] } },
    expected: pod({ containers: [{ name: 'a', env: [{ name: 'Y', value: '3' }] }] }),
  },
  {
    name: 'ports merge by containerPort (numbers)',
    original: pod({ containers: [{ name: 'a', ports: [{ containerPort: 80, protocol: 'TCP' }] }] }),
    patch: { spec: { containers: [{ name: 'a', ports: [{ containerPort: 80, name: 'http' }, { containerPort: 443 }] }] } },
    expected: pod({ containers: [{ name: 'a', ports: [{ containerPort: 80, protocol: 'TCP', name: 'http' }, { containerPort: 443 }] }] }),
  },
  {
    name: 'directives inside a value that is new are resolved, not stored',
    original: pod({}),
    patch: { spec: { containers: [{ name: 'a', env: [{ name: 'X', value: '1' }], '$setElementOrder/env': [{ name: 'X' }] }] } },
    expected: pod({ containers: [{ name: 'a', env: [{ name: 'X', value: '1' }] }] }),
  },
  {
    name: 'scalar replaces map and map replaces scalar',
    original: { metadata: { name: 'p' }, a: { b: 1 }, c: 'x' },
    patch: { a: 'flat', c: { d: 2 } },
    expected: { metadata: { name: 'p' }, a: 'flat', c: { d: 2 } },
  },
  {
    name: 'atomic-by-strategy nodeSelector still merges (SMP ignores mapType)',
    original: pod({ nodeSelector: { a: '1' } }),
    patch: { spec: { nodeSelector: { b: '2' } } },
    expected: pod({ nodeSelector: { a: '1', b: '2' } }),
  },
];

for (const c of cases) {
  test(`strategic merge: ${c.name}`, () => {
    const before = structuredClone(c.original);
    assert.deepEqual(applyStrategicMergePatch(c.original, c.patch, testFieldInfo), c.expected);
    assert.deepEqual(c.original, before, 'input must not be modified');
  });
}

// apimachinery patch_test.go customStrategicMergePatchTestCaseData, on a MergeItem-like schema.
const mergeItemInfo = (path: string[]) => {
  const last = path[path.length - 1];
  if (last === 'mergingList') return { type: 'array' as const, patchStrategy: 'merge', patchMergeKey: 'name' };
  if (last === 'retainKeysMergingList') return { type: 'array' as const, patchStrategy: 'merge,retainKeys', patchMergeKey: 'name' };
  if (last === 'mergingIntList') return { type: 'array' as const, patchStrategy: 'merge' };
  if (last === 'retainKeysMap') return { type: 'object' as const, patchStrategy: 'retainKeys' };
  return undefined;
};
const upstream: { name: string; original: Record<string, unknown>; patch: Record<string, unknown>; expected: Record<string, unknown> }[] = [
  { name: 'unique scalars when merging lists', original: { mergingIntList: [1, 2] }, patch: { mergingIntList: [2, 3] }, expected: { mergingIntList: [1, 2, 3] } },
  { name: 'delete map from nested map', original: { simpleMap: { key1: 1, key2: 1 } }, patch: { simpleMap: { $patch: 'delete' } }, expected: { simpleMap: {} } },
  { name: 'delete all items from merging list', original: { mergingList: [{ name: 1 }, { name: 2 }] }, patch: { mergingList: [{ $patch: 'replace' }] }, expected: { mergingList: [] } },
  { name: 'merge empty merging lists', original: { mergingList: [] }, patch: { mergingList: [] }, expected: { mergingList: [] } },
  { name: 'delete all keys from map', original: { name: 1, value: 1 }, patch: { $patch: 'replace' }, expected: {} },
  { name: 'add key and delete all keys from map', original: { name: 1, value: 1 }, patch: { other: 'a', $patch: 'replace' }, expected: { other: 'a' } },
  { name: 'retainKeys map can add a field when no retainKeys directive present', original: { retainKeysMap: { name: 'foo' } }, patch: { retainKeysMap: { value: 'bar' } }, expected: { retainKeysMap: { name: 'foo', value: 'bar' } } },
  { name: 'retainKeys map can delete a field when no retainKeys directive present', original: { retainKeysMap: { name: 'foo', value: 'a' } }, patch: { retainKeysMap: { value: null } }, expected: { retainKeysMap: { name: 'foo' } } },
  { name: 'retainKeys map merge an empty map', original: { retainKeysMap: { name: 'foo', value: 'a' } }, patch: { retainKeysMap: {} }, expected: { retainKeysMap: { name: 'foo', value: 'a' } } },
  { name: 'retainKeys list can change a field when no retainKeys directive present', original: { retainKeysMergingList: [{ name: 'bar' }, { name: 'foo', value: 'a' }] }, patch: { retainKeysMergingList: [{ name: 'foo', value: 'b' }] }, expected: { retainKeysMergingList: [{ name: 'bar' }, { name: 'foo', value: 'b' }] } },
  { name: 'preserve the order from the patch in a merging list', original: { mergingList: [{ name: 1 }, { name: 2, value: 'b' }, { name: 3 }] }, patch: { mergingList: [{ name: 3, value: 'c' }, { name: 1, value: 'a' }, { name: 2, other: 'x' }] }, expected: { mergingList: [{ name: 3, value: 'c' }, { name: 1, value: 'a' }, { name: 2, value: 'b', other: 'x' }] } },
  { name: 'preserve the order from the patch in a merging list 2', original: { mergingList: [{ name: 1 }, { name: 2, value: 'b' }, { name: 3 }] }, patch: { mergingList: [{ name: 3, value: 'c' }, { name: 1, value: 'a' }] }, expected: { mergingList: [{ name: 2, value: 'b' }, { name: 3, value: 'c' }, { name: 1, value: 'a' }] } },
  { name: 'preserve the order from the patch in a merging int list', original: { mergingIntList: [1, 2, 3] }, patch: { mergingIntList: [3, 1, 2] }, expected: { mergingIntList: [3, 1, 2] } },
  { name: 'preserve the order from the patch in a merging int list 2', original: { mergingIntList: [1, 2, 3] }, patch: { mergingIntList: [3, 1] }, expected: { mergingIntList: [2, 3, 1] } },
  { name: '$setElementOrder contains item that is not present in the list to be merged', original: { mergingList: [{ name: 1 }, { name: 3 }] }, patch: { '$setElementOrder/mergingList': [{ name: 3 }, { name: 2 }, { name: 1 }], mergingList: [{ name: 3, value: 3 }, { name: 1, value: 1 }] }, expected: { mergingList: [{ name: 3, value: 3 }, { name: 1, value: 1 }] } },
  { name: '$setElementOrder contains item that is not present in the int list to be merged', original: { mergingIntList: [1, 3] }, patch: { '$setElementOrder/mergingIntList': [3, 2, 1] }, expected: { mergingIntList: [3, 1] } },
  // createStrategicMergePatchTestCaseData / strategicMergePatchRawTestCases: threeWay applied to current.
  { name: 'defined null values should propagate overwrite current fields', original: { name: 'a', other: 'a' }, patch: { name: 1, value: 1, other: null }, expected: { name: 1, value: 1 } },
  { name: 'delete field from nested map with conflict', original: { simpleMap: { key1: 'a', key2: 1, other: 'a' } }, patch: { simpleMap: { key1: 1, key2: null } }, expected: { simpleMap: { key1: 1, other: 'a' } } },
  { name: 'delete all maps from merging list with conflict', original: { mergingList: [{ name: 1, other: 'a' }, { name: 2, other: 'b' }] }, patch: { mergingList: [{ name: 1, $patch: 'delete' }, { name: 2, $patch: 'delete' }] }, expected: { mergingList: [] } },
  { name: 'delete all duplicate items in lists of scalars', original: { mergingIntList: [1, 2, 3, 3, 4] }, patch: { '$setElementOrder/mergingIntList': [1, 2], '$deleteFromPrimitiveList/mergingIntList': [3] }, expected: { mergingIntList: [1, 2, 4] } },
  { name: 'add and delete items in lists of scalars', original: { mergingIntList: [1, 2, 3, 4] }, patch: { '$setElementOrder/mergingIntList': [1, 2, 4], '$deleteFromPrimitiveList/mergingIntList': [3] }, expected: { mergingIntList: [1, 2, 4] } },
  { name: 'merge lists of maps', original: { mergingList: [{ name: 1, other: 'a' }, { name: 2, value: 2, other: 'b' }] }, patch: { '$setElementOrder/mergingList': [{ name: 4 }, { name: 1 }, { name: 2 }, { name: 3 }], mergingList: [{ name: 4, value: 4 }, { name: 3, value: 3 }] }, expected: { mergingList: [{ name: 4, value: 4 }, { name: 1, other: 'a' }, { name: 2, value: 2, other: 'b' }, { name: 3, value: 3 }] } },
  { name: 'merge lists of maps with conflict', original: { mergingList: [{ name: 1, other: 'a' }, { name: 2, value: 3, other: 'b' }] }, patch: { '$setElementOrder/mergingList': [{ name: 1 }, { name: 2 }, { name: 3 }], mergingList: [{ name: 2, value: 2 }, { name: 3, value: 3 }] }, expected: { mergingList: [{ name: 1, other: 'a' }, { name: 2, value: 2, other: 'b' }, { name: 3, value: 3 }] } },
];
for (const c of upstream) {
  test(`strategic merge (upstream case): ${c.name}`, () => {
    assert.deepEqual(applyStrategicMergePatch(c.original, c.patch, mergeItemInfo), c.expected);
  });
}

// A plain Go error (not an API status) is 500 without reason: ErrorToAPIStatus's StatusReasonUnknown.
const errorCases: { name: string; original: Record<string, unknown>; patch: unknown; code: number; reason: string | undefined }[] = [
  { name: 'patch is not an object', original: pod({}), patch: [1], code: 400, reason: 'BadRequest' },
  { name: '$retainKeys not a list', original: pod({}), patch: { spec: { strategy: { $retainKeys: 'type' } } }, code: 400, reason: 'BadRequest' },
  { name: 'patch key missing from $retainKeys', original: pod({}), patch: { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: {} } } }, code: 422, reason: 'Invalid' },
  { name: '$deleteFromPrimitiveList not a list', original: pod({}), patch: { metadata: { '$deleteFromPrimitiveList/finalizers': 'a' } }, code: 400, reason: 'BadRequest' },
  { name: 'unknown $patch value', original: pod({}), patch: { metadata: { labels: { $patch: 'explode' } } }, code: 500, reason: undefined },
  { name: 'merge list item without merge key', original: pod({ containers: [{ name: 'a' }] }), patch: { spec: { containers: [{ image: 'x' }] } }, code: 500, reason: undefined },
  { name: 'patch list out of $setElementOrder order ("doesn\'t match")', original: { metadata: { finalizers: ['1', '3', '2'] } }, patch: { metadata: { '$setElementOrder/finalizers': ['1', '2', '3'], finalizers: ['3', '1'] } }, code: 500, reason: undefined },
  { name: 'list of lists in a merge list', original: { metadata: { finalizers: [['a']] } }, patch: { metadata: { finalizers: [['b']] } }, code: 422, reason: 'Invalid' },
];

for (const c of errorCases) {
  test(`strategic merge error: ${c.name}`, () => {
    assert.throws(() => applyStrategicMergePatch(c.original, c.patch, testFieldInfo), (e: unknown) => {
      assert.ok(e instanceof StatusError);
      assert.equal(e.code, c.code);
      assert.equal(e.reason, c.reason);
      return true;
    });
  });
}
