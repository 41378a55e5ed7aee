/**
 * What test hosts (test-hosts.ts) leave behind, removed: one prefix's namespaces (their processes
 * killed, their nftables rulesets flushed), veths and uplink, synchronously (the creating process's
 * exit handler runs it too); and the leftovers of runs that died before their teardown (SIGKILL),
 * found by the owning pid the uplink's alias records, and only those.
 */
import { execFileSync } from 'node:child_process';

export const ALIAS_PREFIX = 'bosun-test-hosts pid=';

export function ipSync(args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Synchronous removal of one prefix's namespaces, veths and bridge (exit handler and sweeps). */
export function removeSync(prefix: string): void {
  let namespaces: string[] = [];
  try {
    namespaces = ipSync(['netns', 'list']).split('\n').map((l) => l.split(' ')[0]!).filter((n) => n.startsWith(`${prefix}-`));
  } catch { /* no netns support: nothing to remove */ }
  for (const ns of namespaces) {
    try {
      for (const pid of ipSync(['netns', 'pids', ns]).split('\n').filter(Boolean)) {
        try { process.kill(Number(pid), 'SIGKILL'); } catch { /* gone */ }
      }
    } catch { /* namespace vanished */ }
    try { execFileSync('ip', ['netns', 'exec', ns, 'nft', 'flush', 'ruleset'], { stdio: 'ignore' }); } catch { /* no rules */ }
    try { ipSync(['netns', 'del', ns]); } catch { /* already gone */ }
  }
  try {
    const links = JSON.parse(ipSync(['-j', 'link', 'show'])) as { ifname: string }[];
    for (const l of links) {
      if (l.ifname.startsWith(prefix) && l.ifname !== prefix) try { ipSync(['link', 'del', l.ifname]); } catch { /* peer went with its namespace */ }
    }
  } catch { /* ignore */ }
  try { ipSync(['link', 'del', prefix]); } catch { /* already gone */ }
}

/** Removes test hosts whose creating process is gone (a run that was SIGKILLed). */
export function sweepStaleTestHosts(): void {
  let bridges: { ifname: string; ifalias?: string }[] = [];
  try {
    // The root namespace's uplink (a veth; a bridge before the switch had its own namespace).
    bridges = JSON.parse(ipSync(['-j', '-d', 'link', 'show'])) as { ifname: string; ifalias?: string }[];
  } catch {
    return;
  }
  for (const b of bridges) {
    if (!/^bzh[a-z0-9]{5}$/.test(b.ifname) || !b.ifalias?.startsWith(ALIAS_PREFIX)) continue;
    const pid = Number(b.ifalias.slice(ALIAS_PREFIX.length));
    if (Number.isInteger(pid) && pid > 0 && !alive(pid)) removeSync(b.ifname);
  }
}
