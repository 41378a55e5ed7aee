import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inTreeRegistry, defaultProfileConfig } from '../plugins/registry.js';
import { buildProfile } from './profile.js';
import { numFeasibleNodesToFind, schedulePod } from './schedule-pod.js';
import { Snapshot } from './snapshot.js';
import { makeNode, makePod } from '../testing/wrappers.js';
import type { NodeInfo } from './node-info.js';
import { newPodInfo } from './pod-info.js';
import { Status } from './status.js';

const profile = () => buildProfile(defaultProfileConfig(), inTreeRegistry);

test('numFeasibleNodesToFind (upstream adaptive percentage)', async (t) => {
  const cases = [
    { nodes: 10, pct: 0, want: 10 },
    { nodes: 99, pct: 0, want: 99 },
    { nodes: 100, pct: 0, want: 100 }, // 50% of 100 is below the 100-node minimum
    { nodes: 1000, pct: 0, want: 420 }, // 50 - 1000/125 = 42%
    { nodes: 5000, pct: 0, want: 500 }, // 50 - 40 = 10%
    { nodes: 6000, pct: 0, want: 300 }, // 50 - 48 = 2% -> floor of 5%
    { nodes: 5000, pct: 100, want: 5000 },
    { nodes: 5000, pct: 1, want: 100 },
  ];
  for (const c of cases) await t.test(`${c.nodes} nodes at ${c.pct}%`, () => assert.equal(numFeasibleNodesToFind(c.nodes, c.pct), c.want));
});

// With DefaultPreemption in the profile the message ends with its own histogram, as upstream's.
test('schedulePod diagnoses a pod that fits nowhere in upstream words', async (t) => {
  const cases: Array<{ name: string; nodes: NodeInfo[]; pod: ReturnType<typeof makePod>; message: string }> = [
    {
      name: 'taint and cpu',
      nodes: [
        makeNode().name('n1').alloc({ cpu: '1', memory: '1Gi' }).taint('node.kubernetes.io/unreachable', undefined, 'NoExecute').info(),
        makeNode().name('n2').alloc({ cpu: '1', memory: '1Gi' }).info(),
        makeNode().name('n3').alloc({ cpu: '1', memory: '1Gi' }).info(),
      ],
      pod: makePod().req({ cpu: '2' }),
      message: '0/3 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }, 2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.',
    },
    {
      name: 'all nodes short of cpu',
      nodes: ['a', 'b', 'c'].map((n) => makeNode().name(n).alloc({ cpu: '1', memory: '1Gi' }).info()),
      pod: makePod().req({ cpu: '2' }),
      message: '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.',
    },
    {
      name: 'several reasons on one node are each counted; sorted as strings',
      nodes: [
        makeNode().name('a').alloc({ cpu: '1', memory: '1Gi' }).info(),
        makeNode().name('b').alloc({ cpu: '1', memory: '1Gi' }).unschedulable().info(),
      ],
      pod: makePod().req({ cpu: '2', memory: '2Gi' }),
      message: "0/2 nodes are available: 1 Insufficient cpu, 1 Insufficient memory, 1 node(s) were unschedulable. preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.",
    },
    {
      name: 'node selector',
      nodes: [makeNode().name('a').alloc({ cpu: '1' }).info()],
      pod: makePod().nodeSelector({ disk: 'ssd' }),
      message: "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.",
    },
    {
      // A DaemonSet pod: NodeAffinity's PreFilter narrows the cycle to its node; the others are
      // counted under the plugin that left them out (upstream PreFilterResult.NodeNames).
      name: 'daemon pod whose node is short of cpu',
      nodes: ['a', 'b', 'c'].map((n) => makeNode().name(n).alloc({ cpu: '1', memory: '1Gi' }).info()),
      pod: makePod().nodeNameAffinity('b').req({ cpu: '2' }),
      message: "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't satisfy plugin(s) [NodeAffinity]. preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.",
    },
    {
      name: 'pod naming a node that does not exist',
      nodes: ['a', 'b'].map((n) => makeNode().name(n).alloc({ cpu: '1', memory: '1Gi' }).info()),
      pod: makePod().nodeNameAffinity('gone'),
      message: "0/2 nodes are available: 2 node(s) didn't satisfy plugin(s) [NodeAffinity]. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.",
    },
    { name: 'no nodes', nodes: [], pod: makePod(), message: 'no nodes available to schedule pods' },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      const r = schedulePod(c.pod.info(), new Snapshot(c.nodes), profile());
      assert.ok('diagnosis' in r, 'expected no fit');
      assert.equal(r.message, c.message);
    });
  }
});

test('schedulePod picks a fitting node and prefers the emptier one', () => {
  const nodes = [
    makeNode().name('full').alloc({ cpu: '4', memory: '4Gi' }).info(makePod().name('e').req({ cpu: '3', memory: '3Gi' }).obj()),
    makeNode().name('small').alloc({ cpu: '1', memory: '1Gi' }).info(),
    makeNode().name('empty').alloc({ cpu: '4', memory: '4Gi' }).info(),
  ];
  const r = schedulePod(makePod().req({ cpu: '1500m', memory: '1Gi' }).info(), new Snapshot(nodes), profile());
  assert.ok('node' in r);
  assert.equal(r.node, 'empty');
});

test('schedulePod stops filtering after enough feasible nodes and rotates the start', () => {
  const nodes = Array.from({ length: 1000 }, (_, i) => makeNode().name(`n${i}`).alloc({ cpu: '4', memory: '4Gi' }).info());
  const snap = new Snapshot(nodes);
  const p = profile();
  const r1 = schedulePod(makePod().req({ cpu: '1' }).info(), snap, p, { startIndex: 0 });
  assert.ok('node' in r1);
  assert.equal(r1.evaluatedNodes, 420);
  assert.equal(r1.feasibleNodes, 420);
  assert.equal(r1.nextStartIndex, 420);
  const r2 = schedulePod(makePod().req({ cpu: '1' }).info(), snap, p, { startIndex: 900 });
  assert.equal(r2.nextStartIndex, (900 + 420) % 1000);
  assert.ok('node' in r2);
  const idx = Number(r2.node.slice(1));
  assert.ok(idx >= 900 || idx < 320, `picked ${r2.node} outside the evaluated window`);
});

test('schedulePod spreads replicas of one owner across equal nodes', () => {
  let nodes = ['a', 'b', 'c'].map((n) => makeNode().name(n).alloc({ cpu: '4', memory: '4Gi' }).info());
  const placed: string[] = [];
  for (let i = 0; i < 3; i++) {
    const pod = makePod().name(`r${i}`).owner('rs').req({ cpu: '100m', memory: '100Mi' }).info();
    const r = schedulePod(pod, new Snapshot(nodes), profile(), { random: () => 0.99 });
    assert.ok('node' in r);
    placed.push(r.node);
    nodes = nodes.map((n) => (n.name === r.node ? n.withPod(pod) : n));
  }
  assert.deepEqual([...placed].sort(), ['a', 'b', 'c']);
});

test('schedulePod prefers the equal node that already has the pod\'s big image (ImageLocality, weight 1)', () => {
  const nodes = [
    makeNode().name('a').alloc({ cpu: '4', memory: '8Gi' }).images([['docker.io/library/busybox:latest'], 5_000_000]).info(),
    makeNode().name('b').alloc({ cpu: '4', memory: '8Gi' }).images([['nginx:1.27', 'docker.io/library/nginx:1.27'], 500 * 1024 * 1024]).info(),
  ];
  const pod = makePod().obj();
  pod.spec.containers = [{ name: 'web', image: 'nginx:1.27' }];
  for (const random of [() => 0, () => 0.99]) {
    const r = schedulePod(newPodInfo(pod), new Snapshot(nodes), profile(), { random });
    assert.ok('node' in r);
    assert.equal(r.node, 'b');
  }
});

test('PreFilter as upstream RunPreFilterPlugins: an Unschedulable lets the rest run and the last one answers; UnschedulableAndUnresolvable stops at once', async (t) => {
  const ran: string[] = [];
  const fake = (name: string, answer: Status) => () => ({ name, preFilter: () => { ran.push(name); return answer; }, filter: () => Status.SUCCESS });
  const registry = {
    A: fake('A', Status.unschedulable('a says no')), B: fake('B', Status.SUCCESS),
    C: fake('C', Status.unschedulable('c says no')), U: fake('U', Status.unresolvable('u says never')),
  };
  const run = (names: string[]) => {
    ran.length = 0;
    const p = buildProfile({ schedulerName: 'default-scheduler', plugins: names.map((name) => ({ name })) }, registry);
    const r = schedulePod(makePod().info(), new Snapshot([makeNode().name('n1').alloc({ cpu: '1' }).info()]), p);
    assert.ok('diagnosis' in r);
    return { ran: [...ran], message: r.message, plugins: [...r.diagnosis.unschedulablePlugins] };
  };
  await t.test('Unschedulable, then Success, then Unschedulable: all run, the last rejection is the message', () => {
    assert.deepEqual(run(['A', 'B', 'C']), { ran: ['A', 'B', 'C'], message: '0/1 nodes are available: c says no.', plugins: ['C'] });
  });
  await t.test('Unschedulable, then UnschedulableAndUnresolvable: the unresolvable one answers and nothing after it runs', () => {
    assert.deepEqual(run(['A', 'U', 'B']), { ran: ['A', 'U'], message: '0/1 nodes are available: u says never.', plugins: ['U'] });
  });
});
