/** The in-process pause image: a valid, reproducible tarball that containerd runs as the sandbox. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { removeCgroupTree } from '../testing/host-state.js';
import { startTestContainerd } from '../testing/private-containerd.js';
import { PAUSE_IMAGE, buildPauseImageTar, ensurePauseImage } from './pause-image.js';

describe('pause image', () => {
  it('is a reproducible docker-archive that GNU tar reads', () => {
    const a = buildPauseImageTar();
    assert.ok(a.equals(buildPauseImageTar()), 'same bytes on every build');
    const listing = execFileSync('tar', ['-tf', '-'], { input: a, encoding: 'utf8' }).trim().split('\n');
    assert.ok(listing.includes('manifest.json'));
    const layerPath = listing.find((l) => l.endsWith('/layer.tar'))!;
    const layer = execFileSync('tar', ['-xOf', '-', layerPath], { input: a, maxBuffer: 64 << 20 });
    const files = execFileSync('tar', ['-tvf', '-'], { input: layer, encoding: 'utf8' });
    assert.match(files, /^-rwxr-xr-x root\/root .* bin\/busybox$/m);
    assert.match(files, /^lrwxrwxrwx root\/root .* bin\/sh -> busybox$/m);
    const manifest = JSON.parse(execFileSync('tar', ['-xOf', '-', 'manifest.json'], { input: a, encoding: 'utf8' }));
    assert.deepEqual(manifest[0].RepoTags, [PAUSE_IMAGE]);
  });

  it('names the package to install when busybox is missing', () => {
    assert.throws(() => buildPauseImageTar('/nonexistent/busybox'), /apt-get install busybox-static/);
  });

  it('is imported when missing and serves as the sandbox of a pod that stops at once', async () => {
    const tc = await startTestContainerd({ pause: false, busybox: false });
    try {
      assert.equal(await tc.cri.imageStatus(PAUSE_IMAGE), null);
      assert.equal(await ensurePauseImage(tc.cri, tc.handle.socket), true);
      assert.equal(await ensurePauseImage(tc.cri, tc.handle.socket), false);
      const sc = { metadata: { name: 'p', namespace: 'default', uid: `${tc.prefix}-pause`, attempt: 0 }, cgroupParent: `${tc.cgroupRoot}/podpause` };
      const sid = await tc.cri.runPodSandbox(sc);
      assert.equal((await tc.cri.podSandboxStatus(sid)).state, 'SANDBOX_READY');
      await tc.cri.stopPodSandbox(sid);
      await tc.cri.removePodSandbox(sid);
      removeCgroupTree(sc.cgroupParent);
    } finally {
      await tc.teardown();
    }
  });
});
