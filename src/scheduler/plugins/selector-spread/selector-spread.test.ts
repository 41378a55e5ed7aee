import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newPodInfo } from '../../framework/pod-info.js';
import { makeNode, makePod } from '../../testing/wrappers.js';
import { runScore } from '../../testing/run-plugin.js';
import { newSelectorSpread } from './selector-spread.js';

const ZONE = 'topology.kubernetes.io/zone';
const replica = (name: string, owner = 'rs-1') => makePod().name(name).owner(owner).obj();

test('SelectorSpread', async (t) => {
  await t.test('pods without a controller are not spread', () => {
    assert.equal(runScore(newSelectorSpread(), makePod().info(), [makeNode().info()]), null);
  });
  await t.test('pods with their own spread constraints are left to PodTopologySpread (upstream skipSelectorSpread)', () => {
    const pod = makePod().owner('rs-1').obj();
    pod.spec.topologySpreadConstraints = [{ maxSkew: 1, topologyKey: ZONE, whenUnsatisfiable: 'ScheduleAnyway', labelSelector: {} }];
    assert.equal(runScore(newSelectorSpread(), newPodInfo(pod), [makeNode().info()]), null);
  });
  await t.test('fewer replicas of the same owner, higher score; other owners do not count', () => {
    const nodes = [
      makeNode().name('n0').info(),
      makeNode().name('n1').info(replica('r1')),
      makeNode().name('n2').info(replica('r2'), replica('r3')),
      makeNode().name('n3').info(replica('x1', 'rs-2'), replica('x2', 'rs-2')),
    ];
    assert.deepEqual(runScore(newSelectorSpread(), makePod().owner('rs-1').info(), nodes), [100, 50, 0, 100]);
  });
  await t.test('zones weigh 2/3', () => {
    const nodes = [
      makeNode().name('a1').label(ZONE, 'a').info(replica('r1')),
      makeNode().name('a2').label(ZONE, 'a').info(),
      makeNode().name('b1').label(ZONE, 'b').info(),
    ];
    // node part: a1 0, a2 100, b1 100; zone part: a 0, b 100.
    assert.deepEqual(runScore(newSelectorSpread(), makePod().owner('rs-1').info(), nodes), [0, 33, 100]);
  });
});
