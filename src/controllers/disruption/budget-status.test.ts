/**
 * The disruption controller's arithmetic, table-tested as upstream's
 * pkg/controller/disruption/disruption_test.go: expected pods from an int minAvailable (the pods
 * themselves) or from the controllers' scale (percentages, maxUnavailable), healthy pods, the
 * disruptedPods map and its 2-minute timeout, disruptionsAllowed and the DisruptionAllowed
 * condition, the fail-safe status.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../../api/kinds/core/pod.js';
import type { PodDisruptionBudget } from '../../api/kinds/policy/pod-disruption-budget.js';
import { countHealthy, DELETION_TIMEOUT_MS, disruptedPodMap, expectedPodCount, failSafeStatus, nextStatus, type ScaleOf } from './budget-status.js';

const NOW = Date.parse('2026-01-01T00:10:00Z');
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
const pod = (name: string, o: { ready?: boolean; owner?: string; deleting?: boolean } = {}): Pod => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: {
    name, namespace: 'app', labels: { app: 'web' },
    ...(o.owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: o.owner, uid: `uid-${o.owner}`, controller: true }] } : {}),
    ...(o.deleting ? { deletionTimestamp: iso(NOW) } : {}),
  },
  spec: { containers: [] },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] },
}) as Pod;
const pdb = (spec: PodDisruptionBudget['spec'], status?: PodDisruptionBudget['status'], generation = 1): PodDisruptionBudget => ({
  apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'b', namespace: 'app', generation }, spec: { selector: { matchLabels: { app: 'web' } }, ...spec }, ...(status ? { status } : {}),
});
const scales: ScaleOf = (ref) => ({ 'uid-rs1': { uid: 'uid-dep', scale: 4 }, 'uid-rs2': { uid: 'uid-rs2', scale: 2 } } as Record<string, { uid: string; scale: number }>)[ref.uid];

test('expectedPodCount: int minAvailable counts pods; percentages and maxUnavailable use the controllers scale', () => {
  const three = [pod('a', { owner: 'rs1' }), pod('b', { owner: 'rs1' }), pod('c', { owner: 'rs2' })];
  const cases: [string, PodDisruptionBudget['spec'], Pod[], number, number][] = [
    ['minAvailable 2 of 3 pods', { minAvailable: 2 }, three, 3, 2],
    ['minAvailable 50% of scale 4+2 (rounded up)', { minAvailable: '50%' }, three, 6, 3],
    ['minAvailable 34% of 6 rounds up', { minAvailable: '34%' }, three, 6, 3],
    ['maxUnavailable 1 of scale 6', { maxUnavailable: 1 }, three, 6, 5],
    ['maxUnavailable 50% of 6', { maxUnavailable: '50%' }, three, 6, 3],
    ['maxUnavailable above the scale: 0 desired', { maxUnavailable: 10 }, three, 6, 0],
    ['neither set', {}, three, 0, 0],
  ];
  for (const [what, spec, pods, expected, desired] of cases) {
    const r = expectedPodCount(pdb(spec), pods, scales);
    assert.deepEqual([r.expectedCount, r.desiredHealthy], [expected, desired], what);
  }
  const withOrphan = expectedPodCount(pdb({ maxUnavailable: 1 }), [...three, pod('loose')], scales);
  assert.deepEqual(withOrphan.unmanaged, ['loose']);
  assert.throws(() => expectedPodCount(pdb({ maxUnavailable: 1 }), [pod('x', { owner: 'gone' })], scales), /found no controllers for pod "x"/);
});

test('disruptedPodMap and countHealthy: evicted pods stop counting for 2 minutes, deleted ones drop out', () => {
  const recent = iso(NOW - 30_000);
  const old = iso(NOW - DELETION_TIMEOUT_MS - 1000);
  const budget = pdb({ minAvailable: 1 }, { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0, disruptedPods: { a: recent, b: old, c: recent, gone: recent } });
  const pods = [pod('a'), pod('b'), pod('c', { deleting: true }), pod('d'), pod('e', { ready: false })];
  const { kept, recheckAt, expired } = disruptedPodMap(pods, budget, NOW);
  assert.deepEqual(kept, { a: recent });
  assert.deepEqual(expired, ['b']);
  assert.equal(recheckAt, Date.parse(recent) + DELETION_TIMEOUT_MS);
  assert.equal(countHealthy(pods, kept, NOW), 2, 'b and d: a was just evicted, c is terminating, e is unready');
});

test('nextStatus: disruptionsAllowed, the DisruptionAllowed condition, and no write when nothing changed', () => {
  const now = new Date(NOW);
  const fresh = nextStatus(pdb({ minAvailable: 2 }), { currentHealthy: 3, desiredHealthy: 2, expectedCount: 3 }, {}, now)!;
  assert.equal(fresh.disruptionsAllowed, 1);
  assert.equal(fresh.observedGeneration, 1);
  assert.deepEqual(fresh.conditions!.map((c) => [c.type, c.status, c.reason, c.lastTransitionTime]), [['DisruptionAllowed', 'True', 'SufficientPods', iso(NOW)]]);
  assert.equal(nextStatus(pdb({ minAvailable: 2 }, fresh), { currentHealthy: 3, desiredHealthy: 2, expectedCount: 3 }, {}, new Date(NOW + 5000)), undefined, 'unchanged: no write');
  const short = nextStatus(pdb({ minAvailable: 2 }, fresh), { currentHealthy: 1, desiredHealthy: 2, expectedCount: 3 }, {}, new Date(NOW + 5000))!;
  assert.equal(short.disruptionsAllowed, 0);
  assert.deepEqual(short.conditions!.map((c) => [c.status, c.reason, c.lastTransitionTime]), [['False', 'InsufficientPods', iso(NOW + 5000)]]);
  assert.equal(nextStatus(pdb({ minAvailable: 0 }), { currentHealthy: 0, desiredHealthy: 0, expectedCount: 0 }, {}, now)!.disruptionsAllowed, 0, 'no expected pods: nothing allowed');
  assert.equal(nextStatus(pdb({ minAvailable: 2 }, fresh, 2), { currentHealthy: 3, desiredHealthy: 2, expectedCount: 3 }, {}, now)!.observedGeneration, 2, 'a new generation is written');
  const failed = failSafeStatus(pdb({ minAvailable: 2 }, fresh), 'found no controllers for pod "x"', now);
  assert.equal(failed.disruptionsAllowed, 0);
  assert.deepEqual(failed.conditions!.map((c) => [c.status, c.reason, c.message]), [['False', 'SyncFailed', 'found no controllers for pod "x"']]);
});
