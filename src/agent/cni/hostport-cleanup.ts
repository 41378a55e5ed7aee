import { execFileSync } from 'node:child_process';

/**
 * The CNI portmap plugin creates three shared nat chains (CNI-HOSTPORT-DNAT, -MASQ, -SETMARK) and
 * jumps to them from PREROUTING/OUTPUT/POSTROUTING, and never removes them after the last pod with a
 * hostPort is gone. removeIdleHostportChains() removes them when no hostPort mapping is left (the
 * DNAT chain has no rules): call it after removing the last hostPort pod and at agent shutdown.
 * There is a small window if another CNI user adds a hostPort at that very moment; portmap then
 * fails that pod's setup, which the kubelet-style retry recovers from.
 */

export const HOSTPORT_CHAINS = ['CNI-HOSTPORT-DNAT', 'CNI-HOSTPORT-MASQ', 'CNI-HOSTPORT-SETMARK'] as const;

/** Splits one `iptables -S` line into arguments (double quotes with backslash escapes). */
export function splitRuleArgs(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inQuotes = false;
  let has = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (inQuotes) {
      if (ch === '\\' && i + 1 < line.length) cur += line[++i];
      else if (ch === '"') inQuotes = false;
      else cur += ch;
    } else if (ch === '"') {
      inQuotes = true;
      has = true;
    } else if (ch === ' ') {
      if (has || cur) out.push(cur);
      cur = '';
      has = false;
    } else cur += ch;
  }
  if (has || cur) out.push(cur);
  return out;
}

/**
 * The iptables commands that remove idle hostport chains, from the `iptables -t nat -S` listing;
 * empty when a hostPort mapping is still in use or the chains are not there. Pure, for testing.
 */
export function idleHostportCleanup(natListing: string): string[][] {
  const lines = natListing.split('\n').filter(Boolean);
  const chains = new Set(HOSTPORT_CHAINS as readonly string[]);
  const present = HOSTPORT_CHAINS.filter((c) => lines.includes(`-N ${c}`));
  if (present.length === 0) return [];
  if (lines.some((l) => l.startsWith('-A CNI-HOSTPORT-DNAT '))) return [];
  const cmds: string[][] = [];
  for (const l of lines) {
    const args = splitRuleArgs(l);
    if (args[0] !== '-A' || chains.has(args[1]!)) continue;
    const target = args[args.indexOf('-j') + 1];
    if (target && chains.has(target)) cmds.push(['-t', 'nat', '-D', ...args.slice(1)]);
  }
  for (const c of present) cmds.push(['-t', 'nat', '-F', c]);
  for (const c of present) cmds.push(['-t', 'nat', '-X', c]);
  return cmds;
}

/** Removes the portmap chains if no hostPort is mapped; returns whether anything was removed. */
export function removeIdleHostportChains(iptables = 'iptables'): boolean {
  let listing: string;
  try {
    listing = execFileSync(iptables, ['-t', 'nat', '-S'], { encoding: 'utf8' });
  } catch {
    return false; // no iptables: portmap could not have run either
  }
  const cmds = idleHostportCleanup(listing);
  for (const c of cmds) {
    try {
      execFileSync(iptables, c, { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (err) {
      // Another cleaner (a second node on this host) removed it between the listing and now:
      // gone is what we wanted. Anything else is a real failure.
      if (!isAlreadyGone(err)) throw err;
    }
  }
  return cmds.length > 0;
}

/** iptables' answer when the rule or chain to delete does not exist (any more). */
export function isAlreadyGone(err: unknown): boolean {
  const stderr = String((err as { stderr?: unknown }).stderr ?? (err as Error).message ?? '');
  return /No chain\/target\/match by that name|Bad rule \(does a matching rule exist|does not exist/i.test(stderr);
}
