import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newPodInfo as newInfo } from '../../framework/pod-info.js';
import { Code } from '../../framework/status.js';
import type { NodeInfo } from '../../framework/node-info.js';
import { makeNode, makePod } from '../../testing/wrappers.js';
import { runFilter } from '../../testing/run-plugin.js';
import { ERR_REASON_CONSTRAINTS_NOT_MATCH, ERR_REASON_NODE_LABEL_NOT_MATCH, newPodTopologySpread } from './pod-topology-spread.js';

const ZONE = 'topology.kubernetes.io/zone';
const web = (name: string) => makePod().name(name).label('app', 'web').obj();

type Policies = { nodeAffinityPolicy?: 'Honor' | 'Ignore'; nodeTaintsPolicy?: 'Honor' | 'Ignore' };

function spreadPod(maxSkew: number, extra: (p: ReturnType<typeof makePod>) => ReturnType<typeof makePod> = (p) => p, policies: Policies = {}) {
  const pod = extra(makePod().name('new').label('app', 'web')).obj();
  pod.spec.topologySpreadConstraints = [{ maxSkew, topologyKey: ZONE, whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'web' } }, ...policies }];
  return pod;
}

test('PodTopologySpread filter (DoNotSchedule)', async (t) => {
  // zone a: 2 web pods, zone b: 1, zone c: 0; one node without a zone label.
  const all: NodeInfo[] = [
    makeNode().name('a1').label(ZONE, 'a').info(web('w1'), web('w2')),
    makeNode().name('b1').label(ZONE, 'b').info(web('w3'), makePod().name('other').label('app', 'db').obj()),
    makeNode().name('c1').label(ZONE, 'c').label('disk', 'hdd').info(),
    makeNode().name('nolabel').info(),
  ];
  // The same zones, zone c's only node tainted (TaintToleration rejects it; here only the counting matters).
  const taintedC: NodeInfo[] = [all[0]!, all[1]!, makeNode().name('c1').label(ZONE, 'c').taint('dedicated', 'x', 'NoSchedule').info()];
  const cases: Array<{ name: string; nodes?: NodeInfo[]; pod: ReturnType<typeof spreadPod>; want: Record<string, string | null> }> = [
    { name: 'maxSkew 1: only the emptiest zone', pod: spreadPod(1), want: { a1: ERR_REASON_CONSTRAINTS_NOT_MATCH, b1: ERR_REASON_CONSTRAINTS_NOT_MATCH, c1: null, nolabel: ERR_REASON_NODE_LABEL_NOT_MATCH } },
    { name: 'maxSkew 2: all but the fullest zone', pod: spreadPod(2), want: { a1: ERR_REASON_CONSTRAINTS_NOT_MATCH, b1: null, c1: null, nolabel: ERR_REASON_NODE_LABEL_NOT_MATCH } },
    {
      name: 'nodes the pod cannot use do not count as domains (nodeAffinityPolicy Honor)',
      pod: spreadPod(1, (p) => p.nodeAffinityIn(ZONE, ['a', 'b'])),
      want: { a1: ERR_REASON_CONSTRAINTS_NOT_MATCH, b1: null, c1: null, nolabel: ERR_REASON_NODE_LABEL_NOT_MATCH },
    },
    {
      name: 'nodeAffinityPolicy Ignore counts the domains the pod cannot use',
      pod: spreadPod(1, (p) => p.nodeAffinityIn(ZONE, ['a', 'b']), { nodeAffinityPolicy: 'Ignore' }),
      want: { a1: ERR_REASON_CONSTRAINTS_NOT_MATCH, b1: ERR_REASON_CONSTRAINTS_NOT_MATCH, c1: null, nolabel: ERR_REASON_NODE_LABEL_NOT_MATCH },
    },
    {
      name: 'nodeTaintsPolicy Ignore (default) counts a domain whose nodes the pod does not tolerate',
      nodes: taintedC, pod: spreadPod(1), want: { a1: ERR_REASON_CONSTRAINTS_NOT_MATCH, b1: ERR_REASON_CONSTRAINTS_NOT_MATCH, c1: null },
    },
    {
      name: 'nodeTaintsPolicy Honor leaves it out',
      nodes: taintedC, pod: spreadPod(1, (p) => p, { nodeTaintsPolicy: 'Honor' }), want: { a1: ERR_REASON_CONSTRAINTS_NOT_MATCH, b1: null, c1: null },
    },
    {
      name: 'nodeTaintsPolicy Honor counts it when the pod tolerates the taint',
      nodes: taintedC,
      pod: spreadPod(1, (p) => p.toleration({ key: 'dedicated', operator: 'Exists', effect: 'NoSchedule' }), { nodeTaintsPolicy: 'Honor' }),
      want: { a1: ERR_REASON_CONSTRAINTS_NOT_MATCH, b1: ERR_REASON_CONSTRAINTS_NOT_MATCH, c1: null },
    },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      const nodes = c.nodes ?? all;
      for (const node of nodes) {
        const st = runFilter(newPodTopologySpread(), newInfo(c.pod), node, nodes);
        const want = c.want[node.name];
        if (want === null) assert.equal(st.code, Code.Success, `${node.name}: ${st.message()}`);
        else assert.deepEqual(st.reasons, [want], node.name);
      }
    });
  }
  await t.test('pods without hard constraints skip the plugin', () => {
    assert.equal(runFilter(newPodTopologySpread(), makePod().info(), all[3]!, all).code, Code.Success);
  });
});

