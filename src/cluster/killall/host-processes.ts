/**
 * The processes of one node on this machine, found the way k3s-killall.sh finds k3s's: the
 * containerd, shims and bosun process whose command line names the node's data dir, and every
 * process in the node's pod cgroup tree (the containers). The caller's own process and its
 * ancestors (the shell or service manager running `bosun killall --data-dir DIR`) never count.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { cgroupDirsExisting } from '../../agent/runtime/cgroups.js';

const cmdline = (pid: number): string | undefined => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return undefined;
  }
};

/** This process and its ancestors up to init. */
function ancestors(): Set<number> {
  const out = new Set<number>();
  for (let pid = process.pid; pid > 1 && !out.has(pid);) {
    out.add(pid);
    try {
      pid = Number(/^\d+ \(.*\) \S (\d+)/s.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.[1] ?? 0);
    } catch {
      break;
    }
  }
  return out;
}

/** PIDs whose command line names `dir` as a path (`/x/bosun` matches `/x/bosun/c.sock`, not `/x/bosun2`). */
export function processesNaming(dir: string): number[] {
  const mine = ancestors();
  const re = new RegExp(`${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:[/\\s=:,]|$)`);
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e) || mine.has(Number(e))) continue;
    const c = cmdline(Number(e));
    if (c && re.test(c)) out.push(Number(e));
  }
  return out;
}

/** PIDs in the cgroup tree `path` (every hierarchy). */
export function processesInCgroup(path: string): number[] {
  const pids = new Set<number>();
  const walk = (dir: string): void => {
    try {
      for (const l of readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n')) if (l) pids.add(Number(l));
      for (const d of readdirSync(dir, { withFileTypes: true })) if (d.isDirectory()) walk(join(dir, d.name));
    } catch { /* gone */ }
  };
  for (const d of cgroupDirsExisting(path)) walk(d);
  pids.delete(process.pid);
  return [...pids];
}

/** The inode of a process's network namespace (`net:[4026532]` -> `4026532`). */
export function netnsInode(pid: number): string | undefined {
  try {
    return /net:\[(\d+)\]/.exec(readlinkSync(`/proc/${pid}/ns/net`))?.[1];
  } catch {
    return undefined;
  }
}

/** Whether `pid` runs (a zombie waiting for its parent to reap it does not). */
export function alive(pid: number): boolean {
  try {
    return /^\d+ \(.*\) (\S)/s.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.[1] !== 'Z';
  } catch {
    return false;
  }
}

/** Whether `pid` is a bosun server or agent (a recorded PID may have been reused since). */
export function isBosun(pid: number): boolean {
  const c = cmdline(pid);
  return !!c && /bosun|cli\/main\.[jt]s/.test(c) && /\b(server|agent)\b/.test(c);
}

/** Sends `signal`, then waits up to `waitMs` for them to be gone; returns those still alive. */
export async function signalAndWait(pids: number[], signal: NodeJS.Signals, waitMs: number): Promise<number[]> {
  for (const p of pids) try { process.kill(p, signal); } catch { /* gone */ }
  const until = Date.now() + waitMs;
  while (pids.some(alive) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  return pids.filter(alive);
}
