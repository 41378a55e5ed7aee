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
 * The `iptables-restore --noflush` input that removes idle hostport chains, from the
 * `iptables -t nat -S` listing (whose lines are already in restore syntax); undefined when a hostPort
 * mapping is still in use or the chains are not there. The jumps are deleted, the two static chains
 * flushed and all three deleted in one transaction; the DNAT chain is NOT flushed: it was empty when
 * listed, and if another node's portmap adds a mapping before the commit, deleting the chain fails
 * and the whole transaction with it, so a mapping in use is never removed. Pure, for testing.
 */
export function idleHostportRestore(natListing: string): string | undefined {
  const lines = natListing.split('\n').filter(Boolean);
  const chains = new Set(HOSTPORT_CHAINS as readonly string[]);
  const present = HOSTPORT_CHAINS.filter((c) => lines.includes(`-N ${c}`));
  if (present.length === 0) return undefined;
  if (lines.some((l) => l.startsWith('-A CNI-HOSTPORT-DNAT '))) return undefined;
  const out = ['*nat'];
  for (const l of lines) {
    const args = splitRuleArgs(l);
    if (args[0] !== '-A' || chains.has(args[1]!)) continue;
    const target = args[args.indexOf('-j') + 1];
    if (target && chains.has(target)) out.push(`-D${l.slice(2)}`);
  }
  for (const c of present) if (c !== 'CNI-HOSTPORT-DNAT') out.push(`-F ${c}`);
  for (const c of present) out.push(`-X ${c}`);
  out.push('COMMIT', '');
  return out.join('\n');
}

/**
 * Removes the portmap chains if no hostPort is mapped, atomically; returns whether they were
 * removed. When the transaction fails (another node on this host mapped a hostPort, or removed the
 * chains itself, since the listing) nothing changes and the chains are left to their users.
 */
export function removeIdleHostportChains(iptables = 'iptables'): boolean {
  let listing: string;
  try {
    listing = execFileSync(iptables, ['-t', 'nat', '-S'], { encoding: 'utf8' });
  } catch {
    return false; // no iptables: portmap could not have run either
  }
  const script = idleHostportRestore(listing);
  if (!script) return false;
  try {
    execFileSync(`${iptables}-restore`, ['--noflush'], { input: script, stdio: ['pipe', 'ignore', 'pipe'] });
    return true;
  } catch {
    return false;
  }
}
