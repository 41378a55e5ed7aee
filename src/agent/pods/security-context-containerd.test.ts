/**
 * Pod security settings reaching a real container (private containerd + runc), as the kubelet
 * passes them to CRI: runAsNonRoot checked against the image's user (the busybox test image has no
 * USER, so it runs as root: CreateContainerConfigError with upstream's message, from
 * pkg/kubelet/kuberuntime/security_context_others.go), seccomp RuntimeDefault / Localhost (a file
 * under DATA_DIR/seccomp) / none, capabilities, privileged, allowPrivilegeEscalation,
 * readOnlyRootFilesystem and hostPID, each read back from inside the container.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Pod } from '../../api/kinds/index.js';
import { startAgentHarness, type AgentHarness } from '../testing/agent-harness.js';
import { BUSYBOX_IMAGE, startTestContainerd, type TestContainerd } from '../testing/private-containerd.js';

const SLEEPER = ['sh', '-c', 'trap "exit 0" TERM; while :; do sleep 1 & wait $!; done'];
const cs = (p: Pod, name = 'app') => p.status?.containerStatuses?.find((c) => c.name === name);
const app = (securityContext: object) => ({ name: 'app', image: BUSYBOX_IMAGE, command: SLEEPER, securityContext });

let tc: TestContainerd;
let h: AgentHarness;

async function running(name: string): Promise<Pod> {
  return h.waitPod(name, (p) => cs(p)?.state?.running && p, 30_000);
}

async function exec(p: Pod, cmd: string): Promise<{ out: string; code: number }> {
  const id = cs(p)!.containerID!.replace('containerd://', '');
  const r = await tc.cri.execSync(id, ['sh', '-c', cmd], 10);
  return { out: r.stdout.toString('utf8') + r.stderr.toString('utf8'), code: r.exitCode };
}

const statusField = async (p: Pod, field: string) => /:\s*(\S+)/.exec((await exec(p, `grep ^${field}: /proc/self/status`)).out)?.[1];

describe('security context on containerd', { concurrency: false }, () => {
  before(async () => {
    tc = await startTestContainerd({ busybox: true });
    const dataDir = join(tc.dir, 'agent');
    // A Localhost profile that allows everything but mkdir.
    mkdirSync(join(dataDir, 'seccomp', 'profiles'), { recursive: true });
    writeFileSync(join(dataDir, 'seccomp', 'profiles', 'no-mkdir.json'), JSON.stringify({
      defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO' }],
    }));
    h = await startAgentHarness(tc.cri, { dataDir, cgroupRoot: tc.cgroupRoot, podCIDR: tc.podCIDR, crashBackoff: { initialMs: 500, maxMs: 2000 } });
  });
  after(async () => {
    await h?.stop();
    await tc?.teardown();
  });

  it('runAsNonRoot with an image that runs as root fails with CreateContainerConfigError; with runAsUser it runs as that user', async () => {
    const pod = await h.createPod('nonroot', { securityContext: { runAsNonRoot: true }, containers: [app({})] });
    await h.createPod('nonroot-uid', { securityContext: { runAsNonRoot: true }, containers: [app({ runAsUser: 1000 })] });
    const waiting = await h.waitPod('nonroot', (p) => cs(p)?.state?.waiting?.reason === 'CreateContainerConfigError' && cs(p)!.state!.waiting!, 30_000);
    assert.equal(waiting.message, `container has runAsNonRoot and image will run as root (pod: "nonroot_default(${pod.metadata.uid})", container: app)`);
    assert.equal((await exec(await running('nonroot-uid'), 'id -u')).out.trim(), '1000');
  });

  it('seccomp RuntimeDefault and Localhost reach the container; no profile is Unconfined', async () => {
    await h.createPod('sc-default', { securityContext: { seccompProfile: { type: 'RuntimeDefault' } }, containers: [app({})] });
    await h.createPod('sc-local', { containers: [app({ seccompProfile: { type: 'Localhost', localhostProfile: 'profiles/no-mkdir.json' } })] });
    await h.createPod('sc-none', { containers: [app({})] });
    assert.equal(await statusField(await running('sc-default'), 'Seccomp'), '2');
    assert.equal(await statusField(await running('sc-none'), 'Seccomp'), '0');
    const local = await running('sc-local');
    assert.equal(await statusField(local, 'Seccomp'), '2');
    const mk = await exec(local, 'mkdir /tmp/x');
    assert.notEqual(mk.code, 0, 'mkdir should be refused by the Localhost profile');
    assert.equal((await exec(local, 'touch /tmp/y && echo ok')).out.trim(), 'ok');
  });

  it('capabilities, privileged, allowPrivilegeEscalation, readOnlyRootFilesystem and hostPID reach the container', async () => {
    await h.createPod('locked', { containers: [app({ capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] }, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true })] });
    await h.createPod('priv', { hostPID: true, containers: [app({ privileged: true })] });
    const locked = await running('locked');
    assert.equal(await statusField(locked, 'CapEff'), '0000000000000400'); // CAP_NET_BIND_SERVICE only
    assert.equal(await statusField(locked, 'NoNewPrivs'), '1');
    assert.match((await exec(locked, 'touch /x 2>&1; echo rc=$?')).out, /Read-only file system[\s\S]*rc=1/);
    const priv = await running('priv');
    const sysAdmin = (BigInt(`0x${await statusField(priv, 'CapEff')}`) >> 21n) & 1n; // CAP_SYS_ADMIN: only privileged has it
    assert.equal(sysAdmin, 1n);
    assert.equal(await statusField(priv, 'NoNewPrivs'), '0');
    // In the host's pid namespace, pid 1 is the host's init, not the container's shell.
    assert.doesNotMatch((await exec(priv, 'cat /proc/1/cmdline | tr "\\0" " "')).out, /^sh -c trap/);
  });
});
