import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extendedAllocatablePatch } from './extended-resources.js';

// As upstream's kubelet nodestatus.MachineInfo: allocatable follows capacity for extended resources.
test('extended capacity is mirrored into allocatable; removed capacity leaves allocatable; native ones are the agent\'s', () => {
  const cap = { cpu: '2', memory: '4Gi', 'example.com/foo': '2', 'nvidia.com/gpu': '1' };
  assert.deepEqual(extendedAllocatablePatch(cap, { cpu: '2', memory: '3900Mi' }), { 'example.com/foo': '2', 'nvidia.com/gpu': '1' });
  assert.equal(extendedAllocatablePatch(cap, { cpu: '2', 'example.com/foo': '2', 'nvidia.com/gpu': '1' }), undefined, 'in line: no write');
  assert.deepEqual(extendedAllocatablePatch({ cpu: '2' }, { cpu: '2', 'example.com/foo': '2' }), { 'example.com/foo': null });
  assert.deepEqual(extendedAllocatablePatch({ ...cap, 'example.com/foo': '3' }, { 'example.com/foo': '2', 'nvidia.com/gpu': '1' }), { 'example.com/foo': '3' });
  assert.equal(extendedAllocatablePatch({ 'hugepages-2Mi': '0', 'kubernetes.io/x': '1' }, {}), undefined);
});
