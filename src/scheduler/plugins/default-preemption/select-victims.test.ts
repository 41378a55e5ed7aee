/**
 * DefaultPreemption's victim selection, table-tested as upstream's default_preemption_test.go
 * (TestSelectNodesForPreemption / TestPickOneNodeForPreemption): lowest-priority victims, budget
 * violations avoided first, then the node whose victims matter least; preemptionPolicy Never.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PodDisruptionBudget } from '../../../api/kinds/policy/pod-disruption-budget.js';
import { CycleState } from '../../framework/cycle-state.js';
import type { NodeInfo } from '../../framework/node-info.js';
import type { PodInfo } from '../../framework/pod-info.js';
import { buildProfile } from '../../framework/profile.js';
import { schedulePod } from '../../framework/schedule-pod.js';
import { Snapshot } from '../../framework/snapshot.js';
import { makeNode, makePod } from '../../testing/wrappers.js';
import { newNodeResourcesFit } from '../node-resources-fit/node-resources-fit.js';
import { inTreeRegistry } from '../registry.js';
import { notEligibleReason, pickOneNode, selectVictimsOnNode, splitByBudgetViolation, type Victims } from './select-victims.js';

const fit = newNodeResourcesFit();
/** NodeResourcesFit as the only filter: does `pod` fit `n`? */
const fitsFor = (pod: PodInfo) => {
  const state = new CycleState();
  return (n: NodeInfo) => fit.filter(state, pod, n).isSuccess();
};
const low = (name: string, cpu: string, prio: number, labels: Record<string, string> = {}) => {
  const w = makePod().name(name).req({ cpu }).priority(prio);
  for (const [k, v] of Object.entries(labels)) w.label(k, v);
  return w.obj();
};
const budget = (name: string, allowed: number, app: string, disrupted: string[] = []): PodDisruptionBudget => ({
  apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name, namespace: 'default' }, spec: { selector: { matchLabels: { app } } },
  status: { disruptionsAllowed: allowed, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0, disruptedPods: Object.fromEntries(disrupted.map((p) => [p, '2026-01-01T00:00:00Z'])) },
});
const names = (v: Victims | undefined) => v?.pods.map((p) => p.pod.metadata.name);

test('selectVictimsOnNode: the fewest, least important lower-priority pods; budget-violating ones spared when possible', () => {
  const high = makePod().name('high').req({ cpu: '2' }).priority(100).info();
  const node = (...pods: ReturnType<typeof low>[]) => makeNode().name('n').alloc({ cpu: '4', pods: 110 }).info(...pods);
  const cases: [string, NodeInfo, PodDisruptionBudget[], string[] | undefined, number][] = [
    ['one low pod is enough', node(low('a', '2', 10), low('b', '2', 5)), [], ['b'], 0],
    ['equal or higher priority never evicted', node(low('a', '2', 100), low('b', '2', 200)), [], undefined, 0],
    ['removing all lower pods does not help', node(low('a', '3', 200), low('b', '1', 1)), [], undefined, 0],
    ['two small victims needed', node(low('a', '1', 1), low('b', '1', 2), low('c', '2', 300)), [], ['b', 'a'], 0],
    ['budget-protected pod reprieved first', node(low('a', '2', 5, { app: 'db' }), low('b', '2', 5, { app: 'web' })), [budget('db', 0, 'db')], ['b'], 0],
    ['budget with room: either is fine, lowest importance goes', node(low('a', '2', 5, { app: 'db' }), low('b', '2', 6)), [budget('db', 1, 'db')], ['a'], 0],
    ['only protected pods: violation counted', node(low('a', '2', 5, { app: 'db' }), low('b', '2', 6, { app: 'db' })), [budget('db', 0, 'db')], ['a'], 1],
    ['a pod already in disruptedPods spends nothing', node(low('a', '2', 5, { app: 'db' }), low('b', '2', 6, { app: 'db' })), [budget('db', 0, 'db', ['a'])], ['a'], 0],
  ];
  for (const [what, n, pdbs, want, violations] of cases) {
    const v = selectVictimsOnNode(high, n, pdbs, fitsFor(high));
    assert.deepEqual(names(v), want, what);
    if (v) assert.equal(v.numPDBViolations, violations, what);
  }
});

test('splitByBudgetViolation: each selected pod spends one disruption of every matching budget', () => {
  const pods = ['a', 'b', 'c'].map((n) => makePod().name(n).label('app', 'web').info());
  const { violating, nonViolating } = splitByBudgetViolation(pods, [budget('web', 1, 'web'), budget('empty', 0, 'none')]);
  assert.deepEqual(nonViolating.map((p) => p.pod.metadata.name), ['a']);
  assert.deepEqual(violating.map((p) => p.pod.metadata.name), ['b', 'c']);
});

test('pickOneNode: fewest violations, then lowest top priority, lowest sum, fewest victims, latest start', () => {
  const v = (numPDBViolations: number, ...pods: [string, number, string?][]): Victims => ({
    numPDBViolations,
    pods: pods.map(([n, p, start]) => {
      const info = makePod().name(n).priority(p).info();
      if (start) info.pod.status = { startTime: start };
      return info;
    }),
  });
  const cases: [string, [string, Victims][], string | undefined][] = [
    ['nothing to pick', [], undefined],
    ['a node without victims wins at once', [['n1', v(0, ['a', 1])], ['n2', v(0)]], 'n2'],
    ['fewer violations', [['n1', v(1, ['a', 1])], ['n2', v(0, ['b', 50])]], 'n2'],
    ['lower highest priority', [['n1', v(0, ['a', 20])], ['n2', v(0, ['b', 10], ['c', 10])]], 'n2'],
    ['lower sum', [['n1', v(0, ['a', 10], ['b', 9])], ['n2', v(0, ['c', 10], ['d', 1])]], 'n2'],
    ['fewer victims', [['n1', v(0, ['a', 10], ['b', -10], ['c', 0])], ['n2', v(0, ['d', 10], ['e', -10])]], 'n2'],
    ['latest start of the top victims', [['n1', v(0, ['a', 10, '2026-01-01T00:00:00Z'])], ['n2', v(0, ['b', 10, '2026-01-02T00:00:00Z'])]], 'n2'],
    ['all equal: first', [['n1', v(0, ['a', 10])], ['n2', v(0, ['b', 10])]], 'n1'],
  ];
  for (const [what, cands, want] of cases) assert.equal(pickOneNode(new Map(cands)), want, what);
});

test('notEligibleReason: preemptionPolicy Never; a terminating lower pod on the nominated node', () => {
  const never = makePod().name('p').priority(10).obj();
  never.spec.preemptionPolicy = 'Never';
  assert.match(notEligibleReason(never, undefined, false) ?? '', /preemptionPolicy=Never/);
  const nominated = makePod().name('q').priority(10).obj();
  nominated.status = { nominatedNodeName: 'n' };
  const terminating = low('t', '1', 1);
  terminating.metadata.deletionTimestamp = '2026-01-01T00:00:00Z';
  const n = makeNode().name('n').alloc({ cpu: '4', pods: 110 }).info(terminating);
  assert.match(notEligibleReason(nominated, n, false) ?? '', /terminating pod on the nominated node/);
  assert.equal(notEligibleReason(nominated, n, true), undefined, 'the nominated node now rejects it for good: preempt elsewhere');
  assert.equal(notEligibleReason(makePod().name('r').priority(10).obj(), n, false), undefined);
});

test('DefaultPreemption in the default profile: the cycle nominates the node and hands over the victims', () => {
  const calls: [string, string, string[]][] = [];
  const handle = {
    filters: () => profile.filter, pdbs: () => [],
    preempt: (p: PodInfo, node: string, victims: readonly PodInfo[]) => calls.push([p.pod.metadata.name!, node, victims.map((v) => v.pod.metadata.name!)]),
  };
  const profile = buildProfile({ schedulerName: 'default-scheduler', plugins: [{ name: 'NodeResourcesFit' }, { name: 'DefaultPreemption' }] }, inTreeRegistry, handle);
  const nodes = [
    makeNode().name('n1').alloc({ cpu: '2', pods: 110 }).info(low('a', '2', 50)),
    makeNode().name('n2').alloc({ cpu: '2', pods: 110 }).info(low('b', '2', 5)),
  ];
  const r = schedulePod(makePod().name('hi').req({ cpu: '2' }).priority(100).info(), new Snapshot(nodes), profile);
  assert.ok('diagnosis' in r, 'the pod still waits for its victims to go');
  assert.deepEqual(calls, [['hi', 'n2', ['b']]]);
  const none = schedulePod(makePod().name('lo').req({ cpu: '2' }).priority(1).info(), new Snapshot(nodes), profile);
  assert.ok('diagnosis' in none);
  assert.equal(none.message, '0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.');
  assert.equal(calls.length, 1);
});
