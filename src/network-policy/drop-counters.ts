/**
 * What the policy dropped, read back from the kernel: every isolated pod's chain ends in
 * `counter drop` (render/ruleset.ts), so its counter is the number of packets the policies denied
 * that pod (ingress: to it; egress: from it). This tells a packet the policy dropped from one lost
 * elsewhere (a test's refused connection, an operator's "is it the policy?").
 * Counters live in the table: a ruleset change installs a new table, so they count since the last
 * change (as kube-router's per-rule counters restart with each iptables-restore).
 */
import { NftRunner } from '../controller-runtime/nft/nft-runner.js';

export interface PolicyDrops {
  /** Packets dropped on their way to each ingress-isolated pod, by `namespace/name`. */
  ingress: Record<string, number>;
  /** Packets each egress-isolated pod sent that were dropped. */
  egress: Record<string, number>;
}

interface NftJsonRule {
  rule?: { chain?: string; expr?: Array<{ counter?: { packets?: number }; drop?: unknown }> };
}

/** The chain of `kind` for pod `key`: `pod-<hash>-<key>` / `egress-<hash>-<key>` (ruleset.ts podChain, egressChain). */
const CHAIN = /^(pod|egress)-[0-9A-F]{8}-(.+)$/;

/** The drop counters of `table` (`nft -j list table ip <table>`); a missing table rejects. */
export async function readPolicyDrops(table: string, o: { netns?: string } = {}): Promise<PolicyDrops> {
  const out = await new NftRunner({ netns: o.netns }).run(['-j', 'list', 'table', 'ip', table]);
  const drops: PolicyDrops = { ingress: {}, egress: {} };
  for (const item of (JSON.parse(out) as { nftables?: NftJsonRule[] }).nftables ?? []) {
    const m = CHAIN.exec(item.rule?.chain ?? '');
    const expr = item.rule?.expr ?? [];
    const counter = expr.find((e) => e.counter)?.counter;
    if (!m || !counter || !expr.some((e) => 'drop' in e)) continue;
    drops[m[1] === 'pod' ? 'ingress' : 'egress'][m[2]!] = counter.packets ?? 0;
  }
  return drops;
}
