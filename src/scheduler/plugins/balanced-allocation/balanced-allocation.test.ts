import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeNode, makePod } from '../../testing/wrappers.js';
import { runScore } from '../../testing/run-plugin.js';
import { balancedScore, newBalancedAllocation } from './balanced-allocation.js';

test('balancedScore', async (t) => {
  const cases = [
    { name: 'equal fractions', req: [1000, 1024], alloc: [4000, 4096], want: 100 },
    { name: 'cpu 50% memory 0%', req: [2000, 0], alloc: [4000, 4096], want: 75 },
    { name: 'fractions cap at 1', req: [8000, 0], alloc: [4000, 4096], want: 50 },
    { name: 'resources the node lacks are ignored', req: [1000, 1024], alloc: [4000, 0], want: 100 },
  ];
  for (const c of cases) await t.test(c.name, () => assert.equal(balancedScore(c.req, c.alloc), c.want));
});

test('BalancedAllocation prefers the node the pod balances', () => {
  const pod = makePod().req({ cpu: '1', memory: '1Gi' }).info();
  const nodes = [
    makeNode().name('cpu-heavy').alloc({ cpu: '4', memory: '4Gi' }).info(makePod().name('e').req({ cpu: '2' }).obj()),
    makeNode().name('even').alloc({ cpu: '4', memory: '4Gi' }).info(),
  ];
  assert.deepEqual(runScore(newBalancedAllocation(), pod, nodes), [75, 100]);
});
