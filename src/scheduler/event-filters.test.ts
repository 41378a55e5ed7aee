import { test } from 'node:test';
import assert from 'node:assert/strict';
import { needsScheduling, nodeSchedulingPropertiesChanged, podSpecOrMetaChanged } from './event-filters.js';
import { makeNode, makePod } from './testing/wrappers.js';
import type { Node, Pod } from './framework/types.js';

const withStatus = (p: Pod, status: Pod['status']): Pod => ({ ...p, status });

test('needsScheduling', async (t) => {
  const gated = makePod().obj();
  gated.spec.schedulingGates = [{ name: 'wait' }];
  const deleting = makePod().obj();
  deleting.metadata.deletionTimestamp = '2026-01-01T00:00:00Z';
  const cases: Array<[string, Pod, boolean]> = [
    ['unbound pod of the default scheduler', makePod().obj(), true],
    ['explicit default-scheduler', makePod().schedulerName('default-scheduler').obj(), true],
    ['bound pod', makePod().node('n1').obj(), false],
    ['another scheduler', makePod().schedulerName('other').obj(), false],
    ['succeeded', withStatus(makePod().obj(), { phase: 'Succeeded' }), false],
    ['failed', withStatus(makePod().obj(), { phase: 'Failed' }), false],
    ['scheduling gates', gated, false],
    ['being deleted', deleting, false],
  ];
  for (const [name, pod, want] of cases) await t.test(name, () => assert.equal(needsScheduling(pod, 'default-scheduler'), want));
});

test('podSpecOrMetaChanged ignores status and bookkeeping (the scheduler\'s own condition writes)', () => {
  const a = makePod().label('app', 'x').obj();
  const b = withStatus({ ...a, metadata: { ...a.metadata, resourceVersion: '42' } }, { conditions: [{ type: 'PodScheduled', status: 'False' }] });
  assert.equal(podSpecOrMetaChanged(a, b), false);
  assert.equal(podSpecOrMetaChanged(a, makePod().label('app', 'y').obj()), true);
  assert.equal(podSpecOrMetaChanged(a, makePod().label('app', 'x').nodeSelector({ k: 'v' }).obj()), true);
});

test('nodeSchedulingPropertiesChanged ignores heartbeats', async (t) => {
  const base = makeNode().name('n').alloc({ cpu: '1' }).obj();
  base.status!.conditions = [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }];
  const cases: Array<[string, (n: Node) => void, boolean]> = [
    ['heartbeat', (n) => {
      n.metadata.resourceVersion = '9';
      (n.status!.conditions![0] as Record<string, unknown>).lastHeartbeatTime = '2026-01-01T00:00:10Z';
    }, false],
    ['ready -> not ready', (n) => { n.status!.conditions![0]!.status = 'False'; }, true],
    ['cordoned', (n) => { n.spec = { ...n.spec, unschedulable: true }; }, true],
    ['tainted', (n) => { n.spec = { ...n.spec, taints: [{ key: 'k', effect: 'NoSchedule' }] }; }, true],
    ['labelled', (n) => { n.metadata.labels = { ...n.metadata.labels, k: 'v' }; }, true],
    ['allocatable grew', (n) => { n.status!.allocatable = { ...n.status!.allocatable, cpu: '2' }; }, true],
  ];
  for (const [name, change, want] of cases) {
    await t.test(name, () => {
      const next: Node = structuredClone(base);
      change(next);
      assert.equal(nodeSchedulingPropertiesChanged(base, next), want);
    });
  }
});
