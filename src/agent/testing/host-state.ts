import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { removeCgroup } from '../runtime/cgroups.js';

/**
 * Reads of host state that runtime tests use to prove they left nothing behind, and the matching
 * removals. Everything here is scoped by a name or path prefix the test owns: nothing global is
 * touched.
 */

/** Network namespaces under /run/netns (CNI-managed ones are named cni-<uuid> by containerd). */
export function listNetns(): string[] {
  for (const dir of ['/run/netns', '/var/run/netns']) {
    if (existsSync(dir)) return readdirSync(dir).sort();
  }
  return [];
}

/** Mount points at or under `prefix` (from /proc/self/mountinfo), deepest last. */
export function mountsUnder(prefix: string): string[] {
  const out: string[] = [];
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const mountPoint = line.split(' ')[4];
    if (!mountPoint) continue;
    const decoded = mountPoint.replace(/\\(\d{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
    if (decoded === prefix || decoded.startsWith(`${prefix}/`)) out.push(decoded);
  }
  return out;
}

/** Unmounts everything at or under `prefix`, deepest first (lazily, as a last resort). */
export function unmountUnder(prefix: string): void {
  const mounts = mountsUnder(prefix).sort((a, b) => b.length - a.length);
  for (const m of mounts) {
    try {
      execFileSync('umount', [m], { stdio: 'ignore' });
    } catch {
      try {
        execFileSync('umount', ['-l', m], { stdio: 'ignore' });
      } catch {
        /* already gone */
      }
    }
  }
}

/** PIDs of processes whose command line contains `needle` (e.g. a test's private socket path). */
export function processesMentioning(needle: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmdline.includes(needle)) pids.push(Number(entry));
    } catch {
      /* exited meanwhile */
    }
  }
  return pids;
}

/** Whether a network link of that name exists. */
export function linkExists(name: string): boolean {
  return existsSync(`/sys/class/net/${name}`);
}

/** Deletes a network link if it exists (e.g. a test's CNI bridge). */
export function deleteLink(name: string): void {
  if (linkExists(name)) execFileSync('ip', ['link', 'del', name], { stdio: 'ignore' });
}

/** cgroup directories of `path` that exist in any hierarchy. */
export { cgroupDirsExisting } from '../runtime/cgroups.js';

/** Removes the cgroup `path` and every child directory in every hierarchy. */
export function removeCgroupTree(path: string): void {
  removeCgroup(path);
}

/** Lines of `iptables -t nat -S` matching `pattern` (CNI-HOSTPORT-*, CNI-* masquerade chains). */
export function natRulesMatching(pattern: RegExp): string[] {
  try {
    return execFileSync('iptables', ['-t', 'nat', '-S'], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => pattern.test(l));
  } catch {
    return [];
  }
}
