/** Table-driven tests of the node lifecycle decisions: health from leases, taints, eviction timing, pod readiness. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod, Taint, Toleration } from '../../api/kinds/index.js';
import { clusterState, evictionsAllowed, noExecuteMode, ReadinessTally } from './disruption.js';
import { msUntilStale, observe, staleConditions } from './node-health.js';
import { notReadyConditions } from './pod-readiness.js';
import { readyStatus, reconcileTaints, TAINT_NOT_READY, TAINT_UNREACHABLE, TAINT_UNSCHEDULABLE, wantedConditionTaints } from './taints.js';
import { evictionDeadline, minTolerationMs, tolerates, withDefaultTolerations } from './tolerations.js';

const node = (ready: string | undefined, extra: Partial<Node['spec']> = {}): Node => ({
  apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', creationTimestamp: '2026-01-01T00:00:00Z' },
  spec: { ...extra },
  status: { conditions: ready === undefined ? [] : [{ type: 'Ready', status: ready, lastHeartbeatTime: '2026-01-01T00:00:05Z' }] },
});

test('observe: first sight, new renewTime, new heartbeat and silence', () => {
  const lease = (renewTime: string) => ({ spec: { renewTime } });
  const n = node('True');
  const cases: { name: string; prev?: { probeMs: number; heartbeat?: string; renewTime?: string }; lease?: string; want: number }[] = [
    { name: 'first sight starts the clock now', want: 1000 },
    { name: 'same renewTime and heartbeat: no sign of life', prev: { probeMs: 10, heartbeat: '2026-01-01T00:00:05Z', renewTime: 'a' }, lease: 'a', want: 10 },
    { name: 'renewed lease', prev: { probeMs: 10, heartbeat: '2026-01-01T00:00:05Z', renewTime: 'a' }, lease: 'b', want: 1000 },
    { name: 'new heartbeat without lease', prev: { probeMs: 10, heartbeat: 'old' }, want: 1000 },
  ];
  for (const c of cases) {
    const rec = observe(c.prev, n, c.lease === undefined ? undefined : lease(c.lease), 1000);
    assert.equal(rec.probeMs, c.want, c.name);
  }
  assert.equal(msUntilStale({ probeMs: 1000 }, 20_000, 21_000), 0);
  assert.ok(msUntilStale({ probeMs: 1000 }, 20_000, 20_999) > 0);
});

test('staleConditions: Unknown with upstream reasons, required conditions added, idempotent', () => {
  const now = new Date('2026-01-01T00:01:00Z');
  const conds = staleConditions(node('True'), now)!;
  const ready = conds.find((c) => c.type === 'Ready')!;
  assert.deepEqual(
    { status: ready.status, reason: ready.reason, message: ready.message, hb: ready.lastHeartbeatTime, tt: ready.lastTransitionTime },
    { status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', hb: '2026-01-01T00:00:05Z', tt: '2026-01-01T00:01:00Z' },
  );
  assert.deepEqual(conds.map((c) => c.type).sort(), ['DiskPressure', 'MemoryPressure', 'PIDPressure', 'Ready']);
  assert.equal(conds.find((c) => c.type === 'DiskPressure')!.reason, 'NodeStatusNeverUpdated');
  assert.equal(staleConditions({ ...node('True'), status: { conditions: conds } }, now), undefined);
});

test('wanted taints by Ready status and unschedulable', () => {
  const keys = (ts: Taint[]) => ts.map((t) => `${t.key}:${t.effect}`).sort();
  const cases: { ready?: string; unschedulable?: boolean; want: string[] }[] = [
    { ready: 'True', want: [] },
    { ready: 'False', want: [`${TAINT_NOT_READY}:NoExecute`, `${TAINT_NOT_READY}:NoSchedule`] },
    { ready: 'Unknown', want: [`${TAINT_UNREACHABLE}:NoExecute`, `${TAINT_UNREACHABLE}:NoSchedule`] },
    { ready: undefined, want: [`${TAINT_UNREACHABLE}:NoExecute`, `${TAINT_UNREACHABLE}:NoSchedule`] },
    { ready: 'True', unschedulable: true, want: [`${TAINT_UNSCHEDULABLE}:NoSchedule`] },
  ];
  for (const c of cases) assert.deepEqual(keys(wantedConditionTaints(node(c.ready, { unschedulable: c.unschedulable }))), c.want, JSON.stringify(c));
  assert.equal(readyStatus(node(undefined)), 'Unknown');
});

test('TaintNodesByCondition: pressure conditions True give NoSchedule taints (upstream nodeConditionToTaintKeyStatusMap)', () => {
  const withConds = (conds: Record<string, string>): Node => {
    const n = node('True');
    for (const [type, status] of Object.entries(conds)) n.status!.conditions!.push({ type, status });
    return n;
  };
  const keys = (ts: Taint[]) => ts.map((t) => `${t.key}:${t.effect}`).sort();
  assert.deepEqual(keys(wantedConditionTaints(withConds({ MemoryPressure: 'True', DiskPressure: 'False', PIDPressure: 'False' }))), ['node.kubernetes.io/memory-pressure:NoSchedule']);
  assert.deepEqual(keys(wantedConditionTaints(withConds({ MemoryPressure: 'False', DiskPressure: 'True', PIDPressure: 'True', NetworkUnavailable: 'True' }))),
    ['node.kubernetes.io/disk-pressure:NoSchedule', 'node.kubernetes.io/network-unavailable:NoSchedule', 'node.kubernetes.io/pid-pressure:NoSchedule']);
  // The taint goes once the condition is False again; a foreign taint stays.
  const foreign: Taint = { key: 'example.com/x', effect: 'NoSchedule' };
  const relieved = withConds({ MemoryPressure: 'False' });
  relieved.spec = { taints: [foreign, { key: 'node.kubernetes.io/memory-pressure', effect: 'NoSchedule' }] };
  assert.deepEqual(reconcileTaints(relieved, new Date()), [foreign]);
});

test('reconcileTaints keeps foreign taints and timeAdded, swaps not-ready for unreachable', () => {
  const now = new Date('2026-01-01T00:02:00Z');
  const foreign: Taint = { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' };
  const old: Taint = { key: TAINT_UNREACHABLE, effect: 'NoExecute', timeAdded: '2026-01-01T00:00:30Z' };
  // Unknown, already tainted: nothing to do.
  assert.equal(reconcileTaints(node('Unknown', { taints: [foreign, old, { key: TAINT_UNREACHABLE, effect: 'NoSchedule' }] }), now), undefined);
  // Ready again: only the foreign taint stays.
  assert.deepEqual(reconcileTaints(node('True', { taints: [foreign, old] }), now), [foreign]);
  // NotReady after Unreachable: swapped, new NoExecute stamped now.
  const next = reconcileTaints(node('False', { taints: [foreign, old] }), now)!;
  assert.deepEqual(next, [foreign, { key: TAINT_NOT_READY, effect: 'NoSchedule' }, { key: TAINT_NOT_READY, effect: 'NoExecute', timeAdded: '2026-01-01T00:02:00Z' }]);
  // Healthy and untainted: nothing.
  assert.equal(reconcileTaints(node('True'), now), undefined);
  // Disruption modes: keep present NoExecute taints but add none; or remove them.
  const ns: Taint = { key: TAINT_UNREACHABLE, effect: 'NoSchedule' };
  assert.deepEqual(reconcileTaints(node('Unknown', { taints: [foreign] }), now, 'keep'), [foreign, ns]);
  assert.equal(reconcileTaints(node('Unknown', { taints: [old, ns] }), now, 'keep'), undefined);
  assert.deepEqual(reconcileTaints(node('Unknown', { taints: [foreign, old, ns] }), now, 'remove'), [foreign, ns]);
});

test('tolerates: operators, empty key and effect (Toleration.ToleratesTaint)', () => {
  const taint: Taint = { key: 'k', value: 'v', effect: 'NoExecute' };
  const cases: [Toleration, boolean][] = [
    [{ key: 'k', operator: 'Equal', value: 'v' }, true],
    [{ key: 'k', value: 'v' }, true],
    [{ key: 'k', value: 'w' }, false],
    [{ key: 'k', operator: 'Exists' }, true],
    [{ operator: 'Exists' }, true],
    [{ key: 'k', operator: 'Exists', effect: 'NoSchedule' }, false],
    [{ key: 'other', operator: 'Exists' }, false],
  ];
  for (const [t, want] of cases) assert.equal(tolerates(t, taint), want, JSON.stringify(t));
});

test('eviction timing from tolerations (upstream getMinTolerationTime)', () => {
  const unreachable: Taint = { key: TAINT_UNREACHABLE, effect: 'NoExecute', timeAdded: '2026-01-01T00:00:00Z' };
  const noSched: Taint = { key: TAINT_UNREACHABLE, effect: 'NoSchedule' };
  const t0 = Date.parse(unreachable.timeAdded!);
  const at = () => t0;
  const cases: { name: string; tol: Toleration[]; taints: Taint[]; want: number | undefined }[] = [
    { name: 'no toleration: at once', tol: [], taints: [unreachable], want: t0 },
    { name: 'tolerated forever', tol: [{ key: TAINT_UNREACHABLE, operator: 'Exists' }], taints: [unreachable], want: undefined },
    { name: 'tolerated 30 s', tol: [{ key: TAINT_UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 }], taints: [unreachable], want: t0 + 30_000 },
    { name: 'smallest of two matching', tol: [{ operator: 'Exists', tolerationSeconds: 50 }, { key: TAINT_UNREACHABLE, operator: 'Exists', tolerationSeconds: 7 }], taints: [unreachable], want: t0 + 7_000 },
    { name: 'negative means now', tol: [{ operator: 'Exists', tolerationSeconds: -5 }], taints: [unreachable], want: t0 },
    { name: 'NoSchedule taints never evict', tol: [], taints: [noSched], want: undefined },
    { name: 'one untolerated taint among tolerated ones: at once', tol: [{ key: TAINT_UNREACHABLE, operator: 'Exists' }], taints: [unreachable, { key: 'x', effect: 'NoExecute' }], want: t0 },
  ];
  for (const c of cases) assert.equal(evictionDeadline(c.tol, c.taints, at), c.want, c.name);
  assert.equal(minTolerationMs([], []), Infinity);
});

test('default tolerations are added only when the pod has none for the key', () => {
  const mine: Toleration = { key: TAINT_UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 600 };
  const got = withDefaultTolerations([mine], 15);
  assert.deepEqual(got, [mine, { key: TAINT_NOT_READY, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 15 }]);
  assert.deepEqual(withDefaultTolerations([{ operator: 'Exists' }], 15), [{ operator: 'Exists' }], 'a tolerate-everything toleration covers both');
  assert.deepEqual(withDefaultTolerations(undefined, undefined), []);
  assert.equal(evictionDeadline(withDefaultTolerations([], 15), [{ key: TAINT_UNREACHABLE, effect: 'NoExecute' }], () => 0), 15_000);
});

test('notReadyConditions flips Ready only, skips finished pods', () => {
  const now = new Date('2026-01-01T00:03:00Z');
  const pod = (phase: NonNullable<Pod['status']>['phase'], ready: string): Pick<Pod, 'status'> => ({ status: { phase, conditions: [{ type: 'Ready', status: ready }, { type: 'PodScheduled', status: 'True' }] } });
  assert.deepEqual(notReadyConditions(pod('Running', 'True'), now), [{ type: 'Ready', status: 'False', lastTransitionTime: '2026-01-01T00:03:00Z' }, { type: 'PodScheduled', status: 'True' }]);
  assert.equal(notReadyConditions(pod('Running', 'False'), now), undefined);
  assert.equal(notReadyConditions(pod('Succeeded', 'True'), now), undefined);
});

test('disruption guard: no eviction when no node is Ready, or most of a small cluster is down', () => {
  const nodes = (ready: number, down: number) => [...Array(ready).fill(node('True')), ...Array(down).fill(node('Unknown'))];
  const cases: [number, number, string, boolean][] = [
    [3, 1, 'Normal', true],
    [0, 1, 'FullDisruption', false],
    [0, 5, 'FullDisruption', false],
    [2, 2, 'Normal', true], // not more than two down
    [2, 3, 'PartialDisruption', false], // 60 % of 5
    [40, 60, 'PartialDisruption', true], // large clusters keep evicting (upstream: at a reduced rate)
    [5, 3, 'Normal', true],
  ];
  for (const [r, d, state, allowed] of cases) {
    assert.equal(clusterState(nodes(r, d)), state, `${r} ready, ${d} down`);
    assert.equal(evictionsAllowed(clusterState(nodes(r, d)), r + d), allowed, `${r} ready, ${d} down`);
  }
  assert.equal(noExecuteMode('FullDisruption', 3), 'remove');
  assert.equal(noExecuteMode('PartialDisruption', 5), 'keep');
  assert.equal(noExecuteMode('PartialDisruption', 100), 'add');
  assert.equal(noExecuteMode('Normal', 1), 'add');
});

test('ReadinessTally tracks the cluster state node by node, as clusterState over every node', () => {
  const statuses = ['True', 'False', 'Unknown'] as const;
  const tally = new ReadinessTally();
  const nodes = new Map<string, Pick<Node, 'metadata' | 'status'>>();
  let seed = 7;
  const rand = (n: number) => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
  for (let step = 0; step < 2000; step++) {
    const name = `n${rand(12)}`;
    if (rand(10) === 0) {
      nodes.delete(name);
      tally.delete(name);
    } else {
      const n = { metadata: { name }, status: { conditions: [{ type: 'Ready', status: statuses[rand(3)]! }] } };
      nodes.set(name, n);
      tally.set(n);
    }
    assert.equal(tally.size, nodes.size);
    assert.equal(tally.state(), clusterState([...nodes.values()]), `step ${step}`);
  }
  // A node without a Ready condition counts as not ready, as in clusterState.
  const t = new ReadinessTally();
  t.set({ metadata: { name: 'a' }, status: {} });
  assert.equal(t.state(), 'FullDisruption');
  t.delete('a');
  t.delete('a');
  assert.equal(t.state(), 'Normal');
  assert.equal(t.size, 0);
});
