import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Code } from '../../framework/status.js';
import { makeNode, makePod } from '../../testing/wrappers.js';
import { runFilter, runScore } from '../../testing/run-plugin.js';
import { newNodeResourcesFit } from './node-resources-fit.js';

test('NodeResourcesFit filter counts pods already on the node', async (t) => {
  const node = makeNode().name('n1').alloc({ cpu: '2', memory: '4Gi', pods: 3 });
  const cases = [
    { name: 'empty node, small pod', pod: makePod().req({ cpu: '500m', memory: '1Gi' }), existing: [], reasons: [] },
    { name: 'exactly the remaining cpu fits', pod: makePod().req({ cpu: '1500m' }), existing: [makePod().name('e').req({ cpu: '500m' }).obj()], reasons: [] },
    { name: 'one millicore too many', pod: makePod().req({ cpu: '1501m' }), existing: [makePod().name('e').req({ cpu: '500m' }).obj()], reasons: ['Insufficient cpu'] },
    { name: 'memory', pod: makePod().req({ memory: '3Gi' }), existing: [makePod().name('e').req({ memory: '1.5Gi' }).obj()], reasons: ['Insufficient memory'] },
    {
      name: 'cpu and memory both reported, cpu first',
      pod: makePod().req({ memory: '5Gi', cpu: '3' }), existing: [], reasons: ['Insufficient cpu', 'Insufficient memory'],
    },
    {
      name: 'pod count',
      pod: makePod(), existing: ['a', 'b', 'c'].map((n) => makePod().name(n).obj()), reasons: ['Too many pods'],
    },
    { name: 'pod without requests fits a full node', pod: makePod().req({}), existing: [makePod().name('e').req({ cpu: '2', memory: '4Gi' }).obj()], reasons: [] },
    { name: 'extended resource missing on node', pod: makePod().req({ 'example.com/gpu': 1 }), existing: [], reasons: ['Insufficient example.com/gpu'] },
    { name: 'init containers: the largest step counts', pod: makePod().req({ cpu: '500m' }).initReq({ cpu: '2' }), existing: [], reasons: [] },
    { name: 'init container larger than the node', pod: makePod().req({ cpu: '500m' }).initReq({ cpu: '2100m' }), existing: [], reasons: ['Insufficient cpu'] },
    { name: 'sidecars add to the containers', pod: makePod().req({ cpu: '1500m' }).initReq({ cpu: '600m' }, true), existing: [], reasons: ['Insufficient cpu'] },
    { name: 'limits stand in for missing requests', pod: makePod().req({}, { cpu: '3' }), existing: [], reasons: ['Insufficient cpu'] },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      const st = runFilter(newNodeResourcesFit(), c.pod.info(), node.info(...c.existing));
      if (c.reasons.length === 0) assert.equal(st.code, Code.Success, st.message());
      else {
        assert.equal(st.code, Code.Unschedulable);
        assert.deepEqual(st.reasons, c.reasons);
      }
    });
  }
});

test('NodeResourcesFit score: least allocated wins, pods without requests count 100m/200Mi', () => {
  const pod = makePod().req({ cpu: '1', memory: '1Gi' }).info();
  const nodes = [
    makeNode().name('empty').alloc({ cpu: '4', memory: '4Gi' }).info(),
    makeNode().name('half').alloc({ cpu: '4', memory: '4Gi' }).info(makePod().name('e').req({ cpu: '1', memory: '1Gi' }).obj()),
    makeNode().name('besteffort').alloc({ cpu: '4', memory: '4Gi' }).info(makePod().name('be').req({}).obj()),
  ];
  // empty: cpu (4000-1000)*100/4000 = 75, mem 75 -> 75; half: 50, 50 -> 50;
  // besteffort: cpu (4000-1100)*100/4000 = 72, mem (4096-1224)Mi*100/4096Mi = 70 -> 71.
  assert.deepEqual(runScore(newNodeResourcesFit(), pod, nodes), [75, 50, 71]);
});
