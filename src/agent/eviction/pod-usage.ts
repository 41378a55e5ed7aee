/**
 * Fresh per-pod usage for ranking (the kubelet asks its stats provider for an up-to-date summary
 * when it synchronizes): memory as the pod cgroup's working set and each running container's, read
 * now from the cgroups (src/agent/metrics/cgroup-usage.ts, cadvisor's formula); disk as the bytes and
 * inodes under the pod's directory (volumes, emptyDirs) and its log directory, walked only under disk
 * pressure. Containers' writable layers live in containerd's snapshots and are not counted.
 */
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Pod } from '../../api/kinds/index.js';
import { readCgroupUsage, type CgroupLayout } from '../metrics/cgroup-usage.js';
import { podCgroupParent } from '../runtime/cgroups.js';
import type { ContainerRuntime } from '../runtime/types.js';
import type { PodUsage } from './rank.js';

export interface PodStats extends PodUsage {
  /** Working set of each running container by name. */
  containers: Map<string, number>;
}

/** Bytes and inodes (entries) under `dir`, not following symlinks; 0 when it does not exist. */
export function dirUsage(dir: string): { bytes: number; inodes: number } {
  let bytes = 0;
  let inodes = 0;
  const walk = (p: string): void => {
    let st;
    try {
      st = lstatSync(p);
    } catch {
      return;
    }
    inodes++;
    bytes += st.blocks * 512;
    if (!st.isDirectory()) return;
    let names: string[] = [];
    try {
      names = readdirSync(p);
    } catch {
      /* unreadable: counted as empty */
    }
    for (const n of names) walk(join(p, n));
  };
  walk(dir);
  return { bytes, inodes };
}

export interface PodUsageReader {
  runtime: ContainerRuntime;
  layout: CgroupLayout;
  cgroupRoot: string;
  /** DATA_DIR/agent/pods/<uid> of a pod. */
  podDir(uid: string): string;
  /** Its log directory. */
  logDir(pod: Pod): string;
}

/** Usage of each of `pods` by uid; `disk` adds the disk walk. A pod without a cgroup has no stats. */
export async function readPodStats(r: PodUsageReader, pods: readonly Pod[], disk: boolean): Promise<Map<string, PodStats>> {
  const out = new Map<string, PodStats>();
  const sandboxes = await r.runtime.listPodSandboxes({ state: 'SANDBOX_READY' });
  const containers = await r.runtime.listContainers({ state: 'CONTAINER_RUNNING' });
  for (const pod of pods) {
    const uid = pod.metadata.uid!;
    const parent = podCgroupParent(uid, r.cgroupRoot);
    const usage = readCgroupUsage(r.layout, parent);
    if (!usage) continue;
    const own = new Map<string, number>();
    const sb = new Set(sandboxes.filter((s) => s.metadata.uid === uid).map((s) => s.id));
    for (const c of containers) {
      if (!sb.has(c.podSandboxId)) continue;
      const ws = readCgroupUsage(r.layout, `${parent}/${c.id}`)?.workingSet;
      if (ws !== undefined) own.set(c.metadata.name, ws);
    }
    const stats: PodStats = { memory: usage.workingSet, containers: own };
    if (disk) {
      const a = dirUsage(r.podDir(uid));
      const b = dirUsage(r.logDir(pod));
      stats['ephemeral-storage'] = a.bytes + b.bytes;
      stats.inodes = a.inodes + b.inodes;
    }
    out.set(uid, stats);
  }
  return out;
}
