import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Container, Pod } from '../../api/kinds/index.js';
import { parseQuantity } from '../../api/quantity/index.js';
import { milliCPUToQuota, milliCPUToShares } from './resources.js';

/**
 * The pod-level cgroup (kubelet's pod container manager, cgroupfs driver): `<root>/pod<uid>` made
 * before the sandbox, with the pod's summed resources as limits (ResourceConfigForPod): cpu shares
 * from the summed requests; a CPU quota and a memory limit only when every container has that limit
 * (init containers count by their maximum). Containers' own cgroups nest inside it. The runtime
 * never removes it; the agent does (cgroups.removeCgroup) when the pod goes.
 */

export interface PodResourceConfig {
  cpuShares: number;
  cpuQuota?: number;
  memoryLimit?: number;
}

const milli = (c: Container, kind: 'requests' | 'limits') => {
  const v = c.resources?.[kind]?.cpu;
  return v === undefined ? undefined : Number(parseQuantity(String(v)).milliValue());
};
const mem = (c: Container) => {
  const v = c.resources?.limits?.memory;
  return v === undefined ? undefined : Number(parseQuantity(String(v)).value());
};

/** Sum over regular containers, but at least the largest init container (they run one at a time). */
function effective(pod: Pod, f: (c: Container) => number | undefined): number | undefined {
  const regular = (pod.spec?.containers ?? []).map(f);
  const init = (pod.spec?.initContainers ?? []).map(f);
  if ([...regular, ...init].some((v) => v === undefined)) return undefined;
  const sum = (regular as number[]).reduce((a, b) => a + b, 0);
  return Math.max(sum, ...(init as number[]));
}

export function podResourceConfig(pod: Pod): PodResourceConfig {
  const requests = effective(pod, (c) => milli(c, 'requests') ?? milli(c, 'limits') ?? 0) ?? 0;
  const cpuLimit = effective(pod, (c) => milli(c, 'limits'));
  const memLimit = effective(pod, mem);
  return {
    cpuShares: milliCPUToShares(requests),
    ...(cpuLimit !== undefined ? { cpuQuota: milliCPUToQuota(cpuLimit) } : {}),
    ...(memLimit !== undefined ? { memoryLimit: memLimit } : {}),
  };
}

interface Hierarchy {
  root: string;
  version: 1 | 2;
  controllers: Set<string>;
}

let cachedHierarchies: Hierarchy[] | undefined;

/** The cgroup hierarchies, read once: they are mounted at boot, and every pod start asked again. */
function hierarchies(): Hierarchy[] {
  cachedHierarchies ??= readHierarchies();
  return cachedHierarchies;
}

function readHierarchies(): Hierarchy[] {
  const out: Hierarchy[] = [];
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const parts = line.split(' ');
    const sep = parts.indexOf('-');
    if (sep < 0) continue;
    const fstype = parts[sep + 1];
    const root = parts[4]!;
    if (fstype === 'cgroup') out.push({ root, version: 1, controllers: new Set(parts[sep + 3]!.split(',')) });
    else if (fstype === 'cgroup2') {
      let ctl = '';
      try {
        ctl = readFileSync(join(root, 'cgroup.controllers'), 'utf8');
      } catch {
        /* none */
      }
      out.push({ root, version: 2, controllers: new Set(ctl.trim().split(/\s+/).filter(Boolean)) });
    }
  }
  return out;
}

const write = (dir: string, file: string, value: string | number) => {
  const p = join(dir, file);
  if (existsSync(p)) writeFileSync(p, String(value));
};

/**
 * Creates the pod cgroup in the memory and cpu hierarchies (v1) or the unified one (v2) and writes
 * its limits; other v1 hierarchies (cpuset, pids, ...) are left to runc, which makes them as needed.
 */
export function ensurePodCgroup(path: string, cfg: PodResourceConfig): void {
  for (const h of hierarchies()) {
    const dir = join(h.root, path);
    if (h.version === 1) {
      if (h.controllers.has('memory')) {
        mkdirSync(dir, { recursive: true });
        if (cfg.memoryLimit !== undefined) write(dir, 'memory.limit_in_bytes', cfg.memoryLimit);
      }
      if (h.controllers.has('cpu')) {
        mkdirSync(dir, { recursive: true });
        write(dir, 'cpu.shares', cfg.cpuShares);
        if (cfg.cpuQuota !== undefined) {
          write(dir, 'cpu.cfs_period_us', 100_000);
          write(dir, 'cpu.cfs_quota_us', cfg.cpuQuota);
        }
      }
    } else if (h.controllers.has('memory') || h.controllers.has('cpu')) {
      mkdirSync(dir, { recursive: true });
      if (cfg.memoryLimit !== undefined) write(dir, 'memory.max', cfg.memoryLimit);
      // cgroup v2 weight from v1 shares, as runc converts it.
      write(dir, 'cpu.weight', Math.round(1 + ((cfg.cpuShares - 2) * 9999) / 262142));
      if (cfg.cpuQuota !== undefined) write(dir, 'cpu.max', `${cfg.cpuQuota} 100000`);
    }
  }
}
