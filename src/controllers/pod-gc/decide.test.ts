/** The pod GC's decisions, case by case (upstream pkg/controller/podgc/gc_controller_test.go's tables). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Node, Pod } from '../../api/kinds/index.js';
import { decidePodGc, ORPHANED_CONDITION, OUT_OF_SERVICE_TAINT, type GcInput } from './decide.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');

function pod(name: string, o: { node?: string; phase?: string; reason?: string; created?: number; deleting?: boolean } = {}): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name, namespace: 'ns', creationTimestamp: new Date(o.created ?? T0).toISOString(),
      ...(o.deleting ? { deletionTimestamp: new Date(T0).toISOString() } : {}),
    },
    spec: { containers: [{ name: 'c', image: 'i' }], ...(o.node ? { nodeName: o.node } : {}) },
    status: { phase: o.phase ?? 'Running', ...(o.reason ? { reason: o.reason } : {}) },
  } as Pod;
}

function node(name: string, o: { ready?: boolean; outOfService?: boolean } = {}): Node {
  return {
    apiVersion: 'v1', kind: 'Node', metadata: { name },
    spec: o.outOfService ? { taints: [{ key: OUT_OF_SERVICE_TAINT, effect: 'NoExecute' }] } : {},
    status: { conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] },
  } as Node;
}

const run = (i: Partial<GcInput>) => decidePodGc({
  pods: [], nodes: [], terminatedPodThreshold: 12500, quarantineMs: 40_000, now: T0, missingSince: new Map(), ...i,
});
const names = (d: ReturnType<typeof decidePodGc>) => d.actions.map((a) => `${a.pod.metadata.name}:${a.reason}`);

describe('pod GC decisions', () => {
  const terminatedCases: { what: string; pods: Pod[]; threshold: number; want: string[] }[] = [
    { what: 'under the threshold: nothing', threshold: 3, pods: [pod('a', { phase: 'Failed' }), pod('b', { phase: 'Succeeded' })], want: [] },
    {
      what: 'over it: the oldest beyond the threshold', threshold: 1,
      pods: [pod('new', { phase: 'Succeeded', created: T0 + 2000 }), pod('old', { phase: 'Failed', created: T0 }), pod('mid', { phase: 'Succeeded', created: T0 + 1000 })],
      want: ['old:terminated', 'mid:terminated'],
    },
    {
      what: 'evicted pods go first, whatever their age', threshold: 1,
      pods: [pod('old', { phase: 'Failed', created: T0 }), pod('evicted', { phase: 'Failed', reason: 'Evicted', created: T0 + 5000 })],
      want: ['evicted:terminated'],
    },
    { what: 'same age: by name', threshold: 1, pods: [pod('b', { phase: 'Failed' }), pod('a', { phase: 'Failed' })], want: ['a:terminated'] },
    { what: 'running, pending and unknown pods do not count', threshold: 1, pods: [pod('r'), pod('p', { phase: 'Pending' }), pod('u', { phase: 'Unknown' }), pod('f', { phase: 'Failed' })], want: [] },
    { what: 'threshold 0 turns it off', threshold: 0, pods: [pod('a', { phase: 'Failed' }), pod('b', { phase: 'Failed' })], want: [] },
  ];
  for (const c of terminatedCases) {
    it(`terminated pods: ${c.what}`, () => {
      assert.deepEqual(names(run({ pods: c.pods, terminatedPodThreshold: c.threshold })), c.want);
    });
  }

  it('pods of a missing node wait out the quarantine, then need a GET to confirm the node gone', () => {
    const missingSince = new Map<string, number>();
    const pods = [pod('orphan', { node: 'gone' }), pod('fine', { node: 'n1' })];
    const nodes = [node('n1')];
    const first = run({ pods, nodes, missingSince, now: T0 });
    assert.deepEqual(first.actions, []);
    assert.deepEqual(first.verify, []);
    assert.equal(first.nextCheckMs, 40_000);
    const early = run({ pods, nodes, missingSince, now: T0 + 39_000 });
    assert.deepEqual([early.verify, early.nextCheckMs], [[], 1000]);
    const due = run({ pods, nodes, missingSince, now: T0 + 40_000 });
    assert.deepEqual(due.verify, ['gone']);
    assert.deepEqual(due.actions, [], 'not before the GET said NotFound');
    const confirmed = run({ pods, nodes, missingSince, now: T0 + 40_000, confirmedGone: new Set(['gone']) });
    assert.deepEqual(confirmed.actions, [{ pod: pods[0], reason: 'orphaned', condition: ORPHANED_CONDITION }]);
    assert.deepEqual(ORPHANED_CONDITION, { type: 'DisruptionTarget', status: 'True', reason: 'DeletionByPodGC', message: 'PodGC: node no longer exists' });
  });

  it('a node that comes back leaves the quarantine', () => {
    const missingSince = new Map<string, number>();
    run({ pods: [pod('p', { node: 'late' })], missingSince, now: T0 });
    assert.ok(missingSince.has('late'));
    const back = run({ pods: [pod('p', { node: 'late' })], nodes: [node('late')], missingSince, now: T0 + 60_000 });
    assert.deepEqual([back.actions, back.verify, missingSince.size], [[], [], 0]);
  });

  it('terminating pods that were never scheduled are deleted; scheduled or live ones are not', () => {
    const d = run({ pods: [pod('unscheduled', { deleting: true }), pod('scheduled', { node: 'n1', deleting: true }), pod('pending')], nodes: [node('n1')] });
    assert.deepEqual(names(d), ['unscheduled:unscheduled-terminating']);
  });

  it('terminating pods on a NotReady node with the out-of-service taint are deleted', () => {
    const d = run({
      pods: [pod('oos', { node: 'down', deleting: true }), pod('live', { node: 'down' }), pod('tainted-ready', { node: 'up', deleting: true }), pod('notready', { node: 'nr', deleting: true })],
      nodes: [node('down', { ready: false, outOfService: true }), node('up', { outOfService: true }), node('nr', { ready: false })],
    });
    assert.deepEqual(names(d), ['oos:out-of-service']);
  });

  it('a pod is collected once, by the first reason that takes it', () => {
    const d = run({ pods: [pod('f', { phase: 'Failed', node: 'gone' }), pod('g', { phase: 'Failed', node: 'gone' })], terminatedPodThreshold: 1, now: T0, confirmedGone: new Set(['gone']) });
    assert.deepEqual(names(d), ['f:terminated', 'g:orphaned']);
  });
});
