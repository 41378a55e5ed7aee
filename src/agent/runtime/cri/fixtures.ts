/**
 * Test support for cri-runtime.test.ts: the pod sandboxes and busybox containers it makes on a
 * private containerd, each sandbox's netns recorded (so the last test can prove none is left), and
 * small network helpers.
 */
import { createServer } from 'node:net';
import { parseIPv4Cidr } from '../../cni/conflist.js';
import { removeCgroupTree } from '../../testing/host-state.js';
import { BUSYBOX_IMAGE, type TestContainerd } from '../../testing/private-containerd.js';
import type { ContainerConfig, ContainerStatus, PodSandboxConfig } from '../types.js';

export function inCidr(ip: string, cidr: string): boolean {
  const { base, prefix } = parseIPv4Cidr(cidr);
  const n = ip.split('.').reduce((a, o) => a * 256 + Number(o), 0);
  return Math.floor(n / 2 ** (32 - prefix)) === Math.floor(base / 2 ** (32 - prefix));
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer().once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Pod helpers on the containerd `containerd()` returns (read at each call: it is started in a before hook). */
export function criTestPods(containerd: () => TestContainerd) {
  /** The netns names of every sandbox runSandbox made. */
  const netnsMade = new Set<string>();
  let podSeq = 0;

  function sandboxConfig(extra: Partial<PodSandboxConfig> = {}): PodSandboxConfig {
    const tc = containerd();
    const uid = `${tc.prefix}-uid-${++podSeq}`;
    return {
      metadata: { name: `pod-${podSeq}`, namespace: 'default', uid, attempt: 0 },
      hostname: `pod-${podSeq}`,
      logDirectory: `${tc.dir}/logs/${uid}`,
      cgroupParent: `${tc.cgroupRoot}/pod${uid}`,
      labels: { 'bosun.test/pod': `pod-${podSeq}` },
      annotations: { 'bosun.test/note': 'kept verbatim' },
      ...extra,
    };
  }

  function container(name: string, extra: Partial<ContainerConfig> = {}): ContainerConfig {
    return { metadata: { name, attempt: 0 }, image: BUSYBOX_IMAGE, logPath: `${name}/0.log`, ...extra };
  }

  /** Starts a sandbox and records its netns so the last test can check it is gone. */
  async function runSandbox(config: PodSandboxConfig): Promise<string> {
    const tc = containerd();
    const id = await tc.cri.runPodSandbox(config);
    const st = await tc.cri.podSandboxStatus(id, { verbose: true });
    if (st.netnsPath) netnsMade.add(st.netnsPath.split('/').pop()!);
    return id;
  }

  async function removeSandbox(id: string, config: PodSandboxConfig): Promise<void> {
    const tc = containerd();
    await tc.cri.stopPodSandbox(id);
    await tc.cri.removePodSandbox(id);
    // containerd never removes the pod-level cgroup: the agent does (runtime/cgroups.ts).
    removeCgroupTree(config.cgroupParent!);
  }

  async function waitExited(id: string, timeoutMs = 20_000): Promise<ContainerStatus> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const st = await containerd().cri.containerStatus(id);
      if (st.state === 'CONTAINER_EXITED') return st;
      if (Date.now() > deadline) throw new Error(`container ${id} still ${st.state}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  return { netnsMade, sandboxConfig, container, runSandbox, removeSandbox, waitExited };
}
