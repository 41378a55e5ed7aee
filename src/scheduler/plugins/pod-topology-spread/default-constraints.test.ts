import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TopologySpreadConstraint } from '../../../api/kinds/core/affinity.js';
import type { LabelSelectorObject } from '../../../api/selectors/index.js';
import { CycleState } from '../../framework/cycle-state.js';
import { NodeInfo } from '../../framework/node-info.js';
import { newPodInfo } from '../../framework/pod-info.js';
import { Snapshot } from '../../framework/snapshot.js';
import { Code } from '../../framework/status.js';
import { LABEL_HOSTNAME, LABEL_ZONE, type Pod } from '../../framework/types.js';
import { labelledNode, makePod } from '../../testing/wrappers.js';
import { runFilter } from '../../testing/run-plugin.js';
import { defaultSelector, type SpreadListers } from './default-constraints.js';
import { newPodTopologySpread } from './pod-topology-spread.js';

type Obj<S> = { metadata: { namespace: string; name: string }; spec: S };
interface World {
  services?: Obj<{ selector?: Record<string, string> }>[];
  rcs?: Obj<{ selector?: Record<string, string> }>[];
  rss?: Obj<{ selector?: LabelSelectorObject }>[];
  sss?: Obj<{ selector?: LabelSelectorObject }>[];
}
const obj = <S>(name: string, spec: S, namespace = 'default'): Obj<S> => ({ metadata: { namespace, name }, spec });

/** Listers over fixed objects (the scheduler's are informers: deps.ts). */
function listers(w: World): SpreadListers {
  const find = <S>(list: Obj<S>[] | undefined, ns: string, name: string) => list?.find((o) => o.metadata.namespace === ns && o.metadata.name === name);
  return {
    services: (ns) => (w.services ?? []).filter((s) => s.metadata.namespace === ns),
    replicationController: (ns, name) => find(w.rcs, ns, name),
    replicaSet: (ns, name) => find(w.rss, ns, name),
    statefulSet: (ns, name) => find(w.sss, ns, name),
  };
}

const node = labelledNode;
const foo = (n: number) => Array.from({ length: n }, () => ['foo']);
const fooSelector = { matchExpressions: [{ key: 'foo', operator: 'Exists' as const }] };
const withOwner = (pod: Pod, apiVersion: string, kind: string, name: string): Pod => {
  pod.metadata.ownerReferences = [{ apiVersion, kind, name, uid: `uid-${name}`, controller: true }];
  return pod;
};

interface State { constraints: { topologyKey: string; maxSkew: number }[]; ignored: Set<string>; counts: (Map<string, number> | undefined)[]; weights: number[] }

function preScore(args: Record<string, unknown>, w: World, pod: Pod, nodes: NodeInfo[]): { code: Code; state?: State } {
  const plugin = newPodTopologySpread(args, { spreadListers: () => listers(w) });
  const cs = new CycleState();
  const st = plugin.preScore(cs, newPodInfo(pod), nodes, new Snapshot(nodes));
  return { code: st.code, state: cs.readOptional<State>('PreScorePodTopologySpread') };
}
const summary = (s: State) => ({
  constraints: s.constraints.map((c) => [c.topologyKey, c.maxSkew]), ignored: [...s.ignored],
  pairs: Object.fromEntries(s.constraints.flatMap((c, i) => [...(s.counts[i] ?? [])].map(([v, n]) => [`${c.topologyKey}=${v}`, n]))), weights: s.weights,
});
const w = (size: number) => Math.log(size + 2);

// Cases from upstream's podtopologyspread scoring_test.go (TestPreScoreStateEmptyNodes, TestPreScoreSkip).
test('PreScore builds the default constraints as upstream', async (t) => {
  const rs1 = { rss: [obj('rs1', { selector: fooSelector })] };
  const ownedPod = () => withOwner(makePod().name('p').label('foo', 'tar').label('baz', 'sup').obj(), 'apps/v1', 'ReplicaSet', 'rs1');
  await t.test('system default constraints and a replicaset (nodes without a zone are a zone of their own)', () => {
    const nodes = [
      node('node-a', { [LABEL_HOSTNAME]: 'node-a', [LABEL_ZONE]: 'mars' }), node('node-b', { [LABEL_HOSTNAME]: 'node-b', [LABEL_ZONE]: 'mars' }),
      node('node-c', { [LABEL_HOSTNAME]: 'node-c' }), node('node-d', { [LABEL_HOSTNAME]: 'node-d' }),
    ];
    const got = preScore({ defaultingType: 'System' }, rs1, ownedPod(), nodes);
    assert.equal(got.code, Code.Success);
    assert.deepEqual(summary(got.state!), {
      constraints: [[LABEL_HOSTNAME, 3], [LABEL_ZONE, 5]], ignored: [],
      pairs: { [`${LABEL_ZONE}=mars`]: 0, [`${LABEL_ZONE}=`]: 0 }, weights: [w(4), w(2)],
    });
  });
  const listed: TopologySpreadConstraint[] = [
    { maxSkew: 1, topologyKey: LABEL_HOSTNAME, whenUnsatisfiable: 'ScheduleAnyway' },
    { maxSkew: 2, topologyKey: 'rack', whenUnsatisfiable: 'DoNotSchedule' },
    { maxSkew: 2, topologyKey: 'planet', whenUnsatisfiable: 'ScheduleAnyway' },
  ];
  await t.test('default constraints and a replicaset', () => {
    const got = preScore({ defaultingType: 'List', defaultConstraints: listed }, rs1, ownedPod(),
      [node('node-a', { rack: 'rack1', [LABEL_HOSTNAME]: 'node-a', planet: 'mars' })]);
    assert.deepEqual(summary(got.state!), { constraints: [[LABEL_HOSTNAME, 1], ['planet', 2]], ignored: [], pairs: { 'planet=mars': 0 }, weights: [w(1), w(1)] });
  });
  await t.test('default constraints and a replicaset, but pod has constraints', () => {
    const pod = ownedPod();
    pod.spec.topologySpreadConstraints = [
      { maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchExpressions: [{ key: 'bar', operator: 'Exists' }] } },
      { maxSkew: 2, topologyKey: 'planet', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { baz: 'sup' } } },
    ];
    const got = preScore({ defaultingType: 'List', defaultConstraints: [{ maxSkew: 2, topologyKey: 'galaxy', whenUnsatisfiable: 'ScheduleAnyway' }] }, rs1, pod,
      [node('node-a', { planet: 'mars', galaxy: 'andromeda' })]);
    assert.deepEqual(summary(got.state!), { constraints: [['planet', 2]], ignored: [], pairs: { 'planet=mars': 0 }, weights: [w(1)] });
  });
  await t.test('skip: no constraints of its own and no listed defaults', () => {
    assert.equal(preScore({ defaultingType: 'List' }, {}, makePod().name('p').obj(), [node('node-a', { [LABEL_HOSTNAME]: 'node-a' })]).code, Code.Skip);
  });
  await t.test("skip: default constraints and a replicaset that isn't the pod's", () => {
    const pod = withOwner(makePod().name('p').label('foo', 'bar').label('baz', 'sup').obj(), 'apps/v1', 'ReplicaSet', 'rs2');
    const got = preScore({ defaultingType: 'List', defaultConstraints: [{ maxSkew: 2, topologyKey: 'planet', whenUnsatisfiable: 'ScheduleAnyway' }] },
      { rss: [obj('rs1', { selector: { matchExpressions: [{ key: 'tar', operator: 'Exists' }] } })] }, pod, [node('node-a', { planet: 'mars' })]);
    assert.equal(got.code, Code.Skip);
  });
  await t.test('skip: system defaults without listers (nothing can select the pod)', () => {
    const nodes = [node('node-a', { [LABEL_HOSTNAME]: 'node-a' })];
    assert.equal(newPodTopologySpread().preScore(new CycleState(), newPodInfo(ownedPod()), nodes, new Snapshot(nodes)).code, Code.Skip);
  });
});

// upstream TestPodTopologySpreadScore "system defaulting, nodes don't have zone, pods match service".
test('system defaults score a Service-selected pod as one hostname constraint would', () => {
  const nodes = [
    node('node-a', { [LABEL_HOSTNAME]: 'node-a' }, foo(4)), node('node-b', { [LABEL_HOSTNAME]: 'node-b' }, foo(3)),
    node('node-c', { [LABEL_HOSTNAME]: 'node-c' }, foo(2)), node('node-d', { [LABEL_HOSTNAME]: 'node-d' }, foo(1)),
  ];
  const plugin = newPodTopologySpread({}, { spreadListers: () => listers({ services: [obj('svc', { selector: { foo: '' } })] }) });
  const pod = newPodInfo(makePod().name('p').label('foo', '').obj());
  const cs = new CycleState();
  assert.equal(plugin.preScore(cs, pod, nodes, new Snapshot(nodes)).code, Code.Success);
  const scores = nodes.map((n) => plugin.score(cs, pod, n));
  plugin.normalizeScore!(cs, pod, scores);
  assert.deepEqual(scores, [44, 66, 77, 100]);
});

test('zone counts of the system defaults come from every node, feasible or not', () => {
  // zone z1: node-a (1 app pod), node-b (3, not feasible); zone z2: node-c (2). node-a: 1*log(4)+2 + 4*log(4)+4; node-c: 2*log(4)+2 + 2*log(4)+4.
  const app = (n: number) => Array.from({ length: n }, () => ['app']);
  const all = [
    node('node-a', { [LABEL_HOSTNAME]: 'node-a', [LABEL_ZONE]: 'z1' }, app(1)), node('node-b', { [LABEL_HOSTNAME]: 'node-b', [LABEL_ZONE]: 'z1' }, app(3)),
    node('node-c', { [LABEL_HOSTNAME]: 'node-c', [LABEL_ZONE]: 'z2' }, app(2)),
  ];
  const feasible = [all[0]!, all[2]!];
  const plugin = newPodTopologySpread({}, { spreadListers: () => listers({ sss: [obj('web', { selector: { matchLabels: { app: '' } } })] }) });
  const pod = newPodInfo(withOwner(makePod().name('web-3').label('app', '').obj(), 'apps/v1', 'StatefulSet', 'web'));
  const cs = new CycleState();
  assert.equal(plugin.preScore(cs, pod, feasible, new Snapshot(all)).code, Code.Success);
  const scores = feasible.map((n) => plugin.score(cs, pod, n));
  assert.deepEqual(scores, [Math.round(5 * Math.log(4) + 6), Math.round(4 * Math.log(4) + 6)]);
});

test('listed DoNotSchedule defaults filter as the pod\'s own would', () => {
  const nodes = [node('n1', { rack: 'r1' }, foo(2)), node('n2', { rack: 'r2' })];
  const plugin = newPodTopologySpread({ defaultingType: 'List', defaultConstraints: [{ maxSkew: 1, topologyKey: 'rack', whenUnsatisfiable: 'DoNotSchedule' }] },
    { spreadListers: () => listers({ rcs: [obj('rc', { selector: { foo: '' } })] }) });
  const pod = newPodInfo(withOwner(makePod().name('p').label('foo', '').obj(), 'v1', 'ReplicationController', 'rc'));
  assert.deepEqual(runFilter(plugin, pod, nodes[0]!, nodes).reasons, ["node(s) didn't match pod topology spread constraints"]);
  assert.equal(runFilter(plugin, pod, nodes[1]!, nodes).code, Code.Success);
});

test('defaultSelector (upstream helper.DefaultSelector)', async (t) => {
  const pod = (labels: Record<string, string>, owner?: [string, string, string]) => {
    let p = makePod().name('p');
    for (const [k, v] of Object.entries(labels)) p = p.label(k, v);
    return owner ? withOwner(p.obj(), ...owner) : p.obj();
  };
  const reqs = (p: Pod, world: World) => defaultSelector(p, listers(world)).requirements.map((r) => `${r.key} ${r.operator} ${r.values.join(',')}`);
  await t.test('services that select the pod are merged; others, other namespaces and selector-less ones are not', () => {
    const world = { services: [
      obj('a', { selector: { app: 'web' } }), obj('b', { selector: { tier: 'fe' } }), obj('c', { selector: { app: 'db' } }),
      obj('d', {}), obj('e', { selector: { app: 'web', x: 'y' } }, 'other'),
    ] };
    assert.deepEqual(reqs(pod({ app: 'web', tier: 'fe' }), world), ['app = web', 'tier = fe']);
  });
  await t.test('a ReplicaSet or StatefulSet adds its requirements; an RC merges its labels', () => {
    assert.deepEqual(reqs(pod({ app: 'web' }, ['apps/v1', 'ReplicaSet', 'rs']), { rss: [obj('rs', { selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web'] }] } })] }), ['app in web']);
    assert.deepEqual(reqs(pod({ app: 'web' }, ['apps/v1', 'StatefulSet', 'ss']), { sss: [obj('ss', { selector: { matchLabels: { app: 'web' } } })] }), ['app = web']);
    assert.deepEqual(reqs(pod({ app: 'web', v: '1' }, ['v1', 'ReplicationController', 'rc']), { services: [obj('s', { selector: { app: 'web' } })], rcs: [obj('rc', { selector: { v: '1' } })] }), ['app = web', 'v = 1']);
  });
  await t.test('other owners (a Job, another group version, a missing ReplicaSet) add nothing', () => {
    const rs = { rss: [obj('rs', { selector: { matchLabels: { app: 'web' } } })] };
    assert.deepEqual(reqs(pod({ app: 'web' }, ['batch/v1', 'Job', 'rs']), rs), []);
    assert.deepEqual(reqs(pod({ app: 'web' }, ['apps/v1beta2', 'ReplicaSet', 'rs']), rs), []);
    assert.deepEqual(reqs(pod({ app: 'web' }, ['apps/v1', 'ReplicaSet', 'gone']), rs), []);
  });
});

test('PodTopologySpread args are checked as upstream', () => {
  assert.throws(() => newPodTopologySpread({ defaultingType: 'System', defaultConstraints: [{ maxSkew: 1, topologyKey: 'k', whenUnsatisfiable: 'ScheduleAnyway' }] }), /defaultingType/);
  assert.throws(() => newPodTopologySpread({ defaultingType: 'Other' }), /Unsupported value/);
  assert.throws(() => newPodTopologySpread({ defaultingType: 'List', defaultConstraints: [{ maxSkew: 1, topologyKey: 'k', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: {} }] }), /must not define a selector/);
});
