/**
 * Stale conntrack entries after an endpoint change; after each apply the proxy deletes exactly these
 * with the conntrack tool:
 *
 * - UDP (upstream pkg/proxy/conntrack): UDP has no connection to end, so a flow NATed to an endpoint
 *   that is gone keeps going there, and a flow seen while the Service had no endpoints keeps going
 *   nowhere, until their entries time out (never, while the client keeps sending). As upstream, for
 *   every frontend: a Service IP and port, and a NodePort (`--orig-port-dst` alone, as upstream's
 *   ClearEntriesForPort, since the flow's destination is whichever node address it used).
 * - TCP, only attempts never answered (state SYN_SENT) NATed to an endpoint that is gone. Such an
 *   entry outlives the client's attempt (120 s, nf_conntrack_tcp_timeout_syn_sent), and the kernel
 *   hands the same source port to a later connection to the same ClusterIP often enough (seen within
 *   20 s in test/e2e/multinode-failover.test.ts): that connection's SYN then matches the old entry
 *   and follows its NAT to the dead endpoint instead of the rules. Upstream kube-proxy clears UDP
 *   only and lets TCP entries time out, so that established connections end gracefully (issue
 *   kubernetes#101607); deleting only attempts never answered, as proposed there (#102669), spares
 *   every connection, and a client still retransmitting its SYN gets a fresh NAT to a live endpoint.
 *   The same holds for every frontend, matched as upstream's UDP cleanup matches flows: a ClusterIP,
 *   external or LoadBalancer IP by `--orig-dst`, a NodePort by `--orig-port-dst` (whichever node
 *   address the client used).
 *
 * Without the conntrack tool nothing is deleted: the cleaner logs that once (upstream kube-proxy logs
 * an error for each failed deletion, "error looking for path of conntrack"), and again only if the
 * tool, found meanwhile, goes missing again.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import type { Logger } from '../../controller-runtime/log.js';
import type { Ruleset } from '../render/ruleset.js';

/** Where the tool runs: inside `netns` when given (tests, benchmarks); `bin` is its name or path (default `conntrack`). */
export interface ConntrackTarget {
  netns?: string;
  bin?: string;
}

export interface StaleUdp {
  /** Frontends (Ruleset.udp's keys: `IP:port` or `:nodePort`) that had no endpoints before and have some now: clear all their flows. */
  frontends: string[];
  /** Frontend -> endpoint pairs that are gone: clear the flows NATed that way. */
  pairs: [string, string][];
}

/** Frontend -> endpoint pairs listed before and not now (pure). */
function gonePairs(before: ReadonlyMap<string, Set<string>>, after: ReadonlyMap<string, Set<string>>): [string, string][] {
  const out: [string, string][] = [];
  for (const [frontend, was] of before) {
    const now = after.get(frontend) ?? new Set<string>();
    for (const ip of was) if (!now.has(ip)) out.push([frontend, ip]);
  }
  return out;
}

/** What changed between two rulesets that leaves stale UDP flows (pure). */
export function staleUdp(prev: Ruleset | undefined, next: Ruleset): StaleUdp {
  const out: StaleUdp = { frontends: [], pairs: [] };
  if (!prev) return out;
  out.pairs = gonePairs(prev.udp, next.udp);
  for (const [frontend, now] of next.udp) {
    const before = prev.udp.get(frontend);
    if (now.size > 0 && (!before || before.size === 0)) out.frontends.push(frontend);
  }
  return out;
}

/** TCP frontend -> endpoint pairs gone between two rulesets, whose unanswered attempts are stale (pure). */
export function staleTcp(prev: Ruleset | undefined, next: Ruleset): [string, string][] {
  return prev ? gonePairs(prev.tcp, next.tcp) : [];
}

/** The command line running the tool with `args` where `t` says. */
function command(t: ConntrackTarget, args: string[]): [string, string[]] {
  const bin = t.bin ?? 'conntrack';
  return t.netns ? ['ip', ['netns', 'exec', t.netns, bin, ...args]] : [bin, args];
}

function run(t: ConntrackTarget, args: string[]): Promise<void> {
  const [cmd, argv] = command(t, args);
  return new Promise((resolve) => {
    const child = spawn(cmd, argv, { stdio: 'ignore' });
    // Exit status 1 means "no entry matched"; a missing tool only costs the cleanup.
    child.once('error', () => resolve());
    child.once('close', () => resolve());
  });
}

/** conntrack's filter for the flows of a frontend: `IP:port`, or `:nodePort` on any address. */
function frontendFilter(frontend: string): string[] {
  const i = frontend.lastIndexOf(':');
  const ip = frontend.slice(0, i);
  return [...(ip ? ['--orig-dst', ip] : []), '--orig-port-dst', frontend.slice(i + 1)];
}

/** Delete the stale flows (best effort). */
export async function clearStaleUdp(stale: StaleUdp, t: ConntrackTarget = {}): Promise<void> {
  for (const f of stale.frontends) await run(t, ['-D', '-p', 'udp', ...frontendFilter(f)]);
  for (const [f, ip] of stale.pairs) await run(t, ['-D', '-p', 'udp', ...frontendFilter(f), '--reply-src', ip]);
}

/**
 * The frontend -> endpoint pairs of the lines of `conntrack -L` (pure), in Ruleset.tcp's terms: the
 * first `dst=` and `dport=` are where the client sent it, the second `src=` where the NAT sent it.
 * Each line gives `IP endpoint` and `:port endpoint`, so a NodePort's pair is found whichever node
 * address the client used.
 */
export function flowPairs(listing: string): Set<string> {
  const out = new Set<string>();
  for (const line of listing.split('\n')) {
    const dst = / dst=(\S+)/.exec(line)?.[1];
    const dport = / dport=(\d+)/.exec(line)?.[1];
    const src = /src=\S+ .*? src=(\S+)/.exec(line)?.[1];
    if (!dst || !src) continue;
    out.add(`${dst} ${src}`);
    if (dport) out.add(`:${dport} ${src}`);
  }
  return out;
}

function list(t: ConntrackTarget, args: string[]): Promise<string> {
  const [cmd, argv] = command(t, args);
  return new Promise((resolve) => {
    const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', () => resolve(''));
    child.once('close', () => resolve(out));
  });
}

/**
 * Delete the never-answered TCP attempts NATed along `pairs` (best effort); answered ones stay.
 * One listing of the SYN_SENT entries first, then a delete per pair that has one: a rollout removes
 * endpoints by the hundred and almost none has an attempt left, so the usual cost is one process.
 */
export async function clearStaleTcp(pairs: [string, string][], t: ConntrackTarget = {}): Promise<void> {
  if (pairs.length === 0) return;
  const pending = flowPairs(await list(t, ['-L', '-p', 'tcp', '--state', 'SYN_SENT']));
  for (const [f, ip] of pairs) {
    if (!pending.has(`${f} ${ip}`)) continue;
    const frontend = f.startsWith(':') ? ['--orig-port-dst', f.slice(1)] : ['--orig-dst', f];
    await run(t, ['-D', '-p', 'tcp', '--state', 'SYN_SENT', ...frontend, '--reply-src', ip]);
  }
}

/** Whether `bin` is an executable file, by path or on $PATH (as upstream's LookPath). */
async function found(bin: string): Promise<boolean> {
  const dirs = bin.includes('/') ? [''] : (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const dir of dirs) {
    try {
      await access(dir ? join(dir, bin) : bin, constants.X_OK);
      return true;
    } catch {
      // not here
    }
  }
  return false;
}

/**
 * The proxy's cleanup after each apply: deletes what the change from `prev` to `next` left stale
 * (UDP flows and unanswered TCP attempts). The tool is looked up only when something is stale; if
 * it is missing, the cleanup is skipped and `log` says so once.
 */
export function conntrackCleaner(t: ConntrackTarget, log: Logger): (prev: Ruleset | undefined, next: Ruleset) => Promise<void> {
  let missingLogged = false;
  return async (prev, next) => {
    const udp = staleUdp(prev, next);
    const tcp = staleTcp(prev, next);
    if (udp.frontends.length === 0 && udp.pairs.length === 0 && tcp.length === 0) return;
    if (!(await found(t.bin ?? 'conntrack'))) {
      if (!missingLogged) log.error({ tool: t.bin ?? 'conntrack' }, 'conntrack tool not found: stale conntrack entries of removed endpoints are not deleted (UDP flows keep going to them, unanswered TCP attempts for up to 120 s)');
      missingLogged = true;
      return;
    }
    missingLogged = false;
    await clearStaleUdp(udp, t);
    await clearStaleTcp(tcp, t);
  };
}
