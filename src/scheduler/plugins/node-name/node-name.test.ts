import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Code } from '../../framework/status.js';
import { makeNode, makePod } from '../../testing/wrappers.js';
import { runFilter } from '../../testing/run-plugin.js';
import { ERR_REASON, newNodeName } from './node-name.js';

test('NodeName filter', async (t) => {
  const cases = [
    { name: 'no nodeName fits any node', pod: makePod(), code: Code.Success },
    { name: 'matching nodeName fits', pod: makePod().node('n1'), code: Code.Success },
    { name: 'other nodeName does not fit (unresolvable)', pod: makePod().node('n2'), code: Code.UnschedulableAndUnresolvable, reason: ERR_REASON },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      const st = runFilter(newNodeName(), c.pod.info(), makeNode().name('n1').info());
      assert.equal(st.code, c.code);
      if (c.reason) assert.deepEqual(st.reasons, [c.reason]);
    });
  }
});
