/**
 * A device plugin's Allocate answer in the container's CRI config, as the kubelet's
 * GenerateRunContainerOptions: the plugin's envs and mounts first (the container's own win a clash),
 * its devices as CRI Devices, its annotations under the agent's own.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { containerConfigToWire } from '../runtime/cri/convert.js';
import { withPluginDevices } from './container-config.js';

describe('device plugin options in the container config', () => {
  const base = {
    metadata: { name: 'c', attempt: 0 }, image: 'img',
    envs: [{ key: 'OWN', value: '1' }],
    mounts: [{ containerPath: '/data', hostPath: '/v/data' }],
    annotations: { 'io.kubernetes.container.restartCount': '0' },
  };

  it('puts envs, mounts, devices and annotations in, the container\'s own winning', () => {
    const cfg = withPluginDevices(base, {
      envs: { FAKE: 'a,b' },
      mounts: [{ containerPath: '/dev-lib', hostPath: '/usr/lib/dev', readOnly: true }, { containerPath: '/data', hostPath: '/elsewhere' }],
      devices: [{ containerPath: '/dev/fake0', hostPath: '/dev/null', permissions: 'rw' }],
      annotations: { 'vendor.example/dev': 'x', 'io.kubernetes.container.restartCount': 'plugin' },
    });
    assert.deepEqual(cfg.envs, [{ key: 'FAKE', value: 'a,b' }, { key: 'OWN', value: '1' }]);
    assert.deepEqual(cfg.mounts, [{ containerPath: '/dev-lib', hostPath: '/usr/lib/dev', readonly: true }, { containerPath: '/data', hostPath: '/v/data' }]);
    assert.deepEqual(cfg.annotations, { 'vendor.example/dev': 'x', 'io.kubernetes.container.restartCount': '0' });
    const wire = containerConfigToWire(cfg) as { devices: unknown[] };
    assert.deepEqual(wire.devices, [{ containerPath: '/dev/fake0', hostPath: '/dev/null', permissions: 'rw' }]);
  });

  it('leaves a container without plugin resources as it is', () => {
    assert.equal(withPluginDevices(base, undefined), base);
  });
});
