/**
 * The raw CRI pod start, shared by the benchmarks that compare against it (cri.bench.ts, and
 * pod-start.bench.ts for the agent): a sandbox plus one busybox HTTP container, straight through CRI
 * on a private test containerd, timed step by step.
 */
import { removeCgroupTree } from '../src/agent/testing/host-state.js';
import { BUSYBOX_IMAGE, type TestContainerd } from '../src/agent/testing/private-containerd.js';
import type { ContainerConfig, PodSandboxConfig } from '../src/agent/runtime/types.js';

let seq = 0;
export function sandboxConfig(tc: TestContainerd): PodSandboxConfig {
  const uid = `${tc.prefix}-bench-${++seq}`;
  return {
    metadata: { name: `bench-${seq}`, namespace: 'bench', uid, attempt: 0 },
    hostname: `bench-${seq}`,
    logDirectory: `${tc.dir}/logs/${uid}`,
    cgroupParent: `${tc.cgroupRoot}/pod${uid}`,
  };
}
export const web: ContainerConfig = { metadata: { name: 'web', attempt: 0 }, image: BUSYBOX_IMAGE, logPath: 'web/0.log' };

/** Milliseconds of each step of one pod start. */
export interface PodTimes {
  sandbox: number;
  createStart: number;
  toRunning: number;
  toHttp: number;
}

/** RunPodSandbox, CreateContainer, StartContainer, then polls the pod IP until HTTP 200. */
export async function startPod(tc: TestContainerd): Promise<{ times: PodTimes; sid: string; sc: PodSandboxConfig }> {
  const sc = sandboxConfig(tc);
  const t0 = performance.now();
  const sid = await tc.cri.runPodSandbox(sc);
  const t1 = performance.now();
  const cid = await tc.cri.createContainer(sid, web, sc);
  await tc.cri.startContainer(cid);
  const t2 = performance.now();
  const { ip } = await tc.cri.podSandboxStatus(sid);
  for (;;) {
    try {
      const res = await fetch(`http://${ip}:8080/`);
      await res.arrayBuffer();
      if (res.status === 200) break;
    } catch {
      await new Promise((r) => setTimeout(r, 2));
    }
  }
  const t3 = performance.now();
  return { times: { sandbox: t1 - t0, createStart: t2 - t1, toRunning: t2 - t0, toHttp: t3 - t0 }, sid, sc };
}

export async function removePod(tc: TestContainerd, sid: string, sc: PodSandboxConfig): Promise<void> {
  await tc.cri.stopPodSandbox(sid);
  await tc.cri.removePodSandbox(sid);
  removeCgroupTree(sc.cgroupParent!);
}

/** The q-quantile (nearest rank) of `xs`. */
export function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
}
