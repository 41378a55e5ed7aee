import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CycleState } from '../../framework/cycle-state.js';
import { NodeInfo } from '../../framework/node-info.js';
import { newPodInfo } from '../../framework/pod-info.js';
import { Snapshot } from '../../framework/snapshot.js';
import { Code } from '../../framework/status.js';
import { LABEL_HOSTNAME } from '../../framework/types.js';
import { labelledNode, makePod } from '../../testing/wrappers.js';
import { newPodTopologySpread } from './pod-topology-spread.js';

type Soft = { key: string; maxSkew?: number; selector?: 'foo' | 'bar' };

/** The incoming pod, labelled foo and bar, with ScheduleAnyway constraints selecting `<selector> Exists`. */
function incoming(...constraints: Soft[]) {
  const pod = makePod().name('p').label('foo', '').label('bar', '').obj();
  pod.spec.topologySpreadConstraints = constraints.map((c) => ({
    maxSkew: c.maxSkew ?? 1, topologyKey: c.key, whenUnsatisfiable: 'ScheduleAnyway' as const,
    labelSelector: { matchExpressions: [{ key: c.selector ?? 'foo', operator: 'Exists' as const }] },
  }));
  return pod;
}

const node = labelledNode;
const host = (n: string, zone?: string) => ({ [LABEL_HOSTNAME]: n, ...(zone ? { zone } : {}) });
const foo = (n: number) => Array.from({ length: n }, () => ['foo']);

/** Scores of the feasible nodes (all but `failed`), run as the framework runs PreScore, Score, NormalizeScore. */
function scores(pod: ReturnType<typeof incoming>, all: NodeInfo[], failed: string[] = []): Record<string, number> {
  const plugin = newPodTopologySpread();
  const feasible = all.filter((n) => !failed.includes(n.name));
  const info = newPodInfo(pod);
  const state = new CycleState();
  assert.equal(plugin.preScore(state, info, feasible, new Snapshot(all)).code, Code.Success);
  const s = feasible.map((n) => plugin.score(state, info, n));
  plugin.normalizeScore!(state, info, s);
  return Object.fromEntries(feasible.map((n, i) => [n.name, s[i]!]));
}

// Cases and expected scores from upstream's podtopologyspread scoring_test.go (TestPodTopologySpreadScore).
test('PodTopologySpread scores ScheduleAnyway constraints as upstream', async (t) => {
  const cases: Array<{ name: string; pod: ReturnType<typeof incoming>; nodes: NodeInfo[]; failed?: string[]; want: Record<string, number> }> = [
    {
      name: 'one constraint on node, all 4 nodes are candidates, maxSkew=2 (2/1/0/3)',
      pod: incoming({ key: LABEL_HOSTNAME, maxSkew: 2 }),
      nodes: [node('node-a', host('node-a'), foo(2)), node('node-b', host('node-b'), foo(1)), node('node-c', host('node-c')), node('node-d', host('node-d'), foo(3))],
      want: { 'node-a': 33, 'node-b': 66, 'node-c': 100, 'node-d': 16 },
    },
    {
      name: 'one constraint on node, all 4 nodes are candidates, maxSkew=3 (4/3/2/1)',
      pod: incoming({ key: LABEL_HOSTNAME, maxSkew: 3 }),
      nodes: [node('node-a', host('node-a'), foo(4)), node('node-b', host('node-b'), foo(3)), node('node-c', host('node-c'), foo(2)), node('node-d', host('node-d'), foo(1))],
      want: { 'node-a': 44, 'node-b': 66, 'node-c': 77, 'node-d': 100 },
    },
    {
      name: 'one constraint on node, 3 out of 4 nodes are candidates',
      pod: incoming({ key: LABEL_HOSTNAME }),
      nodes: [node('node-a', host('node-a'), foo(4)), node('node-b', host('node-b'), foo(2)), node('node-x', host('node-x'), foo(1)), node('node-y', host('node-y'), foo(3))],
      failed: ['node-y'],
      want: { 'node-a': 33, 'node-b': 83, 'node-x': 100 },
    },
    {
      name: "one constraint on node, 3 out of 4 nodes are candidates, one node doesn't match topology key",
      pod: incoming({ key: LABEL_HOSTNAME }),
      nodes: [node('node-a', host('node-a'), foo(4)), node('node-b', { n: 'node-b' }, foo(2)), node('node-x', host('node-x'), foo(1)), node('node-y', host('node-y'), foo(3))],
      failed: ['node-y'],
      want: { 'node-a': 16, 'node-b': 0, 'node-x': 100 },
    },
    {
      name: 'one constraint on zone, 3 out of 4 nodes are candidates',
      pod: incoming({ key: 'zone' }),
      nodes: [node('node-a', host('node-a', 'zone1'), foo(4)), node('node-b', host('node-b', 'zone1'), foo(2)), node('node-x', host('node-x', 'zone2'), foo(1)), node('node-y', host('node-y', 'zone2'), foo(3))],
      failed: ['node-y'],
      want: { 'node-a': 75, 'node-b': 75, 'node-x': 100 },
    },
    {
      name: 'two constraints on zone and node, 2 out of 4 nodes are candidates',
      pod: incoming({ key: 'zone' }, { key: LABEL_HOSTNAME }),
      nodes: [node('node-a', host('node-a', 'zone1'), foo(2)), node('node-x', host('node-x', 'zone2'), foo(2)), node('node-b', host('node-b', 'zone1'), foo(1)), node('node-y', host('node-y', 'zone2'), foo(4))],
      failed: ['node-b', 'node-y'],
      want: { 'node-a': 100, 'node-x': 63 },
    },
    {
      name: 'two constraints on zone and node, with different label selectors',
      pod: incoming({ key: 'zone' }, { key: LABEL_HOSTNAME, selector: 'bar' }),
      nodes: [node('node-a', host('node-a', 'zone1'), [['foo']]), node('node-b', host('node-b', 'zone1'), [['foo', 'bar']]), node('node-x', host('node-x', 'zone2')), node('node-y', host('node-y', 'zone2'), [['foo'], ['bar']])],
      want: { 'node-a': 60, 'node-b': 20, 'node-x': 100, 'node-y': 60 },
    },
    {
      name: 'two constraints on zone and node, with different label selectors, some nodes have 0 pods',
      pod: incoming({ key: 'zone' }, { key: LABEL_HOSTNAME, selector: 'bar' }),
      nodes: [node('node-a', host('node-a', 'zone1')), node('node-b', host('node-b', 'zone1'), [['bar']]), node('node-x', host('node-x', 'zone2'), [['foo']]), node('node-y', host('node-y', 'zone2'), [['foo', 'bar']])],
      want: { 'node-a': 100, 'node-b': 60, 'node-x': 40, 'node-y': 0 },
    },
  ];
  for (const c of cases) await t.test(c.name, () => assert.deepEqual(scores(c.pod, c.nodes, c.failed), c.want));

  await t.test('an empty labelSelector counts no pods (upstream countPodsMatchSelector: Everything is Empty)', () => {
    const pod = incoming({ key: LABEL_HOSTNAME });
    pod.spec.topologySpreadConstraints![0]!.labelSelector = {};
    assert.deepEqual(scores(pod, [node('node-a', host('node-a'), foo(2)), node('node-b', host('node-b'))]), { 'node-a': 100, 'node-b': 100 });
  });
  await t.test('pods without ScheduleAnyway constraints skip scoring', () => {
    const state = new CycleState();
    const nodes = [node('node-a', host('node-a'))];
    assert.equal(newPodTopologySpread().preScore(state, makePod().info(), nodes, new Snapshot(nodes)).code, Code.Skip);
  });
});
