/**
 * The private containerd supervisor against the real containerd (root, Debian containerd/runc/CNI,
 * scripts/build-test-images.sh run first).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { processesMentioning, removeCgroupTree } from '../testing/host-state.js';
import { getWhenListening } from '../testing/http.js';
import { BUSYBOX_IMAGE, startTestContainerd } from '../testing/private-containerd.js';
import { MissingBinariesError, checkRuntimeBinaries } from './binaries.js';
import { startContainerd } from './supervisor.js';

describe('containerd supervisor', () => {
  it('names the Debian packages to install when programs are missing', async () => {
    assert.doesNotThrow(() => checkRuntimeBinaries());
    const dir = mkdtempSync('/tmp/bzsup-');
    try {
      await assert.rejects(startContainerd({ dir: join(dir, 'containerd'), cniBinDir: join(dir, 'no-cni') }), (e: unknown) => {
        assert.ok(e instanceof MissingBinariesError);
        assert.deepEqual(e.packages, ['containernetworking-plugins']);
        assert.match(e.message, /missing CNI plugin bridge, .*apt-get install containernetworking-plugins/);
        return true;
      });
      // Nothing is written before the check passes.
      assert.equal(existsSync(join(dir, 'containerd')), false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a second containerd on the same directory, and stops cleanly', async () => {
    const tc = await startTestContainerd({ busybox: false });
    try {
      await assert.rejects(startContainerd({ dir: tc.handle.paths.base }), /already serving/);
      assert.equal((await tc.cri.version()).runtimeApiVersion, 'v1');
      const pid = tc.handle.pid;
      await tc.handle.stop();
      assert.throws(() => process.kill(pid, 0), /ESRCH/, 'containerd process is gone');
      await tc.handle.stop(); // idempotent
    } finally {
      await tc.teardown();
    }
    assert.deepEqual(processesMentioning(tc.dir), []);
  });

  it('keeps pods running across a containerd restart (shims outlive it)', async () => {
    const tc = await startTestContainerd();
    try {
      const sc = {
        metadata: { name: 'survivor', namespace: 'default', uid: `${tc.prefix}-surv`, attempt: 0 },
        cgroupParent: `${tc.cgroupRoot}/pod-surv`,
        logDirectory: join(tc.dir, 'logs'),
      };
      const sid = await tc.cri.runPodSandbox(sc);
      const cid = await tc.cri.createContainer(sid, { metadata: { name: 'web', attempt: 0 }, image: BUSYBOX_IMAGE, logPath: 'web.log' }, sc);
      await tc.cri.startContainer(cid);
      const { ip } = await tc.cri.podSandboxStatus(sid);
      const before = await tc.cri.containerStatus(cid);

      await tc.handle.stop();
      // With containerd down the pod still serves.
      assert.equal((await getWhenListening(`http://${ip}:8080/`)).status, 200);
      await tc.restart();

      const after = await tc.cri.containerStatus(cid);
      assert.equal(after.state, 'CONTAINER_RUNNING');
      assert.equal(after.startedAt?.getTime(), before.startedAt?.getTime(), 'not restarted');
      assert.equal((await tc.cri.podSandboxStatus(sid)).state, 'SANDBOX_READY');
      assert.equal((await fetch(`http://${ip}:8080/`)).status, 200);
      await tc.cri.stopPodSandbox(sid);
      await tc.cri.removePodSandbox(sid);
      removeCgroupTree(sc.cgroupParent);
    } finally {
      await tc.teardown();
    }
    assert.deepEqual(processesMentioning(tc.dir), []);
  });
});

/** 'gone' for a process that exited (a zombie not yet reaped by its new parent counts too). */
function runningState(pid: number): 'running' | 'gone' {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] === 'Z' ? 'gone' : 'running';
  } catch {
    return 'gone';
  }
}

describe('containerd supervisor after a crash of its parent', () => {
  it('stops the containerd a killed supervisor left running, and starts its own', async () => {
    const dir = mkdtempSync('/tmp/bzorph-');
    const base = join(dir, 'containerd');
    const supervisorUrl = new URL('./supervisor.ts', import.meta.url).href;
    // A supervisor in another process, killed with SIGKILL: its containerd child survives it.
    const child = spawn(process.execPath, ['--import', 'tsx', '-e',
      `const m = await import(${JSON.stringify(supervisorUrl)}); const h = await m.startContainerd({ dir: ${JSON.stringify(base)} }); console.log('up', h.pid);`,
    ], { stdio: ['ignore', 'pipe', 'inherit'] });
    let handle: Awaited<ReturnType<typeof startContainerd>> | undefined;
    try {
      const orphanPid = await new Promise<number>((resolve, reject) => {
        let out = '';
        child.stdout!.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /up (\d+)/.exec(out);
          if (m) resolve(Number(m[1]));
        });
        child.once('exit', (code) => reject(new Error(`supervisor exited with ${code}: ${out}`)));
      });
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      assert.equal(runningState(orphanPid), 'running', 'containerd outlived its supervisor');

      handle = await startContainerd({ dir: base });
      assert.notEqual(handle.pid, orphanPid);
      assert.equal(runningState(orphanPid), 'gone', 'the orphan was stopped');
    } finally {
      child.kill('SIGKILL');
      await handle?.stop();
      for (const pid of processesMentioning(dir)) process.kill(pid, 'SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
