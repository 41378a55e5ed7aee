import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runtimeContract } from '../contract.js';
import { RuntimeError, type ContainerConfig, type PodSandboxConfig } from '../types.js';
import { FakeRuntime, normalizeRef } from './fake-runtime.js';

let seq = 0;
function sandbox(): PodSandboxConfig {
  seq++;
  return { metadata: { name: `p${seq}`, namespace: 'ns', uid: `uid-${seq}`, attempt: 0 }, labels: { pod: `p${seq}` }, logDirectory: '/logs' };
}
const ctr = (name: string, image = 'busybox'): ContainerConfig => ({ metadata: { name, attempt: 0 }, image, logPath: `${name}/0.log` });

describe('FakeRuntime', () => {
  const shared = new FakeRuntime({ images: ['busybox'] });
  describe('shares the runtime contract', () => {
    runtimeContract({
      runtime: () => shared,
      image: 'busybox',
      sandboxConfig: sandbox,
      exiting: (name, code) => {
        shared.setBehaviour(name, { exitCode: code });
        return ctr(name);
      },
      running: (name) => ctr(name),
    });
  });

  it('normalizes image references as containerd does', () => {
    const table: [string, string][] = [
      ['busybox', 'docker.io/library/busybox:latest'],
      ['busybox:1.36', 'docker.io/library/busybox:1.36'],
      ['user/app', 'docker.io/user/app:latest'],
      ['bosun.test/busybox:1', 'bosun.test/busybox:1'],
      ['127.0.0.1:5000/x/y:2', '127.0.0.1:5000/x/y:2'],
      ['localhost/app', 'localhost/app:latest'],
    ];
    for (const [input, want] of table) assert.equal(normalizeRef(input), want, input);
  });

  it('fails pulls of missing images with kind ImagePull and creates nothing from them', async () => {
    const rt = new FakeRuntime();
    rt.setImageMissing('nope:1');
    await assert.rejects(rt.pullImage('nope:1'), (e: unknown) => e instanceof RuntimeError && e.kind === 'ImagePull' && /not found/.test(e.message));
    const ref = await rt.pullImage('busybox');
    assert.equal((await rt.imageStatus('docker.io/library/busybox:latest'))?.id, ref);
    const sc = sandbox();
    const sid = await rt.runPodSandbox(sc);
    await assert.rejects(rt.createContainer(sid, ctr('c', 'nope:1'), sc), (e: unknown) => e instanceof RuntimeError && e.kind === 'NotFound');
    await rt.removeImage(ref);
    assert.equal(await rt.imageStatus('busybox'), null);
  });

  it('simulates OOM kills, delayed exits, start errors and TERM handling', async () => {
    const rt = new FakeRuntime({ images: ['busybox'] });
    rt.setBehaviour('oom', { oom: true });
    rt.setBehaviour('later', { exitCode: 2, afterMs: 20 });
    rt.setBehaviour('bad', { startError: 'exec: "nope": executable file not found in $PATH' });
    rt.setBehaviour('stubborn', { ignoresTerm: true });
    const sc = sandbox();
    const sid = await rt.runPodSandbox(sc);

    const oom = await rt.createContainer(sid, ctr('oom'), sc);
    await rt.startContainer(oom);
    assert.deepEqual(pick(await rt.containerStatus(oom)), { state: 'CONTAINER_EXITED', exitCode: 137, reason: 'OOMKilled' });

    const later = await rt.createContainer(sid, ctr('later'), sc);
    await rt.startContainer(later);
    assert.equal((await rt.containerStatus(later)).state, 'CONTAINER_RUNNING');
    await new Promise((r) => setTimeout(r, 60));
    assert.deepEqual(pick(await rt.containerStatus(later)), { state: 'CONTAINER_EXITED', exitCode: 2, reason: 'Error' });

    const bad = await rt.createContainer(sid, ctr('bad'), sc);
    await assert.rejects(rt.startContainer(bad), /executable file not found/);
    assert.equal((await rt.containerStatus(bad)).reason, 'StartError');

    const stubborn = await rt.createContainer(sid, ctr('stubborn'), sc);
    const polite = await rt.createContainer(sid, ctr('polite'), sc);
    await rt.startContainer(stubborn);
    await rt.startContainer(polite);
    await rt.stopContainer(stubborn, 1);
    await rt.stopContainer(polite, 1);
    assert.equal((await rt.containerStatus(stubborn)).exitCode, 137);
    assert.equal((await rt.containerStatus(polite)).exitCode, 143);

    const manual = await rt.createContainer(sid, ctr('manual'), sc);
    await rt.startContainer(manual);
    rt.exitContainer(manual, 0);
    assert.equal((await rt.containerStatus(manual)).reason, 'Completed');
    assert.equal((await rt.containerStatus(manual)).logPath, '/logs/manual/0.log');
    rt.close();
  });

  it('stopping a sandbox kills its containers and frees the IP; failNext injects one error', async () => {
    const rt = new FakeRuntime({ images: ['busybox'] });
    const sc = sandbox();
    const sid = await rt.runPodSandbox(sc);
    assert.equal((await rt.podSandboxStatus(sid)).ip, '10.88.0.2');
    const cid = await rt.createContainer(sid, ctr('c'), sc);
    await rt.startContainer(cid);
    await rt.stopPodSandbox(sid);
    assert.equal((await rt.containerStatus(cid)).state, 'CONTAINER_EXITED');
    assert.equal((await rt.podSandboxStatus(sid)).ip, '');
    await assert.rejects(rt.createContainer(sid, ctr('d'), sc), /not ready/);

    rt.failNext('RunPodSandbox', 'CNI failed');
    await assert.rejects(rt.runPodSandbox(sandbox()), /RunPodSandbox: CNI failed/);
    await rt.runPodSandbox(sandbox());
    rt.onExec((_id, cmd) => ({ stdout: Buffer.from(cmd.join(' ')), stderr: Buffer.alloc(0), exitCode: 1 }));
    const sc2 = sandbox();
    const sid2 = await rt.runPodSandbox(sc2);
    const c2 = await rt.createContainer(sid2, ctr('e'), sc2);
    await rt.startContainer(c2);
    const r = await rt.execSync(c2, ['cat', '/ready'], 1);
    assert.equal(r.stdout.toString(), 'cat /ready');
    assert.equal(r.exitCode, 1);
    assert.ok(rt.calls.includes(`ExecSync:${c2}`));
  });
});

function pick(s: { state: string; exitCode: number; reason: string }) {
  return { state: s.state, exitCode: s.exitCode, reason: s.reason };
}
