import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Code } from '../../framework/status.js';
import { makeNode, makePod } from '../../testing/wrappers.js';
import { runFilter } from '../../testing/run-plugin.js';
import { ERR_REASON_UNSCHEDULABLE, newNodeUnschedulable } from './node-unschedulable.js';

test('NodeUnschedulable filter', async (t) => {
  const cases = [
    { name: 'schedulable node', node: makeNode(), pod: makePod(), code: Code.Success },
    { name: 'cordoned node rejects', node: makeNode().unschedulable(), pod: makePod(), code: Code.UnschedulableAndUnresolvable },
    {
      name: 'cordoned node takes a pod tolerating the unschedulable taint',
      node: makeNode().unschedulable(),
      pod: makePod().toleration({ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }),
      code: Code.Success,
    },
    {
      name: 'a toleration of another key does not help',
      node: makeNode().unschedulable(),
      pod: makePod().toleration({ key: 'other', operator: 'Exists' }),
      code: Code.UnschedulableAndUnresolvable,
    },
    { name: 'tolerate-everything toleration helps', node: makeNode().unschedulable(), pod: makePod().toleration({ operator: 'Exists' }), code: Code.Success },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      const st = runFilter(newNodeUnschedulable(), c.pod.info(), c.node.info());
      assert.equal(st.code, c.code);
      if (c.code !== Code.Success) assert.deepEqual(st.reasons, [ERR_REASON_UNSCHEDULABLE]);
    });
  }
});
