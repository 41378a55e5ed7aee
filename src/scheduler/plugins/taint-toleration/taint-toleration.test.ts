import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Code } from '../../framework/status.js';
import { makeNode, makePod } from '../../testing/wrappers.js';
import { runFilter, runScore } from '../../testing/run-plugin.js';
import { newTaintToleration } from './taint-toleration.js';

test('TaintToleration filter', async (t) => {
  const cases = [
    { name: 'no taints', node: makeNode(), pod: makePod(), reason: null },
    { name: 'untolerated NoSchedule', node: makeNode().taint('dedicated', 'gpu', 'NoSchedule'), pod: makePod(), reason: 'node(s) had untolerated taint {dedicated: gpu}' },
    // The exact wording of a node.kubernetes.io/unreachable taint in upstream's FailedScheduling events.
    { name: 'untolerated NoExecute without value', node: makeNode().taint('node.kubernetes.io/unreachable', undefined, 'NoExecute'), pod: makePod(), reason: 'node(s) had untolerated taint {node.kubernetes.io/unreachable: }' },
    { name: 'PreferNoSchedule does not filter', node: makeNode().taint('a', 'b', 'PreferNoSchedule'), pod: makePod(), reason: null },
    { name: 'Equal toleration', node: makeNode().taint('dedicated', 'gpu', 'NoSchedule'), pod: makePod().toleration({ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }), reason: null },
    { name: 'Equal toleration with other value', node: makeNode().taint('dedicated', 'gpu', 'NoSchedule'), pod: makePod().toleration({ key: 'dedicated', value: 'cpu' }), reason: 'node(s) had untolerated taint {dedicated: gpu}' },
    { name: 'Exists toleration without effect', node: makeNode().taint('dedicated', 'gpu', 'NoExecute'), pod: makePod().toleration({ key: 'dedicated', operator: 'Exists' }), reason: null },
    { name: 'toleration for another effect', node: makeNode().taint('dedicated', 'gpu', 'NoExecute'), pod: makePod().toleration({ key: 'dedicated', operator: 'Exists', effect: 'NoSchedule' }), reason: 'node(s) had untolerated taint {dedicated: gpu}' },
    { name: 'first untolerated taint is reported', node: makeNode().taint('a', '1', 'NoSchedule').taint('b', '2', 'NoSchedule'), pod: makePod().toleration({ key: 'a', operator: 'Exists' }), reason: 'node(s) had untolerated taint {b: 2}' },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      const st = runFilter(newTaintToleration(), c.pod.info(), c.node.info());
      if (c.reason === null) assert.equal(st.code, Code.Success);
      else {
        assert.equal(st.code, Code.UnschedulableAndUnresolvable);
        assert.deepEqual(st.reasons, [c.reason]);
      }
    });
  }
});

test('TaintToleration score prefers nodes with fewer untolerated PreferNoSchedule taints', () => {
  const nodes = [
    makeNode().name('clean').info(),
    makeNode().name('one').taint('a', '1', 'PreferNoSchedule').info(),
    makeNode().name('two').taint('a', '1', 'PreferNoSchedule').taint('b', '2', 'PreferNoSchedule').info(),
    makeNode().name('tolerated').taint('c', '3', 'PreferNoSchedule').info(),
  ];
  const pod = makePod().toleration({ key: 'c', operator: 'Exists', effect: 'PreferNoSchedule' }).info();
  assert.deepEqual(runScore(newTaintToleration(), pod, nodes), [100, 50, 0, 100]);
  assert.deepEqual(runScore(newTaintToleration(), makePod().info(), [nodes[0]!]), [100]);
});
