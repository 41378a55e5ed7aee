import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CycleState } from '../../framework/cycle-state.js';
import { preFilterParts } from '../../framework/interface.js';
import { newPodInfo, type PodInfo } from '../../framework/pod-info.js';
import { Snapshot } from '../../framework/snapshot.js';
import { Code } from '../../framework/status.js';
import type { NodeInfo } from '../../framework/node-info.js';
import { makeNode, makePod } from '../../testing/wrappers.js';
import { runFilter, runScore } from '../../testing/run-plugin.js';
import { ERR_REASON_AFFINITY, ERR_REASON_ANTI_AFFINITY, ERR_REASON_EXISTING_ANTI_AFFINITY, newInterPodAffinity } from './inter-pod-affinity.js';

const ZONE = 'topology.kubernetes.io/zone';

function cluster(): NodeInfo[] {
  return [
    makeNode().name('a1').label(ZONE, 'a').info(makePod().name('web-1').label('app', 'web').obj()),
    makeNode().name('a2').label(ZONE, 'a').info(),
    makeNode().name('b1').label(ZONE, 'b').info(makePod().name('guard').label('app', 'guard').podAntiAffinity('app', 'intruder').obj()),
    makeNode().name('b2').label(ZONE, 'b').info(makePod().name('other-ns').namespace('other').label('app', 'web').obj()),
  ];
}

test('InterPodAffinity filter (required terms)', async (t) => {
  const cases = [
    { name: 'no terms anywhere that concern the pod', pod: makePod().label('app', 'x'), want: { a1: null, a2: null, b1: null, b2: null } },
    {
      name: 'anti-affinity by hostname keeps replicas apart',
      pod: makePod().label('app', 'web').podAntiAffinity('app', 'web'),
      want: { a1: ERR_REASON_ANTI_AFFINITY, a2: null, b1: null, b2: null }, // b2's web pod is in another namespace
    },
    {
      name: 'anti-affinity by zone',
      pod: makePod().label('app', 'web').podAntiAffinity('app', 'web', ZONE),
      want: { a1: ERR_REASON_ANTI_AFFINITY, a2: ERR_REASON_ANTI_AFFINITY, b1: null, b2: null },
    },
    {
      name: "an existing pod's anti-affinity keeps the matching pod out",
      pod: makePod().label('app', 'intruder'),
      want: { a1: null, a2: null, b1: ERR_REASON_EXISTING_ANTI_AFFINITY, b2: null },
    },
    {
      name: 'affinity by zone',
      pod: makePod().podAffinity('app', 'web', ZONE),
      want: { a1: null, a2: null, b1: ERR_REASON_AFFINITY, b2: ERR_REASON_AFFINITY },
    },
    {
      name: 'self-affinity with no matching pods anywhere may start anywhere',
      pod: makePod().label('app', 'db').podAffinity('app', 'db', ZONE),
      want: { a1: null, a2: null, b1: null, b2: null },
    },
    {
      name: 'affinity to pods that do not exist',
      pod: makePod().podAffinity('app', 'nothing', ZONE),
      want: { a1: ERR_REASON_AFFINITY, a2: ERR_REASON_AFFINITY, b1: ERR_REASON_AFFINITY, b2: ERR_REASON_AFFINITY },
    },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      const nodes = cluster();
      for (const node of nodes) {
        const st = runFilter(newInterPodAffinity(), c.pod.info(), node, nodes);
        const want = (c.want as Record<string, string | null>)[node.name];
        if (want === null) assert.equal(st.code, Code.Success, `${node.name}: ${st.message()}`);
        else {
          assert.deepEqual(st.reasons, [want], node.name);
          assert.equal(st.code, want === ERR_REASON_AFFINITY ? Code.UnschedulableAndUnresolvable : Code.Unschedulable);
        }
      }
    });
  }
});

test('InterPodAffinity score (preferred terms of the incoming pod)', () => {
  const nodes = cluster();
  const pod = makePod().obj();
  pod.spec.affinity = {
    podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, podAffinityTerm: { labelSelector: { matchLabels: { app: 'web' } }, topologyKey: ZONE } }] },
    podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 5, podAffinityTerm: { labelSelector: { matchLabels: { app: 'guard' } }, topologyKey: 'kubernetes.io/hostname' } }] },
  };
  // raw: a1 +10, a2 +10 (zone a has web-1), b1 -5 (guard), b2 0 (its web pod is in another namespace).
  assert.deepEqual(runScore(newInterPodAffinity(), newPodInfo(pod), nodes), [100, 100, 0, 33]);
  assert.equal(runScore(newInterPodAffinity(), makePod().info(), nodes), null);
});

test('InterPodAffinity namespaceSelector selects namespaces by their labels (upstream AffinityTerm.Matches)', async (t) => {
  const nsLabels: Record<string, Record<string, string>> = { default: { team: 'red' }, other: { team: 'blue' } };
  const snapshot = new Snapshot(cluster(), undefined, (ns) => nsLabels[ns]);
  /** The pod's only required term, given a namespaceSelector. */
  const withNsSelector = (p: ReturnType<typeof makePod>, sel: { matchLabels?: Record<string, string> }) => {
    const pod = p.obj();
    const terms = pod.spec.affinity!.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? pod.spec.affinity!.podAffinity!.requiredDuringSchedulingIgnoredDuringExecution!;
    (terms[0] as { namespaceSelector?: unknown }).namespaceSelector = sel;
    return newPodInfo(pod);
  };
  const filterAll = (pod: PodInfo, snap: Snapshot) => {
    const plugin = newInterPodAffinity();
    const state = new CycleState();
    const st = preFilterParts(plugin.preFilter(state, pod, snap)).status;
    return Object.fromEntries(snap.nodes.map((n) => [n.name, st.code === Code.Skip ? null : plugin.filter(state, pod, n).reasons[0] ?? null]));
  };
  const cases = [
    {
      name: 'anti-affinity to web pods in blue namespaces only (not its own)',
      pod: withNsSelector(makePod().label('app', 'web').podAntiAffinity('app', 'web'), { matchLabels: { team: 'blue' } }),
      want: { a1: null, a2: null, b1: null, b2: ERR_REASON_ANTI_AFFINITY },
    },
    {
      name: 'an empty namespaceSelector selects every namespace',
      pod: withNsSelector(makePod().label('app', 'web').podAntiAffinity('app', 'web'), {}),
      want: { a1: ERR_REASON_ANTI_AFFINITY, a2: null, b1: null, b2: ERR_REASON_ANTI_AFFINITY },
    },
    {
      name: 'affinity to web pods in blue namespaces',
      pod: withNsSelector(makePod().label('app', 'x').podAffinity('app', 'web'), { matchLabels: { team: 'blue' } }),
      want: { a1: ERR_REASON_AFFINITY, a2: ERR_REASON_AFFINITY, b1: ERR_REASON_AFFINITY, b2: null },
    },
  ];
  for (const c of cases) await t.test(c.name, () => assert.deepEqual(filterAll(c.pod, snapshot), c.want));

  await t.test("an existing pod's term selects the incoming pod's namespace by its labels", () => {
    // guard (in 'other') keeps out app=intruder from red namespaces; the incoming pod's namespace is red.
    const guard = makePod().name('guard2').namespace('other').podAntiAffinity('app', 'intruder').obj();
    (guard.spec.affinity!.podAntiAffinity!.requiredDuringSchedulingIgnoredDuringExecution![0] as { namespaceSelector?: unknown }).namespaceSelector = { matchLabels: { team: 'red' } };
    const snap = new Snapshot([makeNode().name('g').info(guard), makeNode().name('free').info()], undefined, (ns) => nsLabels[ns]);
    assert.deepEqual(filterAll(makePod().label('app', 'intruder').info(), snap), { g: ERR_REASON_EXISTING_ANTI_AFFINITY, free: null });
    nsLabels.default = { team: 'green' };
    assert.deepEqual(filterAll(makePod().label('app', 'intruder').info(), snap), { g: null, free: null });
  });
});
