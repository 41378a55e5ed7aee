import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildProfile } from '../framework/profile.js';
import { defaultProfileConfig, inTreeRegistry } from './registry.js';

test('the default profile files each plugin under the points it implements', () => {
  const p = buildProfile(defaultProfileConfig(), inTreeRegistry);
  assert.equal(p.schedulerName, 'default-scheduler');
  assert.deepEqual(p.filter.map((x) => x.name), [
    'NodeUnschedulable', 'NodeName', 'TaintToleration', 'NodeAffinity', 'NodePorts', 'NodeResourcesFit', 'VolumeRestrictions', 'VolumeBinding', 'PodTopologySpread', 'InterPodAffinity',
  ]);
  assert.deepEqual(p.preFilter.map((x) => x.name), ['NodeAffinity', 'NodePorts', 'VolumeRestrictions', 'VolumeBinding', 'PodTopologySpread', 'InterPodAffinity']);
  assert.deepEqual(p.reserve.map((x) => x.name), ['VolumeBinding']);
  assert.deepEqual(p.preBind.map((x) => x.name), ['VolumeBinding']);
  assert.deepEqual(p.score.map((x) => [x.plugin.name, x.weight]), [
    ['TaintToleration', 3], ['NodeAffinity', 2], ['NodeResourcesFit', 1], ['PodTopologySpread', 2], ['InterPodAffinity', 2], ['NodeResourcesBalancedAllocation', 1], ['ImageLocality', 1],
  ]);
  assert.deepEqual(p.bind.map((x) => x.name), ['DefaultBinder']);
});

test('an unknown plugin name is an error', () => {
  assert.throws(() => buildProfile({ schedulerName: 's', plugins: [{ name: 'Nope' }] }, inTreeRegistry), /plugin "Nope" does not exist/);
  // Removed upstream (kubescheduler.config.k8s.io/v1 since 1.25, the code in 1.29): PodTopologySpread's system defaults do its job.
  assert.throws(() => buildProfile({ schedulerName: 's', plugins: [{ name: 'SelectorSpread' }] }, inTreeRegistry), /plugin "SelectorSpread" does not exist/);
});
