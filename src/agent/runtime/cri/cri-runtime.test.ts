/**
 * CriRuntime against a real private containerd + runc + CNI bridge (needs root, the Debian packages
 * containerd, runc, containernetworking-plugins, and scripts/build-test-images.sh run first).
 * Every sandbox this file makes is removed, and the last test proves nothing is left on the host.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { removeIdleHostportChains } from '../../cni/hostport-cleanup.js';
import {
  cgroupDirsExisting,
  linkExists,
  listNetns,
  mountsUnder,
  natRulesMatching,
  processesMentioning,
  removeCgroupTree,
} from '../../testing/host-state.js';
import { getWhenListening } from '../../testing/http.js';
import { startTestRegistry, type TestRegistry } from '../../testing/local-registry.js';
import { importImageTarball } from '../../containerd/images.js';
import { writeRegistryHosts } from '../../containerd/supervisor.js';
import { BUSYBOX_IMAGE, BUSYBOX_TARBALL, startTestContainerd, type TestContainerd } from '../../testing/private-containerd.js';
import { runtimeContract } from '../contract.js';
import { RuntimeError } from '../types.js';
import { rpcErrorText } from '../rpc-error.js';
import { criTestPods, freePort, inCidr } from './fixtures.js';

let tc: TestContainerd;
let registry: TestRegistry | undefined;
const { netnsMade, sandboxConfig, container, runSandbox, removeSandbox, waitExited } = criTestPods(() => tc);

describe('CriRuntime on a private containerd', () => {
  before(async () => {
    tc = await startTestContainerd();
  });
  after(async () => {
    await registry?.stop();
    await tc?.teardown();
  });

  it('reports the runtime version over CRI v1', async () => {
    const v = await tc.cri.version();
    assert.equal(v.runtimeName, 'containerd');
    assert.equal(v.runtimeApiVersion, 'v1');
  });

  it('runs an httpd pod reachable on its pod IP, execs in it, and removes it without traces', async () => {
    const sc = sandboxConfig();
    const sid = await runSandbox(sc);
    const st = await tc.cri.podSandboxStatus(sid, { verbose: true });
    assert.equal(st.state, 'SANDBOX_READY');
    assert.deepEqual(st.metadata, sc.metadata);
    assert.equal(st.annotations['bosun.test/note'], 'kept verbatim');
    assert.ok(inCidr(st.ip, tc.podCIDR), `pod IP ${st.ip} not in ${tc.podCIDR}`);
    assert.ok(st.netnsPath && existsSync(st.netnsPath), 'sandbox has a netns');

    const cid = await tc.cri.createContainer(sid, container('web', { labels: { tier: 'web' } }), sc);
    assert.equal((await tc.cri.containerStatus(cid)).state, 'CONTAINER_CREATED');
    await tc.cri.startContainer(cid);
    const cs = await tc.cri.containerStatus(cid);
    assert.equal(cs.state, 'CONTAINER_RUNNING');
    assert.equal(cs.podSandboxId, sid);
    assert.ok(cs.startedAt && cs.startedAt.getTime() > 0);
    assert.match(cs.imageRef, /^sha256:/);

    const res = await getWhenListening(`http://${st.ip}:8080/`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'bosun test page\n');

    const ex = await tc.cri.execSync(cid, ['sh', '-c', 'echo out; echo err >&2; hostname; exit 3'], 10);
    assert.equal(ex.stdout.toString(), `out\n${sc.hostname}\n`);
    assert.equal(ex.stderr.toString(), 'err\n');
    assert.equal(ex.exitCode, 3);

    const listed = await tc.cri.listContainers({ podSandboxId: sid, labelSelector: { tier: 'web' } });
    assert.deepEqual(listed.map((c) => c.id), [cid]);
    assert.deepEqual(await tc.cri.listContainers({ labelSelector: { tier: 'none' } }), []);

    // busybox httpd as PID 1 ignores TERM: a 1 s grace period, then the runtime kills it.
    await tc.cri.stopContainer(cid, 1);
    const stopped = await tc.cri.containerStatus(cid);
    assert.equal(stopped.state, 'CONTAINER_EXITED');
    assert.ok(stopped.finishedAt);
    await tc.cri.stopContainer(cid, 1); // idempotent
    await tc.cri.removeContainer(cid);
    await tc.cri.removeContainer(cid); // idempotent
    await removeSandbox(sid, sc);
    await tc.cri.stopPodSandbox(sid); // idempotent after removal
    await tc.cri.removePodSandbox(sid);

    assert.deepEqual(await tc.cri.listContainers({ podSandboxId: sid }), []);
    assert.deepEqual((await tc.cri.listPodSandboxes({ id: sid })).length, 0);
    assert.ok(!existsSync(st.netnsPath!), 'netns removed');
    assert.deepEqual(mountsUnder(tc.dir).filter((m) => m.includes(sid) || m.includes(cid)), []);
    assert.deepEqual(processesMentioning(sid), []);
    assert.deepEqual(cgroupDirsExisting(sc.cgroupParent!), []);
    await assert.rejects(tc.cri.containerStatus(cid), (e: unknown) => e instanceof RuntimeError && e.kind === 'NotFound');
    await assert.rejects(tc.cri.podSandboxStatus(sid), (e: unknown) => e instanceof RuntimeError && e.kind === 'NotFound');
  });

  it('maps a hostPort to the pod and leaves no CNI-HOSTPORT chains once it is gone', async () => {
    const hostPort = await freePort();
    const sc = sandboxConfig({ portMappings: [{ protocol: 'TCP', containerPort: 8080, hostPort }] });
    const sid = await runSandbox(sc);
    const cid = await tc.cri.createContainer(sid, container('web'), sc);
    await tc.cri.startContainer(cid);
    const res = await getWhenListening(`http://127.0.0.1:${hostPort}/`);
    assert.equal(res.status, 200);
    await res.arrayBuffer();
    assert.ok(natRulesMatching(new RegExp(sid)).length > 0, 'portmap added rules for the sandbox');
    await removeSandbox(sid, sc);
    assert.deepEqual(natRulesMatching(new RegExp(sid)), []);
    removeIdleHostportChains();
    // Another CNI user's live hostPort would keep the shared chains; none means none are left.
    if (natRulesMatching(/^-A CNI-HOSTPORT-DNAT /).length === 0) assert.deepEqual(natRulesMatching(/CNI-HOSTPORT/), []);
  });

  it('reports exit codes with CRI reasons, and command/args/env/workingDir reach the process', async () => {
    const sc = sandboxConfig();
    const sid = await runSandbox(sc);
    // Created by image id, as the agent creates them: the status names the image by its repo tag
    // (what containerStatuses[].image reports), the image ref is the id (an imported image has no repo digest).
    const imageId = (await tc.cri.imageStatus(BUSYBOX_IMAGE))!.id;
    try {
      const cases = [
        { name: 'ok', script: 'echo "$GREETING from $(pwd)"', code: 0, reason: 'Completed' },
        { name: 'fail', script: 'exit 7', code: 7, reason: 'Error' },
      ];
      for (const c of cases) {
        const cid = await tc.cri.createContainer(
          sid,
          container(c.name, { image: imageId, command: ['sh', '-c'], args: [c.script], envs: [{ key: 'GREETING', value: 'hello' }], workingDir: '/www' }),
          sc,
        );
        await tc.cri.startContainer(cid);
        const st = await waitExited(cid);
        assert.equal(st.exitCode, c.code, c.name);
        assert.equal(st.reason, c.reason, c.name);
        assert.equal(st.image, BUSYBOX_IMAGE, c.name);
        assert.equal(st.imageRef, imageId, c.name);
        assert.ok(st.startedAt && st.finishedAt, `${c.name}: start and finish times set`);
      }
      // CRI log format: "<RFC3339Nano> stdout F <line>".
      const log = readFileSync(`${sc.logDirectory}/ok/0.log`, 'utf8');
      assert.match(log, /^\S+ stdout F hello from \/www$/m);
    } finally {
      await removeSandbox(sid, sc);
    }
  });

  it('streams containerd events for a container that exits on its own (the evented PLEG source)', async () => {
    let changes = 0;
    let ended: Error | undefined;
    const stream = tc.cri.watchChanges({ change: () => changes++, ended: (err) => (ended = err) });
    const sc = sandboxConfig();
    try {
      await new Promise((r) => setTimeout(r, 300)); // the subscription is in place before anything happens
      const sid = await runSandbox(sc);
      try {
        const cid = await tc.cri.createContainer(sid, container('brief', { command: ['sh', '-c', 'sleep 0.3'] }), sc);
        await tc.cri.startContainer(cid);
        const atStart = changes;
        assert.ok(atStart > 0, 'sandbox and container start reported');
        await waitExited(cid);
        const deadline = Date.now() + 5000;
        while (changes === atStart && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        assert.ok(changes > atStart, 'the exit (nobody asked for it) reported');
      } finally {
        await removeSandbox(sid, sc);
      }
      assert.equal(ended, undefined, `stream open throughout: ${String(ended)}`);
    } finally {
      stream.stop();
    }
  });

  it('reports OOMKilled when a container exceeds its memory limit', async () => {
    const sc = sandboxConfig();
    const sid = await runSandbox(sc);
    try {
      const cid = await tc.cri.createContainer(
        sid,
        container('hog', {
          // dd fills a 64 MiB buffer: far over the 16 MiB limit. The pause first lets the shim's OOM
          // monitor attach: containerd 1.6 loses the OOM of a process killed right at start
          // (containerd/containerd#8180).
          command: ['sh', '-c', 'sleep 0.5; dd if=/dev/zero of=/dev/null bs=64M count=4'],
          resources: { memoryLimitInBytes: 16 * 1024 * 1024, cpuPeriod: 100_000, cpuQuota: 50_000, cpuShares: 512 },
        }),
        sc,
      );
      await tc.cri.startContainer(cid);
      let st = await waitExited(cid);
      // The OOM event can arrive after the exit event; containerd then updates the reason
      // (containerd/containerd#12260), so a reader sees "Error" briefly first.
      for (let i = 0; i < 40 && st.reason !== 'OOMKilled'; i++) {
        await new Promise((r) => setTimeout(r, 50));
        st = await tc.cri.containerStatus(cid);
      }
      assert.deepEqual({ reason: st.reason, exitCode: st.exitCode }, { reason: 'OOMKilled', exitCode: 137 });
    } finally {
      await removeSandbox(sid, sc);
    }
  });

  it('applies runAsUser/runAsGroup and a read-only root filesystem', async () => {
    const sc = sandboxConfig();
    const sid = await runSandbox(sc);
    try {
      const cid = await tc.cri.createContainer(
        sid,
        container('secure', {
          command: ['sleep', '300'],
          securityContext: { runAsUser: 1234, runAsGroup: 4321, readonlyRootfs: true },
        }),
        sc,
      );
      await tc.cri.startContainer(cid);
      const id = await tc.cri.execSync(cid, ['sh', '-c', 'echo $(id -u):$(id -g)'], 10);
      assert.equal(id.stdout.toString().trim(), '1234:4321');
      const write = await tc.cri.execSync(cid, ['sh', '-c', 'touch /newfile'], 10);
      assert.notEqual(write.exitCode, 0);
      assert.match(write.stderr.toString(), /Read-only file system/);
      await tc.cri.stopContainer(cid, 0);
    } finally {
      await removeSandbox(sid, sc);
    }
  });

  it('reports missing images as null, pulls from a local registry, and fails clearly on a bad name', async () => {
    assert.equal(await tc.cri.imageStatus('bosun.test/absent:1'), null);
    const local = await tc.cri.imageStatus(BUSYBOX_IMAGE);
    assert.ok(local && local.repoTags.includes(BUSYBOX_IMAGE) && local.size > 0);
    assert.ok((await tc.cri.listImages()).some((i) => i.id === local.id));

    registry = await startTestRegistry();
    const ref = await registry.pushTestImage('busybox', 'bosun/pulled:1');
    const imageRef = await tc.cri.pullImage(ref);
    assert.match(imageRef, /^sha256:/);
    const pulled = await tc.cri.imageStatus(ref);
    assert.equal(pulled?.id, imageRef);
    assert.ok(pulled.repoTags.includes(ref));

    // A registry name redirected to the local registry through certs.d/<host>/hosts.toml (plain http).
    writeRegistryHosts(tc.handle.paths, [{ host: 'mirror.bosun.test:5000', endpoint: `http://${registry.host}` }]);
    const mirrored = await tc.cri.pullImage('mirror.bosun.test:5000/bosun/pulled:1');
    assert.equal(mirrored, imageRef);
    assert.ok((await tc.cri.imageStatus('mirror.bosun.test:5000/bosun/pulled:1'))?.repoTags.includes('mirror.bosun.test:5000/bosun/pulled:1'));

    await assert.rejects(tc.cri.pullImage(`${registry.host}/bosun/nope:1`), (e: unknown) => {
      assert.ok(e instanceof RuntimeError);
      assert.equal(e.kind, 'ImagePull');
      assert.match(e.message, /PullImage: .*bosun\/nope:1.*not found/);
      // The kubelet's ErrImagePull text keeps containerd's gRPC code (image-puller.ts).
      assert.match(rpcErrorText(e), /^rpc error: code = NotFound desc = failed to pull and unpack image ".*bosun\/nope:1": .*not found/);
      return true;
    });

    await tc.cri.removeImage(ref);
    await tc.cri.removeImage(ref); // idempotent
    // RemoveImage goes by id (as CRI says): the imported name had the same content, so it went too.
    assert.equal(await tc.cri.imageStatus(ref), null);
    assert.equal(pulled.id, local.id);
    assert.equal(await tc.cri.imageStatus(BUSYBOX_IMAGE), null);
    assert.deepEqual(await importImageTarball(tc.handle.socket, BUSYBOX_TARBALL), [BUSYBOX_IMAGE]);
    assert.ok(await tc.cri.imageStatus(BUSYBOX_IMAGE));
    await assert.rejects(importImageTarball(tc.handle.socket, `${tc.dir}/absent.tar`), /importing .*absent\.tar into containerd failed: .*no such file/);
  });

  describe('shares the runtime contract', () => {
    runtimeContract({
      runtime: () => tc.cri,
      image: BUSYBOX_IMAGE,
      sandboxConfig: () => sandboxConfig(),
      cleanup: (sc) => removeCgroupTree(sc.cgroupParent!),
      exiting: (name, code) => container(name, { command: ['sh', '-c', `exit ${code}`] }),
      // sleep as PID 1 ignores TERM; the contract stops with timeout 0 (kill at once).
      running: (name) => container(name, { command: ['sleep', '300'] }),
    });
  });

  it('leaves nothing behind once every sandbox is gone', async () => {
    assert.deepEqual(await tc.cri.listPodSandboxes(), []);
    assert.deepEqual(await tc.cri.listContainers(), []);
    const netnsNow = new Set(listNetns());
    assert.deepEqual([...netnsMade].filter((n) => netnsNow.has(n)), []);
    assert.ok(netnsMade.size >= 4, 'the tests above made sandboxes with a netns');
    // Only containerd itself runs from this dir: no shim outlived its sandbox.
    assert.deepEqual(processesMentioning(tc.dir).filter((p) => p !== tc.handle.pid), []);
    // What remains mounted under the dir is none of the sandboxes' (rootfs, shm) mounts.
    assert.deepEqual(mountsUnder(tc.dir).filter((m) => /\/(rootfs|shm)$/.test(m)), []);
    await tc.teardown();
    assert.deepEqual(mountsUnder(tc.dir), []);
    assert.deepEqual(processesMentioning(tc.dir), []);
    assert.equal(linkExists(tc.bridge), false);
    assert.deepEqual(cgroupDirsExisting(tc.cgroupRoot), []);
    assert.equal(existsSync(tc.dir), false);
  });
});
