import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newPodInfo } from '../../framework/pod-info.js';
import { Code } from '../../framework/status.js';
import { makeNode, makePod } from '../../testing/wrappers.js';
import { runFilter, runScore } from '../../testing/run-plugin.js';
import { affinityNodeNames, ERR_REASON_CONFLICT, ERR_REASON_POD, newNodeAffinity } from './node-affinity.js';

test('NodeAffinity filter', async (t) => {
  const node = makeNode().name('n1').label('zone', 'a').label('gen', '5');
  const cases = [
    { name: 'no constraints', pod: makePod(), fits: true },
    { name: 'nodeSelector matches', pod: makePod().nodeSelector({ zone: 'a' }), fits: true },
    { name: 'nodeSelector mismatches', pod: makePod().nodeSelector({ zone: 'b' }), fits: false },
    { name: 'nodeSelector needs every label', pod: makePod().nodeSelector({ zone: 'a', disk: 'ssd' }), fits: false },
    { name: 'required In matches', pod: makePod().nodeAffinityIn('zone', ['a', 'b']), fits: true },
    { name: 'required In mismatches', pod: makePod().nodeAffinityIn('zone', ['c']), fits: false },
    { name: 'terms are ORed', pod: makePod().nodeAffinityIn('zone', ['c']).nodeAffinityIn('gen', ['5']), fits: true },
    { name: 'NotIn', pod: makePod().nodeAffinityIn('zone', ['a'], 'NotIn'), fits: false },
    { name: 'NotIn on a missing label matches', pod: makePod().nodeAffinityIn('disk', ['ssd'], 'NotIn'), fits: true },
    { name: 'Exists', pod: makePod().nodeAffinityIn('zone', [], 'Exists'), fits: true },
    { name: 'DoesNotExist', pod: makePod().nodeAffinityIn('zone', [], 'DoesNotExist'), fits: false },
    { name: 'Gt', pod: makePod().nodeAffinityIn('gen', ['4'], 'Gt'), fits: true },
    { name: 'Lt', pod: makePod().nodeAffinityIn('gen', ['4'], 'Lt'), fits: false },
    { name: 'selector and affinity are ANDed', pod: makePod().nodeSelector({ zone: 'a' }).nodeAffinityIn('gen', ['6']), fits: false },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      const st = runFilter(newNodeAffinity(), c.pod.info(), node.info());
      if (c.fits) assert.equal(st.code, Code.Success);
      else {
        assert.equal(st.code, Code.UnschedulableAndUnresolvable);
        assert.deepEqual(st.reasons, [ERR_REASON_POD]);
      }
    });
  }
  await t.test('matchFields metadata.name', () => {
    const pod = makePod().obj();
    pod.spec.affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }] } } };
    assert.equal(runFilter(newNodeAffinity(), newPodInfo(pod), node.info()).code, Code.Success);
    assert.equal(runFilter(newNodeAffinity(), newPodInfo(pod), makeNode().name('n2').info()).code, Code.UnschedulableAndUnresolvable);
  });
});

test('NodeAffinity PreFilter narrows to the nodes required terms name (upstream PreFilterResult)', async (t) => {
  const name = (op: 'In' | 'NotIn', ...values: string[]) => ({ key: 'metadata.name', operator: op, values });
  const label = { key: 'zone', operator: 'In' as const, values: ['a'] };
  const cases: Array<{ name: string; terms: Array<{ matchFields?: unknown[]; matchExpressions?: unknown[] }> | undefined; want: string[] | undefined }> = [
    { name: 'no required terms', terms: undefined, want: undefined },
    { name: 'one term naming nodes', terms: [{ matchFields: [name('In', 'n1', 'n2')] }], want: ['n1', 'n2'] },
    { name: 'requirements within a term intersect', terms: [{ matchFields: [name('In', 'n1', 'n2'), name('In', 'n2', 'n3')] }], want: ['n2'] },
    { name: 'terms union', terms: [{ matchFields: [name('In', 'n1')] }, { matchFields: [name('In', 'n2')] }], want: ['n1', 'n2'] },
    { name: 'a term naming no node allows every node', terms: [{ matchFields: [name('In', 'n1')] }, { matchExpressions: [label] }], want: undefined },
    { name: 'NotIn names nothing', terms: [{ matchFields: [name('NotIn', 'n1')] }], want: undefined },
    { name: 'labels beside the name still narrow', terms: [{ matchExpressions: [label], matchFields: [name('In', 'n1')] }], want: ['n1'] },
    { name: 'disjoint requirements name no node', terms: [{ matchFields: [name('In', 'n1'), name('In', 'n2')] }], want: [] },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      const got = affinityNodeNames(c.terms as never);
      assert.deepEqual(got && [...got].sort(), c.want);
    });
  }
  await t.test('conflicting terms reject the pod at PreFilter', () => {
    const pod = makePod().obj();
    pod.spec.affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [name('In', 'n1'), name('In', 'n2')] }] } } };
    const st = runFilter(newNodeAffinity(), newPodInfo(pod), makeNode().name('n1').info());
    assert.equal(st.code, Code.UnschedulableAndUnresolvable);
    assert.deepEqual(st.reasons, [ERR_REASON_CONFLICT]);
  });
});

test('NodeAffinity score sums the weights of matching preferred terms, normalised', () => {
  const pod = makePod().preferredNodeAffinity(10, 'zone', ['a']).preferredNodeAffinity(30, 'disk', ['ssd']).info();
  const nodes = [
    makeNode().name('both').label('zone', 'a').label('disk', 'ssd').info(),
    makeNode().name('zone').label('zone', 'a').info(),
    makeNode().name('none').info(),
  ];
  assert.deepEqual(runScore(newNodeAffinity(), pod, nodes), [100, 25, 0]);
  assert.equal(runScore(newNodeAffinity(), makePod().info(), nodes), null, 'no preferred terms: PreScore skips');
});
