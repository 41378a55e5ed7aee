/**
 * Image GC against a real private containerd (needs root and scripts/build-test-images.sh): with
 * thresholds that force collection, a pass removes an unused imported image and keeps the image of
 * a running container and the sandbox (pause) image. Everything the test makes is removed.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Logger } from '../../controller-runtime/log.js';
import { importImageTarball } from '../containerd/images.js';
import { DEFAULT_SANDBOX_IMAGE } from '../containerd/supervisor.js';
import { writeTar } from '../containerd/tar.js';
import { removeCgroupTree } from '../testing/host-state.js';
import { BUSYBOX_IMAGE, startTestContainerd, type TestContainerd } from '../testing/private-containerd.js';
import type { PodSandboxConfig } from '../runtime/types.js';
import { ImageGarbageCollector, ImageGCError } from './image-gc.js';

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/** A one-file docker-archive image whose content (so id) is unique to `name`. */
function tinyImageTar(name: string): Buffer {
  const layer = writeTar([{ type: 'file', name: 'hello.txt', data: Buffer.from(`image ${name}\n`), mode: 0o644 }]);
  const layerDigest = sha256(layer);
  const config = JSON.stringify({ architecture: 'amd64', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: [`sha256:${layerDigest}`] } });
  const configName = `${sha256(config)}.json`;
  return writeTar([
    { type: 'dir', name: layerDigest },
    { type: 'file', name: `${layerDigest}/layer.tar`, data: layer },
    { type: 'file', name: configName, data: Buffer.from(config) },
    { type: 'file', name: 'manifest.json', data: Buffer.from(JSON.stringify([{ Config: configName, RepoTags: [name], Layers: [`${layerDigest}/layer.tar`] }])) },
  ]);
}

describe('image GC on containerd', () => {
  let tc: TestContainerd;
  let sandbox: { id: string; config: PodSandboxConfig } | undefined;
  before(async () => {
    tc = await startTestContainerd({ busybox: true });
  });
  after(async () => {
    if (sandbox) {
      await tc.cri.stopPodSandbox(sandbox.id);
      await tc.cri.removePodSandbox(sandbox.id);
      removeCgroupTree(sandbox.config.cgroupParent!);
    }
    await tc.teardown();
  });

  it('reports the image filesystem: containerd\'s snapshotter dir, sized by statfs', async () => {
    const fs = await tc.cri.imageFsInfo();
    assert.ok(fs.mountpoint.startsWith(tc.dir), fs.mountpoint);
    assert.ok(fs.capacityBytes > 0 && fs.availableBytes > 0 && fs.availableBytes <= fs.capacityBytes, JSON.stringify(fs));
    // containerd sums snapshot sizes on a timer (10 s), so right after start it may still say 0.
    assert.ok(fs.usedBytes >= 0);
  });

  it('removes an unused image and keeps the running container\'s image and the pause image', async () => {
    const extra = `bosun.test/${tc.prefix}-unused:1`;
    const file = join(tc.dir, 'extra.tar');
    writeFileSync(file, tinyImageTar(extra));
    await importImageTarball(tc.handle.socket, file);
    const extraImage = await tc.cri.imageStatus(extra);
    assert.ok(extraImage, 'extra image imported');

    const uid = `${tc.prefix}-gc`;
    const config: PodSandboxConfig = {
      metadata: { name: 'gc', namespace: 'default', uid, attempt: 0 },
      logDirectory: join(tc.dir, 'logs', uid),
      cgroupParent: `${tc.cgroupRoot}/pod${uid}`,
    };
    const id = await tc.cri.runPodSandbox(config);
    sandbox = { id, config };
    const cid = await tc.cri.createContainer(id, { metadata: { name: 'app', attempt: 0 }, image: BUSYBOX_IMAGE, logPath: 'app/0.log' }, config);
    await tc.cri.startContainer(cid);
    assert.equal((await tc.cri.containerStatus(cid)).state, 'CONTAINER_RUNNING');

    const removed: string[] = [];
    const log: Logger = {
      debug() {}, warn() {}, error() {},
      info: (o, m) => { if (m?.startsWith('removing image')) removed.push((o as { imageID: string }).imageID); },
      child: () => log,
    };
    const gc = new ImageGarbageCollector({
      runtime: tc.cri,
      policy: { highThresholdPercent: 0, lowThresholdPercent: 0, minAgeMs: 0, maxAgeMs: 0 },
      sandboxImage: DEFAULT_SANDBOX_IMAGE,
      log,
    });
    // Low 0 asks to free every used byte of the filesystem, more than unused images hold: the
    // pass removes what it may and then reports FreeDiskSpaceFailed, as the kubelet would.
    await assert.rejects(gc.garbageCollect(), (e: unknown) => e instanceof ImageGCError && e.reason === 'FreeDiskSpaceFailed');
    assert.deepEqual(removed, [extraImage.id]);
    assert.equal(await tc.cri.imageStatus(extra), null, 'the unused image is gone');
    assert.ok(await tc.cri.imageStatus(BUSYBOX_IMAGE), 'the running container\'s image stays');
    assert.ok(await tc.cri.imageStatus(DEFAULT_SANDBOX_IMAGE), 'the pause image stays');
    assert.equal((await tc.cri.containerStatus(cid)).state, 'CONTAINER_RUNNING');
  });
});
