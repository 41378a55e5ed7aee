/**
 * Reads one cgroup's cumulative CPU time and memory working set, on cgroup v1 and v2, as cadvisor
 * does for the kubelet (cadvisor container/libcontainer/handler.go, setMemoryStats):
 *   v1  cpuacct.usage (ns);            working set = memory.usage_in_bytes - total_inactive_file
 *   v2  cpu.stat usage_usec * 1000;   working set = memory.current        - inactive_file
 * the subtraction floored at 0. And the node's own figures as cadvisor's machine ("/") container:
 * CPU from the root cgroup's counter (else /proc/stat's busy jiffies), memory from /proc/meminfo
 * (usage MemTotal - MemFree, working set minus Inactive(file)).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where the hierarchies that matter are mounted; a v1 (or hybrid) host has cpuacct and memory. */
export interface CgroupLayout {
  cpuacct?: string;
  memory?: string;
  /** The unified (v2) hierarchy, used only when v1 has no cpuacct/memory controller. */
  unified?: string;
}

export interface CgroupUsage {
  /** Cumulative CPU time in nanoseconds. */
  cpuNs?: number;
  memoryUsage?: number;
  workingSet?: number;
  rss?: number;
}

/** The layout from /proc/self/mountinfo text (its 5th field is the mount point, options after "-"). */
export function cgroupLayoutOf(mountinfo: string): CgroupLayout {
  const out: CgroupLayout = {};
  for (const line of mountinfo.split('\n')) {
    const parts = line.split(' ');
    const sep = parts.indexOf('-');
    if (sep < 0) continue;
    const fstype = parts[sep + 1];
    const opts = (parts[sep + 3] ?? '').split(',');
    if (fstype === 'cgroup2') out.unified ??= parts[4];
    if (fstype === 'cgroup' && opts.includes('cpuacct')) out.cpuacct ??= parts[4];
    if (fstype === 'cgroup' && opts.includes('memory')) out.memory ??= parts[4];
  }
  return out;
}

export const hostCgroupLayout = (): CgroupLayout => cgroupLayoutOf(readFileSync('/proc/self/mountinfo', 'utf8'));

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

const num = (s: string | undefined): number | undefined => {
  if (s === undefined) return undefined;
  const n = Number(s.trim());
  return Number.isFinite(n) ? n : undefined;
};

/** `key value` lines (memory.stat, cpu.stat) as numbers. */
export function flatKeyed(text: string | undefined): Map<string, number> {
  const m = new Map<string, number>();
  for (const line of (text ?? '').split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v !== undefined && Number.isFinite(Number(v))) m.set(k, Number(v));
  }
  return m;
}

const workingSet = (usage: number, inactiveFile: number | undefined): number => Math.max(0, usage - (inactiveFile ?? 0));

/** Usage of cgroup `path` ("/bosun/pod<uid>/<id>"); undefined when the cgroup does not exist. */
export function readCgroupUsage(layout: CgroupLayout, path: string): CgroupUsage | undefined {
  if (layout.cpuacct || layout.memory) {
    const cpu = layout.cpuacct ? num(read(join(layout.cpuacct, path, 'cpuacct.usage'))) : undefined;
    const usage = layout.memory ? num(read(join(layout.memory, path, 'memory.usage_in_bytes'))) : undefined;
    if (cpu === undefined && usage === undefined) return undefined;
    const stat = layout.memory ? flatKeyed(read(join(layout.memory, path, 'memory.stat'))) : new Map<string, number>();
    return {
      cpuNs: cpu,
      memoryUsage: usage,
      workingSet: usage === undefined ? undefined : workingSet(usage, stat.get('total_inactive_file')),
      rss: stat.get('total_rss'),
    };
  }
  if (!layout.unified) return undefined;
  const dir = join(layout.unified, path);
  const cpuStat = read(join(dir, 'cpu.stat'));
  const current = num(read(join(dir, 'memory.current')));
  if (cpuStat === undefined && current === undefined) return undefined;
  const usec = flatKeyed(cpuStat).get('usage_usec');
  const stat = flatKeyed(read(join(dir, 'memory.stat')));
  return {
    cpuNs: usec === undefined ? undefined : usec * 1000,
    memoryUsage: current,
    workingSet: current === undefined ? undefined : workingSet(current, stat.get('inactive_file')),
    rss: stat.get('anon'),
  };
}

/** USER_HZ: the unit of /proc/stat (100 on every Linux architecture Bosun runs on). */
const USER_HZ = 100;

/** Busy CPU time in /proc/stat's first line (all but idle and iowait; guest is already in user). */
export function procStatCpuNs(text: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return undefined;
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  const busy = [user, nice, system, irq, softirq, steal].reduce<number>((a, b) => a + (b ?? 0), 0);
  return (busy * 1e9) / USER_HZ;
}

/** The machine's memory as cadvisor's root container on v2: usage MemTotal-MemFree, working set minus Inactive(file). */
export function meminfoUsage(text: string): { usage: number; workingSet: number; available: number } | undefined {
  const kb = new Map<string, number>();
  for (const m of text.matchAll(/^([^:]+):\s+(\d+)/gm)) kb.set(m[1]!, Number(m[2]) * 1024);
  const total = kb.get('MemTotal');
  const free = kb.get('MemFree');
  if (total === undefined || free === undefined) return undefined;
  const usage = total - free;
  return { usage, workingSet: workingSet(usage, kb.get('Inactive(file)')), available: kb.get('MemAvailable') ?? free };
}

/** The node's totals: CPU from the root cgroup when readable, else /proc/stat; memory from /proc/meminfo. */
export function readNodeUsage(layout: CgroupLayout, proc = '/proc'): CgroupUsage & { available?: number } {
  const root = readCgroupUsage(layout, '/');
  const cpuNs = root?.cpuNs ?? procStatCpuNs(read(join(proc, 'stat')) ?? '');
  const mem = meminfoUsage(read(join(proc, 'meminfo')) ?? '');
  return { cpuNs, memoryUsage: mem?.usage, workingSet: mem?.workingSet, available: mem?.available };
}
