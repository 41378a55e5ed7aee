/** The nominator (upstream's nominated pods in RunFilterPluginsWithNominatedPods): space freed for a preemptor is kept for it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildProfile } from './framework/profile.js';
import { schedulePod } from './framework/schedule-pod.js';
import { Snapshot } from './framework/snapshot.js';
import { Nominator } from './nominator.js';
import { inTreeRegistry } from './plugins/registry.js';
import { makeNode, makePod } from './testing/wrappers.js';

test('nominated pods of equal or higher priority hold their node against other pods', () => {
  const nominator = new Nominator();
  const preemptor = makePod().name('hi').req({ cpu: '2' }).priority(100).obj();
  preemptor.status = { nominatedNodeName: 'n1' };
  nominator.observe(preemptor, 'default/hi');
  const profile = buildProfile({ schedulerName: 'default-scheduler', plugins: [{ name: 'NodeResourcesFit' }] }, inTreeRegistry, {});
  const nodes = new Snapshot([makeNode().name('n1').alloc({ cpu: '2', pods: 110 }).info(), makeNode().name('n2').alloc({ cpu: '1', pods: 110 }).info()]);
  const nodeView = nominator.nodeFor.bind(nominator);
  const place = (name: string, prio: number) => {
    const r = schedulePod(makePod().name(name).req({ cpu: '1' }).priority(prio).info(), nodes, profile, { nodeView });
    return 'node' in r ? r.node : undefined;
  };
  assert.equal(place('low', 5), 'n2', 'n1 is held for the nominated pod');
  assert.equal(place('same', 100), 'n2', 'equal priority respects the nomination too');
  assert.ok(['n1', 'n2'].includes(place('higher', 200)!), 'a higher-priority pod ignores it');
  const self = schedulePod(makePod().name('hi').req({ cpu: '2' }).priority(100).info(), nodes, profile, { nodeView });
  assert.ok('node' in self && self.node === 'n1', 'the nominated pod itself fits its node');

  nominator.observe({ ...preemptor, spec: { ...preemptor.spec, nodeName: 'n1' } }, 'default/hi');
  assert.equal(nominator.size, 0, 'bound: no longer nominated');
  nominator.observe(preemptor, 'default/hi');
  nominator.observe(undefined, 'default/hi');
  assert.equal(nominator.size, 0, 'deleted');
});

test('a nomination holds from the cycle that preempted, before the API shows it (upstream AddNominatedPod, UpdateNominatedPod)', () => {
  const nominator = new Nominator();
  const profile = buildProfile({ schedulerName: 'default-scheduler', plugins: [{ name: 'NodeResourcesFit' }] }, inTreeRegistry, {});
  const nodes = new Snapshot([makeNode().name('n1').alloc({ cpu: '2', pods: 110 }).info()]);
  const preemptor = makePod().name('hi').req({ cpu: '2' }).priority(100);
  nominator.nominate(preemptor.info(), 'n1');
  const place = () => {
    const r = schedulePod(makePod().name('replacement').req({ cpu: '1' }).priority(5).info(), nodes, profile, { nodeView: nominator.nodeFor.bind(nominator) });
    return 'node' in r ? r.node : undefined;
  };
  assert.equal(place(), undefined, 'the victims\' space is the preemptor\'s while its status patch is in flight');
  // The PodScheduled=False update the cycle itself wrote arrives first, still without nominatedNodeName.
  nominator.observe(preemptor.obj(), 'default/hi');
  assert.equal(place(), undefined, 'an update without nominatedNodeName keeps the in-memory nomination');
  const withStatus = preemptor.obj();
  withStatus.status = { nominatedNodeName: 'n1' };
  nominator.observe(withStatus, 'default/hi');
  nominator.observe(preemptor.obj(), 'default/hi');
  assert.equal(nominator.size, 0, 'nominatedNodeName removed from the status: no longer nominated');
});
