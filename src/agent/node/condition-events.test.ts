import assert from 'node:assert/strict';
import { test } from 'node:test';
import { conditionEvents } from './condition-events.js';

const conds = (mem: string, disk: string, pid: string, ready: string) => [
  { type: 'MemoryPressure', status: mem }, { type: 'DiskPressure', status: disk }, { type: 'PIDPressure', status: pid }, { type: 'Ready', status: ready },
];

// As pkg/kubelet/nodestatus/setters.go: an event per changed condition, the first post included.
test('a new node reports each condition once, then only the changes', () => {
  assert.deepEqual(conditionEvents(undefined, conds('False', 'False', 'False', 'True')), ['NodeHasSufficientMemory', 'NodeHasNoDiskPressure', 'NodeHasSufficientPID', 'NodeReady']);
  assert.deepEqual(conditionEvents(conds('False', 'False', 'False', 'True'), conds('False', 'False', 'False', 'True')), []);
  assert.deepEqual(conditionEvents(conds('False', 'False', 'False', 'True'), conds('True', 'False', 'False', 'False')), ['NodeHasInsufficientMemory', 'NodeNotReady']);
  assert.deepEqual(conditionEvents(conds('False', 'False', 'False', 'True'), conds('False', 'True', 'True', 'True')), ['NodeHasDiskPressure', 'NodeHasInsufficientPID']);
});

test('an Unknown condition (the node-lifecycle controller\'s) records nothing', () => {
  assert.deepEqual(conditionEvents(conds('False', 'False', 'False', 'True'), conds('Unknown', 'Unknown', 'Unknown', 'Unknown')), []);
});
