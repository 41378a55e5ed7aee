import assert from 'node:assert/strict';
import { it } from 'node:test';
import { RuntimeError, type ContainerConfig, type ContainerRuntime, type ContainerStatus, type PodSandboxConfig } from './types.js';

/**
 * The behaviour every ContainerRuntime must share (CRI semantics the agent relies on), as one suite
 * run against each implementation: the fake in fake-runtime.test.ts, containerd in
 * cri/cri-runtime.test.ts. Only test files import this.
 */
export interface ContractHarness {
  runtime(): ContainerRuntime;
  /** An image that is present. */
  image: string;
  /** A fresh sandbox config (unique uid); cleanup(config) runs after the sandbox is removed. */
  sandboxConfig(): PodSandboxConfig;
  cleanup?(config: PodSandboxConfig): void;
  /** A container that exits by itself with `code`. */
  exiting(name: string, code: number): ContainerConfig;
  /** A container that runs until stopped. */
  running(name: string): ContainerConfig;
}

const notFound = (e: unknown) => e instanceof RuntimeError && e.kind === 'NotFound';

async function waitState(rt: ContainerRuntime, id: string, state: ContainerStatus['state']): Promise<ContainerStatus> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const st = await rt.containerStatus(id);
    if (st.state === state) return st;
    if (Date.now() > deadline) throw new Error(`container ${id} is ${st.state}, want ${state}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Registers the contract tests in the current describe(). */
export function runtimeContract(h: ContractHarness): void {
  it('contract: sandbox lifecycle with idempotent stop/remove and NotFound after', async () => {
    const rt = h.runtime();
    const sc = h.sandboxConfig();
    const id = await rt.runPodSandbox(sc);
    const st = await rt.podSandboxStatus(id);
    assert.equal(st.state, 'SANDBOX_READY');
    assert.deepEqual(st.metadata, sc.metadata);
    assert.deepEqual(st.labels, sc.labels ?? {});
    assert.deepEqual(st.annotations, sc.annotations ?? {});
    assert.ok(st.ip, 'a pod-network sandbox has an IP');
    assert.deepEqual((await rt.listPodSandboxes({ labelSelector: sc.labels })).map((s) => s.id), [id]);
    await rt.stopPodSandbox(id);
    await rt.stopPodSandbox(id);
    assert.equal((await rt.podSandboxStatus(id)).state, 'SANDBOX_NOTREADY');
    assert.deepEqual((await rt.listPodSandboxes({ id, state: 'SANDBOX_READY' })).length, 0);
    await rt.removePodSandbox(id);
    await rt.removePodSandbox(id);
    h.cleanup?.(sc);
    await assert.rejects(rt.podSandboxStatus(id), notFound);
  });

  it('contract: container states, exit codes and reasons, removal with the sandbox', async () => {
    const rt = h.runtime();
    const sc = h.sandboxConfig();
    const sid = await rt.runPodSandbox(sc);
    try {
      const table = [
        { name: 'zero', code: 0, reason: 'Completed' },
        { name: 'three', code: 3, reason: 'Error' },
      ];
      for (const row of table) {
        const cid = await rt.createContainer(sid, h.exiting(row.name, row.code), sc);
        assert.equal((await rt.containerStatus(cid)).state, 'CONTAINER_CREATED');
        await rt.startContainer(cid);
        const st = await waitState(rt, cid, 'CONTAINER_EXITED');
        assert.equal(st.exitCode, row.code, row.name);
        assert.equal(st.reason, row.reason, row.name);
        assert.equal(st.podSandboxId, sid);
        assert.ok(st.finishedAt);
      }
      const run = await rt.createContainer(sid, h.running('runner'), sc);
      await rt.startContainer(run);
      assert.equal((await rt.containerStatus(run)).state, 'CONTAINER_RUNNING');
      assert.deepEqual((await rt.listContainers({ podSandboxId: sid, state: 'CONTAINER_RUNNING' })).map((c) => c.id), [run]);
      await rt.stopContainer(run, 0);
      await rt.stopContainer(run, 0);
      assert.equal((await rt.containerStatus(run)).state, 'CONTAINER_EXITED');
      await rt.removeContainer(run);
      await rt.removeContainer(run);
      await assert.rejects(rt.containerStatus(run), notFound);
      assert.equal((await rt.listContainers({ podSandboxId: sid })).length, 2);
    } finally {
      await rt.stopPodSandbox(sid);
      await rt.removePodSandbox(sid);
      h.cleanup?.(sc);
    }
    assert.deepEqual(await rt.listContainers({ podSandboxId: sid }), []);
  });

  it('contract: a name+attempt is unique within a sandbox', async () => {
    const rt = h.runtime();
    const sc = h.sandboxConfig();
    const sid = await rt.runPodSandbox(sc);
    try {
      await rt.createContainer(sid, h.running('same'), sc);
      await assert.rejects(rt.createContainer(sid, h.running('same'), sc));
      const next = h.running('same');
      next.metadata.attempt = 1;
      await rt.createContainer(sid, next, sc);
    } finally {
      await rt.stopPodSandbox(sid);
      await rt.removePodSandbox(sid);
      h.cleanup?.(sc);
    }
  });

  it('contract: images: status null when missing, present image listed', async () => {
    const rt = h.runtime();
    assert.equal(await rt.imageStatus('bosun.test/never-there:0'), null);
    const img = await rt.imageStatus(h.image);
    assert.ok(img);
    assert.ok((await rt.listImages()).some((i) => i.id === img.id));
    await rt.removeImage('bosun.test/never-there:0');
  });
}
