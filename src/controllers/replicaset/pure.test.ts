/** Table-driven tests of the ReplicaSet controller's pure parts: deletion order, expectations, status, claims, batching. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { indirectlyRelatedPods, podsToDelete } from './pod-ranking.js';
import { Expectations } from '../../controller-runtime/workload/expectations.js';
import { calculateReplicaSetStatus } from './replicaset-status.js';
import { planClaims } from '../../controller-runtime/workload/controller-ref.js';
import { slowStartBatch } from '../../controller-runtime/workload/slow-start.js';
import { isPodAvailable, podDeletionCost } from '../../controller-runtime/workload/pod-state.js';
import type { Pod } from '../../api/kinds/core/pod.js';
import type { ReplicaSet } from '../../controller-runtime/workload/types.js';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const ago = (s: number) => new Date(NOW - s * 1000).toISOString();

interface PodOpts { node?: string; phase?: NonNullable<Pod['status']>['phase']; ready?: boolean; readyAgo?: number; createdAgo?: number; restarts?: number; cost?: string; uid?: string; labels?: Record<string, string>; owner?: string; deleting?: boolean }
function pod(name: string, o: PodOpts = {}): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name, namespace: 'ns', uid: o.uid ?? `uid-${name}`, labels: o.labels ?? { app: 'web' },
      creationTimestamp: ago(o.createdAgo ?? 3600),
      ...(o.cost !== undefined ? { annotations: { 'controller.kubernetes.io/pod-deletion-cost': o.cost } } : {}),
      ...(o.owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: o.owner, controller: true }] } : {}),
      ...(o.deleting ? { deletionTimestamp: ago(0) } : {}),
    },
    spec: { containers: [], ...(o.node === undefined ? {} : { nodeName: o.node }) },
    status: {
      phase: o.phase ?? 'Running',
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: ago(o.readyAgo ?? 600) }],
      containerStatuses: [{ name: 'c', restartCount: o.restarts ?? 0 }],
    },
  };
}

test('podsToDelete: upstream ActivePods ordering, one rule at a time', () => {
  const cases: { name: string; pods: Pod[]; want: string }[] = [
    { name: 'unscheduled before scheduled', pods: [pod('a', { node: 'n1' }), pod('b')], want: 'b' },
    { name: 'Pending before Unknown before Running', pods: [pod('a', { node: 'n', phase: 'Running' }), pod('b', { node: 'n', phase: 'Unknown' }), pod('c', { node: 'n', phase: 'Pending' })], want: 'c' },
    { name: 'not ready before ready', pods: [pod('a', { node: 'n' }), pod('b', { node: 'n', ready: false })], want: 'b' },
    { name: 'lower deletion cost first', pods: [pod('a', { node: 'n', cost: '10' }), pod('b', { node: 'n', cost: '-5' })], want: 'b' },
    { name: 'doubled-up node first', pods: [pod('a', { node: 'n1' }), pod('b', { node: 'n2' }), pod('c', { node: 'n2', createdAgo: 99999 })], want: 'b' },
    { name: 'ready more recently first (different log2 buckets)', pods: [pod('a', { node: 'n', readyAgo: 4000 }), pod('b', { node: 'n', readyAgo: 10 })], want: 'b' },
    { name: 'more restarts first', pods: [pod('a', { node: 'n' }), pod('b', { node: 'n', restarts: 3 })], want: 'b' },
    { name: 'newer first', pods: [pod('a', { node: 'n', createdAgo: 86400 }), pod('b', { node: 'n', createdAgo: 60 })], want: 'b' },
    { name: 'same log2 bucket: uid decides', pods: [pod('a', { node: 'n', createdAgo: 100, uid: 'z' }), pod('b', { node: 'n', createdAgo: 101, uid: 'a' })], want: 'b' },
  ];
  for (const c of cases) {
    const got = podsToDelete(c.pods, c.pods, 1, NOW).map((p) => p.metadata.name);
    assert.deepEqual(got, [c.want], c.name);
    // order of input must not matter
    const rev = podsToDelete([...c.pods].reverse(), c.pods, 1, NOW).map((p) => p.metadata.name);
    assert.deepEqual(rev, [c.want], `${c.name} (reversed input)`);
  }
});

test('podsToDelete: earlier rules win over later ones; count >= len returns all', () => {
  // unscheduled-but-old beats scheduled-not-ready
  const pods = [pod('old-unscheduled', { createdAgo: 99999 }), pod('new-notready', { node: 'n', ready: false, createdAgo: 1 })];
  assert.deepEqual(podsToDelete(pods, pods, 1, NOW).map((p) => p.metadata.name), ['old-unscheduled']);
  assert.equal(podsToDelete(pods, pods, 5, NOW).length, 2);
});

test('indirectlyRelatedPods: pods selected by ReplicaSets sharing the controller; none for a bare ReplicaSet (upstream getIndirectlyRelatedPods)', () => {
  const rs = (name: string, app: string, owner?: string): ReplicaSet => ({
    apiVersion: 'apps/v1', kind: 'ReplicaSet',
    metadata: { name, namespace: 'ns', uid: `uid-${name}`, ...(owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'd', uid: owner, controller: true }] } : {}) },
    spec: { selector: { matchLabels: { app } }, template: {} },
  });
  const webA = pod('web-a', { node: 'n1', labels: { app: 'web' } });
  const oldA = pod('old-a', { node: 'n1', labels: { app: 'old' } });
  const other = pod('other', { node: 'n1', labels: { app: 'other' } });
  const all = [webA, oldA, other];
  const sel = (r: ReplicaSet) => r.spec.selector;
  const bad: ReplicaSet = { ...rs('bad', 'x', 'd1'), spec: { selector: { matchExpressions: [{ key: 'app', operator: 'Bogus' }] }, template: {} } };
  const cases: { name: string; rs: ReplicaSet; siblings: ReplicaSet[]; want: string[] }[] = [
    { name: 'bare ReplicaSet: none', rs: rs('web', 'web'), siblings: [rs('web', 'web')], want: [] },
    { name: 'one Deployment: its ReplicaSets\' pods by selector', rs: rs('web', 'web', 'd1'), siblings: [rs('web', 'web', 'd1'), rs('old', 'old', 'd1'), rs('other', 'other', 'd2')], want: ['web-a', 'old-a'] },
    { name: 'a sibling with an invalid selector selects nothing', rs: rs('web', 'web', 'd1'), siblings: [rs('web', 'web', 'd1'), bad], want: ['web-a'] },
  ];
  for (const c of cases) {
    assert.deepEqual(indirectlyRelatedPods(c.rs, c.siblings, all, sel).map((p) => p.metadata.name), c.want, c.name);
  }
  // What it changes: a bare ReplicaSet with two pods on n1 and one (restarted more) on n2 deletes by
  // restarts, not co-location; with a Deployment's sibling pods counted, the doubled-up node goes first.
  const mine = [pod('a', { node: 'n1', uid: 'a' }), pod('b', { node: 'n1', uid: 'b' }), pod('c', { node: 'n2', restarts: 3 })];
  const bare = rs('web', 'web');
  assert.deepEqual(podsToDelete(mine, indirectlyRelatedPods(bare, [bare], mine, sel), 1, NOW).map((p) => p.metadata.name), ['c']);
  const owned = rs('web', 'web', 'd1');
  assert.deepEqual(podsToDelete(mine, indirectlyRelatedPods(owned, [owned], mine, sel), 1, NOW).map((p) => p.metadata.name), ['a']);
});

test('podDeletionCost: invalid values count as 0, as upstream', () => {
  const table: [string, number][] = [['5', 5], ['-7', -7], ['0', 0], ['+3', 0], ['007', 0], ['abc', 0], ['99999999999', 0]];
  for (const [v, want] of table) assert.equal(podDeletionCost(pod('p', { cost: v })), want, v);
});

test('isPodAvailable: ready for strictly longer than minReadySeconds', () => {
  assert.equal(isPodAvailable(pod('p', { readyAgo: 10 }), 0, NOW), true);
  assert.equal(isPodAvailable(pod('p', { readyAgo: 10 }), 10, NOW), false);
  assert.equal(isPodAvailable(pod('p', { readyAgo: 11 }), 10, NOW), true);
  assert.equal(isPodAvailable(pod('p', { ready: false }), 0, NOW), false);
});

test('Expectations: satisfied only after every expected event, or after the TTL', () => {
  let now = 0;
  const e = new Expectations({ now: () => now }, 1000);
  assert.equal(e.satisfied('ns/rs'), true, 'no record: satisfied');
  e.expectCreations('ns/rs', 2);
  assert.equal(e.satisfied('ns/rs'), false);
  e.creationObserved('ns/rs');
  assert.equal(e.satisfied('ns/rs'), false);
  e.creationObserved('ns/rs');
  assert.equal(e.satisfied('ns/rs'), true);
  e.expectDeletions('ns/rs', ['ns/a', 'ns/b']);
  e.deletionObserved('ns/rs', 'ns/a');
  e.deletionObserved('ns/rs', 'ns/a'); // the same pod twice counts once
  assert.equal(e.satisfied('ns/rs'), false);
  now = 1001;
  assert.equal(e.satisfied('ns/rs'), true, 'expired');
  e.delete('ns/rs');
  assert.equal(e.pending('ns/rs'), undefined);
});

const rs = (o: Partial<ReplicaSet['spec']> = {}, status?: ReplicaSet['status']): ReplicaSet => ({
  apiVersion: 'apps/v1', kind: 'ReplicaSet',
  metadata: { name: 'rs', namespace: 'ns', uid: 'rs-uid', generation: 4 },
  spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web', tier: 'fe' } } }, ...o },
  ...(status ? { status } : {}),
});

test('calculateReplicaSetStatus: counts, observedGeneration and the ReplicaFailure condition', () => {
  const pods = [
    pod('a', { labels: { app: 'web', tier: 'fe' }, readyAgo: 100 }),
    pod('b', { labels: { app: 'web' }, readyAgo: 5 }),
    pod('c', { labels: { app: 'web', tier: 'fe' }, ready: false }),
  ];
  const st = calculateReplicaSetStatus(rs({ minReadySeconds: 30 }), pods, undefined, NOW);
  assert.deepEqual(st, { replicas: 3, fullyLabeledReplicas: 2, readyReplicas: 2, availableReplicas: 1, observedGeneration: 4 });
  const failed = calculateReplicaSetStatus(rs({ replicas: 5 }), pods, new Error('quota exceeded'), NOW);
  assert.equal(failed.conditions?.[0]?.type, 'ReplicaFailure');
  assert.equal(failed.conditions?.[0]?.reason, 'FailedCreate');
  const cleared = calculateReplicaSetStatus(rs({ replicas: 3 }, failed), pods, undefined, NOW);
  assert.equal(cleared.conditions, undefined);
});

test('planClaims: adopt matching orphans, release non-matching owned pods, ignore others', () => {
  const owner = rs();
  const pods = [
    pod('mine', { owner: 'rs-uid' }),
    pod('mine-relabelled', { owner: 'rs-uid', labels: { app: 'other' } }),
    pod('orphan'),
    pod('orphan-nomatch', { labels: { app: 'other' } }),
    pod('orphan-deleting', { deleting: true }),
    pod('theirs', { owner: 'other-uid' }),
  ];
  const plan = planClaims(owner, owner.spec.selector, pods);
  const names = (xs: readonly { metadata: { name?: string } }[]) => xs.map((x) => x.metadata.name);
  assert.deepEqual(names(plan.owned), ['mine']);
  assert.deepEqual(names(plan.adopt), ['orphan']);
  assert.deepEqual(names(plan.release), ['mine-relabelled']);
  const deleting = { ...owner, metadata: { ...owner.metadata, deletionTimestamp: ago(0) } };
  const p2 = planClaims(deleting, owner.spec.selector, pods);
  assert.deepEqual([names(p2.owned), names(p2.adopt), names(p2.release)], [['mine'], [], []], 'a deleting owner neither adopts nor releases');
});

test('slowStartBatch: batches 1, 2, 4 ... and stops after the first failing batch', async () => {
  const sizes: number[] = [];
  let calls = 0;
  let inBatch = 0;
  const r = await slowStartBatch(10, 1, async () => {
    calls++;
    inBatch++;
    await Promise.resolve();
    if (inBatch > 0) { sizes.push(inBatch); inBatch = 0; }
  });
  assert.deepEqual(r, { successes: 10 });
  assert.equal(calls, 10);
  let n = 0;
  const failing = await slowStartBatch(20, 1, async () => {
    n++;
    if (n === 5) throw new Error('boom');
  });
  // batches 1, 2, 4: the 5th call fails in the third batch, so 7 calls, 6 successes
  assert.equal(n, 7);
  assert.equal(failing.successes, 6);
  assert.equal(failing.error?.message, 'boom');
});

test('slowStartBatch: a batch larger than the concurrency cap runs in waves, every call still made', async () => {
  let active = 0;
  let peak = 0;
  let calls = 0;
  const r = await slowStartBatch(100, 1, async () => {
    calls++;
    peak = Math.max(peak, ++active);
    await new Promise((res) => setImmediate(res));
    active--;
    if (calls === 90) throw new Error('late failure');
  }, 8);
  // batches 1, 2, 4, 8, 16, 32 (63 calls), then 37: the 90th call fails inside the last batch, which still completes
  assert.equal(peak, 8);
  assert.equal(calls, 100);
  assert.equal(r.successes, 99);
  assert.equal(r.error?.message, 'late failure');
});
