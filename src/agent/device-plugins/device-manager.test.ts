/**
 * The device manager against a device plugin written with @grpc/grpc-js (as real plugins are written
 * with grpc-go): registration over kubelet.sock served by our node:http2 server, ListAndWatch into
 * capacity/allocatable, Allocate into a container's options, the checkpoint across a restart, and
 * removal when the plugin's stream ends (upstream pkg/kubelet/cm/devicemanager manager.go). Plus the
 * pure allocation rules. No containerd: the e2e test (test/e2e/device-plugins.test.ts) runs a pod.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Container, Pod } from '../../api/kinds/index.js';
import { eventually } from '../../testing/eventually.js';
import { quietLogger } from '../../testing/quiet-logger.js';
import { startFakeDevicePlugin, type FakeDevicePlugin } from '../testing/fake-device-plugin.js';
import { DeviceAllocations, chooseDevices } from './allocations.js';
import { DeviceManager } from './device-manager.js';

const RES = 'bosun.test/dm-fake';
const pod = (uid: string): Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: uid, namespace: 'default', uid }, spec: { containers: [] } });
const ctr = (n: number): Container => ({ name: 'c', image: 'x', resources: { limits: { [RES]: String(n) }, requests: { [RES]: String(n) } } });

describe('chooseDevices and the allocation checkpoint', () => {
  it('takes healthy devices no container holds, the plugin\'s preference first, and refuses with upstream\'s wording', () => {
    assert.deepEqual(chooseDevices(RES, 2, ['d2', 'd0', 'd1'], new Set(['d0'])), ['d1', 'd2']);
    assert.deepEqual(chooseDevices(RES, 1, ['d0', 'd1', 'd2'], new Set(), ['d2']), ['d2']);
    assert.deepEqual(chooseDevices(RES, 2, ['d0', 'd1', 'd2'], new Set(['d0']), ['d0', 'd2']), ['d2', 'd1']);
    assert.throws(() => chooseDevices(RES, 2, ['d0', 'd1'], new Set(['d1'])), /requested number of devices unavailable for bosun\.test\/dm-fake\. Requested: 2, Available: 1/);
  });

  it('survives a new instance on the same file and frees what retain rejects', () => {
    const dir = mkdtempSync('/tmp/bosun-dm-ckpt-');
    try {
      const file = join(dir, 'kubelet_internal_checkpoint');
      const a = new DeviceAllocations(file);
      a.add({ podUID: 'p1', container: 'c', resource: RES, deviceIDs: ['d0'], response: { envs: { A: '1' } } });
      a.add({ podUID: 'p2', container: 'c', resource: RES, deviceIDs: ['d1'], response: {} });
      const b = new DeviceAllocations(file);
      assert.deepEqual([...b.inUse(RES)].sort(), ['d0', 'd1']);
      assert.deepEqual(b.get('p1', 'c', RES)?.response, { envs: { A: '1' } });
      assert.equal(b.retain((u) => u !== 'p2'), true);
      assert.deepEqual([...new DeviceAllocations(file).inUse(RES)], ['d0']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('device manager with a grpc-js device plugin', () => {
  let dataDir: string;
  let manager: DeviceManager;
  let plugin: FakeDevicePlugin;
  let changes = 0;
  const active = new Set<string>();
  const newManager = () => new DeviceManager({ dataDir, isActive: (u) => active.has(u), onChange: () => changes++, log: quietLogger });

  before(async () => {
    dataDir = mkdtempSync('/tmp/bosun-dm-');
    manager = newManager();
    await manager.start();
    plugin = await startFakeDevicePlugin({
      dir: manager.dir, resourceName: RES, endpoint: 'dm-fake.sock', deviceIDs: ['dev-0', 'dev-1'], hostFile: '/etc/hostname', containerPath: '/fake/file',
    });
  });
  after(async () => {
    plugin.stop();
    await manager.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses a registration with another API version or a resource name that is not extended, as upstream', async () => {
    await assert.rejects(plugin.register({ version: 'v1alpha' }), /requested API version "v1alpha" is not supported by kubelet/);
    await assert.rejects(plugin.register({ resourceName: 'cpu' }), /the ResourceName "cpu" is invalid/);
    assert.deepEqual(manager.resources(), { capacity: {}, allocatable: {} });
  });

  it('reports the plugin\'s devices, allocates them to a container, and keeps the allocation across a restart', async () => {
    await plugin.register();
    await eventually(() => manager.resources().allocatable[RES] === '2', 'allocatable 2');
    assert.deepEqual(manager.resources(), { capacity: { [RES]: '2' }, allocatable: { [RES]: '2' } });
    assert.ok(changes > 0);

    active.add('p1');
    const r = await manager.allocate(pod('p1'), ctr(2));
    assert.deepEqual(r?.envs, { FAKE_DEVICES: 'dev-0,dev-1' });
    assert.deepEqual(r?.mounts, [{ containerPath: '/fake/file', hostPath: '/etc/hostname', readOnly: true }]);
    active.add('p2');
    await assert.rejects(manager.allocate(pod('p2'), ctr(1)), /Requested: 1, Available: 0/);

    // A restarted agent reads the checkpoint: the container gets its devices again without a new Allocate.
    await manager.stop();
    manager = newManager();
    await manager.start();
    const again = await manager.allocate(pod('p1'), ctr(2));
    assert.deepEqual(again?.envs, { FAKE_DEVICES: 'dev-0,dev-1' });
    assert.deepEqual(plugin.allocated, [['dev-0', 'dev-1']]);

    // The plugin re-registers with the new agent; once p1 is gone its devices go to p2.
    await plugin.register();
    await eventually(() => manager.resources().allocatable[RES] === '2', 'allocatable 2 after re-registration');
    manager.release('p1');
    active.delete('p1');
    assert.deepEqual((await manager.allocate(pod('p2'), ctr(1)))?.envs, { FAKE_DEVICES: 'dev-0' });
  });

  it('removes the resource (capacity 0) when the plugin\'s ListAndWatch ends', async () => {
    plugin.stop();
    await eventually(() => manager.resources().capacity[RES] === '0', 'capacity 0');
    assert.deepEqual(manager.resources(), { capacity: { [RES]: '0' }, allocatable: { [RES]: '0' } });
  });
});
