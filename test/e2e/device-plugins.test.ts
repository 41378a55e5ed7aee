/**
 * The kubelet's device plugin API on a real node (issue 15): a plugin written with @grpc/grpc-js
 * serves v1beta1.DevicePlugin on its own socket and registers over the agent's
 * device-plugins/kubelet.sock; its 2 devices become the node's capacity and allocatable; a pod
 * asking for both runs with what Allocate answered (an env, a read-only mount of a host file and a
 * device node, used inside the container through kubectl exec); one more pod stays Pending with the scheduler's
 * upstream message; when the plugin exits, the resource drops to 0 as upstream's devicemanager does.
 * Needs root; `npm run build` and scripts/build-test-images.sh.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { useNodeServer, waitFor, type NodeServer } from '../../src/testing/node-server.js';
import { startFakeDevicePlugin, type FakeDevicePlugin } from '../../src/agent/testing/fake-device-plugin.js';

const RES = 'bosun.test/e2e-fakedev';
const JSONPATH_RES = RES.replace(/\./g, '\\.');
const pod = (name: string, n: number) => JSON.stringify({
  apiVersion: 'v1', kind: 'Pod', metadata: { name },
  spec: {
    terminationGracePeriodSeconds: 0,
    containers: [{ name: 'c', image: 'bosun.test/busybox:1', command: ['sleep', '3600'], resources: { limits: { [RES]: String(n) } } }],
  },
});

describe('device plugins on a real node', { timeout: 240_000 }, () => {
  const getNode = useNodeServer();
  let node: NodeServer;
  let plugin: FakeDevicePlugin | undefined;
  let hostDir: string;
  const secret = `device-file-${process.pid}-${Date.now()}`;

  before(() => {
    node = getNode();
    hostDir = mkdtempSync('/tmp/bosun-dp-e2e-');
    writeFileSync(join(hostDir, 'device.txt'), secret);
  });
  after(() => {
    plugin?.stop();
    rmSync(hostDir, { recursive: true, force: true });
  });

  const resource = (field: 'capacity' | 'allocatable') => node.k('get', 'node', node.nodeName, '-o', `jsonpath={.status.${field}.${JSONPATH_RES}}`);

  it('a registered plugin\'s devices are allocatable, Allocate\'s env and mount reach the container, and the next pod waits', async () => {
    const dir = join(node.dataDir, 'node', 'agent', 'device-plugins');
    await waitFor('kubelet.sock', async () => {
      try {
        plugin ??= await startFakeDevicePlugin({
          dir, resourceName: RES, endpoint: 'e2e-fakedev.sock', deviceIDs: ['fd-0', 'fd-1'], hostFile: join(hostDir, 'device.txt'), containerPath: '/fake/device.txt',
          device: { hostPath: '/dev/null', containerPath: '/dev/fakedev0' },
        });
        await plugin.register();
        return true;
      } catch {
        return false;
      }
    }, 60_000, 500);
    await waitFor('allocatable 2', async () => (await resource('allocatable')) === '2', 60_000, 500);
    assert.equal(await resource('capacity'), '2');

    assert.equal((await node.kubectl(['apply', '-f', '-'], { input: pod('dp-two', 2) })).code, 0);
    const w = await node.kubectl(['wait', '--for=condition=Ready', 'pod/dp-two', '--timeout=120s'], { timeoutMs: 130_000 });
    assert.equal(w.code, 0, w.stderr);
    assert.equal((await node.k('exec', 'dp-two', '--', 'sh', '-c', 'echo $FAKE_DEVICES')).trim(), 'fd-0,fd-1');
    assert.equal(await node.k('exec', 'dp-two', '--', 'cat', '/fake/device.txt'), secret);
    // The DeviceSpec became a CRI Device: the node is there and usable (rw).
    assert.equal(await node.k('exec', 'dp-two', '--', 'sh', '-c', 'test -c /dev/fakedev0 && echo hi > /dev/fakedev0 && echo ok'), 'ok\n');
    // read_only: the mount refuses writes.
    const write = await node.kubectl(['exec', 'dp-two', '--', 'sh', '-c', 'echo x > /fake/device.txt']);
    assert.notEqual(write.code, 0);

    assert.equal((await node.kubectl(['apply', '-f', '-'], { input: pod('dp-one', 1) })).code, 0);
    const msg = await waitFor('FailedScheduling', async () => {
      const out = await node.k('get', 'events', '--field-selector', 'involvedObject.name=dp-one,reason=FailedScheduling', '-o', 'jsonpath={.items[*].message}');
      return out || undefined;
    }, 60_000, 500);
    assert.match(msg, new RegExp(`^0/1 nodes are available: 1 Insufficient ${RES.replace(/\./g, '\\.')}\\.`));
    assert.equal(await node.k('get', 'pod', 'dp-one', '-o', 'jsonpath={.status.phase}'), 'Pending');
  });

  it('a plugin that exits takes its resource to 0', async () => {
    assert.ok(plugin, 'the plugin of the first test');
    plugin.stop();
    await waitFor('capacity 0', async () => (await resource('capacity')) === '0' && (await resource('allocatable')) === '0', 60_000, 500);
  });
});
