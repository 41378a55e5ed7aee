import { existsSync, readdirSync, readFileSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_CGROUP_ROOT } from '../../api/defaults.js';

/**
 * Pod-level cgroups (cgroupfs driver). The runtime creates `<cgroupParent>/<container id>` for each
 * container and removes it with the container, but never removes the pod's own `cgroupParent`
 * directory (containerd 1.6 leaves it behind): the agent does, after RemovePodSandbox. Works on
 * cgroup v1 (one directory per controller hierarchy), v2 and hybrid hosts alike.
 */

/** The cgroup parent Bosun gives a pod's sandbox: `/bosun/pod<uid>` (absolute cgroupfs path). */
export function podCgroupParent(uid: string, root = DEFAULT_CGROUP_ROOT): string {
  if (!/^[A-Za-z0-9._-]+$/.test(uid)) throw new Error(`pod uid ${JSON.stringify(uid)} is not usable in a cgroup path`);
  return `${root}/pod${uid}`;
}

/** Mount points of every cgroup hierarchy (v1 controllers, named hierarchies, the v2 unified one). */
export function cgroupRoots(): string[] {
  const roots: string[] = [];
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const parts = line.split(' ');
    const sep = parts.indexOf('-');
    if (sep < 0) continue;
    const fstype = parts[sep + 1];
    if (fstype === 'cgroup' || fstype === 'cgroup2') roots.push(parts[4]!);
  }
  return roots;
}

/** The directories of cgroup `path` (e.g. "/bosun/podX") that exist, across all hierarchies. */
export function cgroupDirsExisting(path: string): string[] {
  return cgroupRoots()
    .map((r) => join(r, path))
    .filter((p) => existsSync(p));
}

/**
 * Removes cgroup `path` and its child cgroups in every hierarchy, deepest first. A cgroup that still
 * has processes cannot be removed and is left; returns the directories that remain.
 */
export function removeCgroup(path: string): string[] {
  for (const dir of cgroupDirsExisting(path)) removeDir(dir);
  return cgroupDirsExisting(path);
}

function removeDir(dir: string): void {
  try {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) removeDir(join(dir, e.name));
    }
    rmdirSync(dir);
  } catch {
    /* busy (processes inside) or already gone */
  }
}

/**
 * How many processes the kernel's OOM killer has killed in cgroup `path` (and below): the `oom_kill`
 * line of memory.oom_control (v1) or memory.events (v2). 0 when the cgroup or the counter is absent.
 * The pod cgroup's limit is the sum of its containers' limits and also holds the pause process, so
 * an OOM can fire there rather than in the container's own cgroup, where containerd watches for it.
 */
export function oomKillCount(path: string): number {
  let total = 0;
  for (const dir of cgroupDirsExisting(path)) {
    for (const file of ['memory.oom_control', 'memory.events']) {
      try {
        const m = /^oom_kill (\d+)$/m.exec(readFileSync(join(dir, file), 'utf8'));
        if (m) total = Math.max(total, Number(m[1]));
      } catch {
        /* not this hierarchy's file */
      }
    }
  }
  return total;
}
