/**
 * Stale UDP conntrack entries (upstream pkg/proxy/conntrack): UDP has no connection to end, so a
 * flow NATed to an endpoint that is gone keeps going there, and a flow seen while the Service had no
 * endpoints keeps going nowhere, until their entries time out. After each apply the proxy deletes
 * exactly those entries with the conntrack tool.
 */
import { spawn } from 'node:child_process';
import type { Ruleset } from '../render/ruleset.js';

export interface StaleUdp {
  /** Frontends that had no endpoints before and have some now: clear all their flows. */
  frontends: string[];
  /** Frontend -> endpoint pairs that are gone: clear the flows NATed that way. */
  pairs: [string, string][];
}

/** What changed between two rulesets that leaves stale UDP flows (pure). */
export function staleUdp(prev: Ruleset | undefined, next: Ruleset): StaleUdp {
  const out: StaleUdp = { frontends: [], pairs: [] };
  if (!prev) return out;
  for (const [frontend, before] of prev.udp) {
    const now = next.udp.get(frontend) ?? new Set<string>();
    for (const ip of before) if (!now.has(ip)) out.pairs.push([frontend, ip]);
  }
  for (const [frontend, now] of next.udp) {
    const before = prev.udp.get(frontend);
    if (now.size > 0 && (!before || before.size === 0)) out.frontends.push(frontend);
  }
  return out;
}

function run(netns: string | undefined, args: string[]): Promise<void> {
  const [cmd, argv] = netns ? ['ip', ['netns', 'exec', netns, 'conntrack', ...args]] : ['conntrack', args];
  return new Promise((resolve) => {
    const child = spawn(cmd, argv, { stdio: 'ignore' });
    // Exit status 1 means "no entry matched"; a missing tool only costs the cleanup.
    child.once('error', () => resolve());
    child.once('close', () => resolve());
  });
}

/** Delete the stale flows (best effort). */
export async function clearStaleUdp(stale: StaleUdp, netns?: string): Promise<void> {
  for (const f of stale.frontends) await run(netns, ['-D', '-p', 'udp', '--orig-dst', f]);
  for (const [f, ip] of stale.pairs) await run(netns, ['-D', '-p', 'udp', '--orig-dst', f, '--reply-src', ip]);
}
