/**
 * What the eviction signals observe now (pkg/kubelet/eviction/helpers.go makeSignalObservations):
 *  - memory.available: capacity minus the node's working set, capacity being MemTotal, as cadvisor's
 *    machine container gives the kubelet (working set = MemTotal - MemFree - Inactive(file), the same
 *    figure `kubectl top node` shows, src/agent/metrics/cgroup-usage.ts);
 *  - nodefs.available / nodefs.inodesFree: statfs of the agent's data directory (pods' volumes, logs);
 *  - imagefs.available / imagefs.inodesFree: statfs of the runtime's image filesystem (CRI ImageFsInfo's
 *    mountpoint), the node filesystem when the runtime reports none.
 */
import { readFileSync, statfsSync } from 'node:fs';
import { meminfoUsage } from '../metrics/cgroup-usage.js';
import type { Signal } from './thresholds.js';

export interface Observation {
  available: number;
  capacity: number;
}

export type Observations = Partial<Record<Signal, Observation>>;

export interface SignalSources {
  /** /proc/meminfo text. */
  meminfo(): string;
  statfs(path: string): { bsize: number; blocks: number; bavail: number; files: number; ffree: number };
}

export const hostSources: SignalSources = {
  meminfo: () => readFileSync('/proc/meminfo', 'utf8'),
  statfs: (p) => statfsSync(p),
};

/** MemTotal from meminfo text, in bytes. */
function memTotal(text: string): number | undefined {
  const m = /^MemTotal:\s+(\d+) kB/m.exec(text);
  return m ? Number(m[1]) * 1024 : undefined;
}

export function observe(src: SignalSources, nodeFsDir: string, imageFsDir: string): Observations {
  const out: Observations = {};
  const text = src.meminfo();
  const total = memTotal(text);
  const mem = meminfoUsage(text);
  if (total !== undefined && mem) out['memory.available'] = { available: Math.max(0, total - mem.workingSet), capacity: total };
  const fs = (dir: string, bytes: Signal, inodes: Signal): void => {
    try {
      const s = src.statfs(dir);
      out[bytes] = { available: s.bavail * s.bsize, capacity: s.blocks * s.bsize };
      if (s.files > 0) out[inodes] = { available: s.ffree, capacity: s.files };
    } catch {
      /* unreadable: no observation, so no threshold on it is met (as upstream without stats) */
    }
  };
  fs(nodeFsDir, 'nodefs.available', 'nodefs.inodesFree');
  fs(imageFsDir, 'imagefs.available', 'imagefs.inodesFree');
  return out;
}
