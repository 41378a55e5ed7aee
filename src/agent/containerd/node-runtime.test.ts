/** startNodeRuntime on a fresh data dir: CNI config, private containerd, pause image, a working pod. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { podCgroupParent, removeCgroup } from '../runtime/cgroups.js';
import { deleteLink, linkExists, processesMentioning, unmountUnder } from '../testing/host-state.js';
import { PAUSE_IMAGE } from './pause-image.js';
import { startNodeRuntime } from './node-runtime.js';

describe('startNodeRuntime', () => {
  it('brings a node runtime up from an empty data dir and runs a pod on the pod CIDR', async () => {
    const id = randomBytes(3).toString('hex');
    const dataDir = mkdtempSync(`/tmp/bzn${id}-`);
    const bridge = `bzn${id}`;
    const podCIDR = `10.${200 + (parseInt(id.slice(0, 2), 16) % 50)}.${parseInt(id.slice(2, 4), 16)}.0/24`;
    const cgroupRoot = `/bzn${id}`;
    const node = await startNodeRuntime({ dataDir, podCIDR, bridge });
    try {
      assert.ok(existsSync(join(dataDir, 'containerd', 'cni', 'net.d', '10-bosun.conflist')));
      assert.ok(await node.runtime.imageStatus(PAUSE_IMAGE), 'pause image imported');
      const uid = `${id}-a`;
      const sc = { metadata: { name: 'a', namespace: 'default', uid, attempt: 0 }, cgroupParent: podCgroupParent(uid, cgroupRoot) };
      const sid = await node.runtime.runPodSandbox(sc);
      const { ip } = await node.runtime.podSandboxStatus(sid);
      assert.equal(ip, podCIDR.replace(/0\/24$/, '2'), 'host-local hands out the first address after the gateway');
      assert.ok(linkExists(bridge));
      assert.ok(existsSync(join(dataDir, 'cni', 'networks', 'bosun', ip)), 'IPAM state under the data dir');
      await node.runtime.stopPodSandbox(sid);
      await node.runtime.removePodSandbox(sid);
      assert.deepEqual(removeCgroup(sc.cgroupParent), []);
      assert.equal(existsSync(join(dataDir, 'cni', 'networks', 'bosun', ip)), false, 'IP released');
    } finally {
      await node.stop();
      for (const pid of processesMentioning(dataDir)) process.kill(pid, 'SIGKILL');
      unmountUnder(dataDir);
      deleteLink(bridge);
      removeCgroup(cgroupRoot);
      rmSync(dataDir, { recursive: true, force: true });
    }
    assert.deepEqual(processesMentioning(dataDir), []);
  });
});
