import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Code } from '../../framework/status.js';
import { makeNode, makePod } from '../../testing/wrappers.js';
import { runFilter } from '../../testing/run-plugin.js';
import { ERR_REASON, newNodePorts } from './node-ports.js';

test('NodePorts filter', async (t) => {
  const cases = [
    { name: 'no host ports', pod: makePod(), existing: [makePod().name('e').hostPort(80)], fits: true },
    { name: 'free port', pod: makePod().hostPort(8080), existing: [makePod().name('e').hostPort(80)], fits: true },
    { name: 'same port and protocol', pod: makePod().hostPort(80), existing: [makePod().name('e').hostPort(80)], fits: false },
    { name: 'same port, other protocol', pod: makePod().hostPort(53, 'UDP'), existing: [makePod().name('e').hostPort(53, 'TCP')], fits: true },
    { name: 'different specific IPs', pod: makePod().hostPort(80, 'TCP', '10.0.0.1'), existing: [makePod().name('e').hostPort(80, 'TCP', '10.0.0.2')], fits: true },
    { name: 'specific IP vs 0.0.0.0', pod: makePod().hostPort(80, 'TCP', '10.0.0.1'), existing: [makePod().name('e').hostPort(80)], fits: false },
    { name: '0.0.0.0 vs specific IP', pod: makePod().hostPort(80), existing: [makePod().name('e').hostPort(80, 'TCP', '10.0.0.2')], fits: false },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      const st = runFilter(newNodePorts(), c.pod.info(), makeNode().info(...c.existing.map((e) => e.obj())));
      if (c.fits) assert.equal(st.code, Code.Success);
      else {
        assert.equal(st.code, Code.Unschedulable);
        assert.deepEqual(st.reasons, [ERR_REASON]);
      }
    });
  }
  await t.test('a removed pod frees its port', () => {
    const n = makeNode().info(makePod().name('e').hostPort(80).obj()).withoutPod('default/e');
    assert.equal(runFilter(newNodePorts(), makePod().hostPort(80).info(), n).code, Code.Success);
  });
});
