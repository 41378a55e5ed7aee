/**
 * NetworkPolicy ingress enforcement as one nftables table per node (pure), as kube-router's network
 * policy controller does with iptables: filtered in the forward path, after the proxy's DNAT, so a
 * connection through a Service ClusterIP is judged by the pod's own address.
 *
 *   forward       `ct state established,related accept` (replies and allowed connections), then
 *                 `ip daddr vmap @isolated`: packets to an isolated pod of this node jump to its chain.
 *   pod-*         per isolated pod: one accept per (rule, source, port) of every policy selecting
 *                 it, the node's own addresses accepted (kubelet probes, as upstream plugins allow
 *                 traffic from the pod's node), then drop. No rule at all = deny all.
 *   src-*         per (policy, rule): the IPs of the pods its selector peers select, one set, so a
 *                 peer of many pods is one rule.
 *
 * Pods no policy selects are not in `@isolated` and pass untouched. Traffic the node itself sends
 * (probes, host-network clients) goes through the output hook, never this forward chain.
 */
import { createHash } from 'node:crypto';
import { isolatedPods, type IsolatedPod, type PolicyInput, type PortMatch, type Source } from './model.js';

export interface PolicyRuleset {
  table: string;
  /** The whole table definition for `nft -f` (after `add table; delete table`). */
  text: string;
  /** The isolated pods (namespace/name), for logs and tests. */
  isolated: string[];
}

function hash(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 8).toUpperCase();
}

/** nft identifiers allow letters, digits and `/ - _ .`; anything else becomes `_`. */
const safe = (s: string): string => s.replace(/[^A-Za-z0-9/_.-]/g, '_');
export const podChain = (key: string): string => `pod-${hash(key)}-${safe(key)}`;
export const sourceSet = (policy: string, rule: number): string => `src-${hash(`${policy}#${rule}`)}-${safe(policy)}-${rule}`;

function portMatch(p: PortMatch): string {
  return p.port === undefined ? `meta l4proto ${p.protocol}` : `${p.protocol} dport ${p.port}`;
}

function sourceMatch(s: Source, set: string): string | undefined {
  switch (s.kind) {
    case 'any': return '';
    case 'pods': return s.ips.length > 0 ? `ip saddr @${set}` : undefined;
    case 'block': return s.except.length > 0 ? `ip saddr ${s.cidr} ip saddr != { ${s.except.join(', ')} }` : `ip saddr ${s.cidr}`;
  }
}

function podRules(pod: IsolatedPod, nodeIPs: string[]): string[] {
  const rules: string[] = [];
  if (nodeIPs.length > 0) rules.push(`ip saddr { ${nodeIPs.join(', ')} } accept`);
  for (const r of pod.rules) {
    if (!r.allPorts && r.ports.length === 0) continue; // only named ports this pod does not have
    const ports = r.allPorts ? [''] : r.ports.map(portMatch);
    for (const s of r.sources) {
      const src = sourceMatch(s, sourceSet(r.policy, r.rule));
      if (src === undefined) continue;
      for (const port of ports) rules.push(`${[src, port].filter((x) => x !== '').join(' ')} accept`.trimStart());
    }
  }
  rules.push('drop');
  return rules;
}

const byIP = (a: string, b: string): number => {
  const n = (ip: string): number => ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  return n(a) - n(b);
};

/** `nodeIPs`: the node's own addresses (InternalIP, the bridge's gateway), always allowed in. */
export function renderPolicyRuleset(input: PolicyInput & { nodeIPs?: string[] }): PolicyRuleset {
  // Two pods claiming one IP (a stale status): the first keeps it, a vmap key must be unique.
  const seen = new Set<string>();
  const pods = isolatedPods(input).filter((p) => !seen.has(p.ip) && seen.add(p.ip));
  const nodeIPs = [...new Set(input.nodeIPs ?? [])].sort(byIP);
  const lines: string[] = [`table ip ${input.table} {`];
  const sets = new Map<string, string[]>();
  for (const pod of pods) for (const r of pod.rules) for (const s of r.sources) if (s.kind === 'pods' && s.ips.length > 0) sets.set(sourceSet(r.policy, r.rule), [...s.ips].sort(byIP));
  for (const [name, ips] of [...sets].sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(`\tset ${name} {`, '\t\ttype ipv4_addr', `\t\telements = { ${ips.join(', ')} }`, '\t}');
  }
  lines.push('\tmap isolated {', '\t\ttype ipv4_addr : verdict');
  if (pods.length > 0) lines.push(`\t\telements = { ${pods.map((p) => `${p.ip} : jump ${podChain(p.key)}`).join(', ')} }`);
  lines.push('\t}');
  lines.push('\tchain forward {', '\t\ttype filter hook forward priority filter; policy accept;', '\t\tct state established,related accept', '\t\tip daddr vmap @isolated', '\t}');
  for (const pod of pods) {
    lines.push(`\tchain ${podChain(pod.key)} {`);
    for (const r of podRules(pod, nodeIPs)) lines.push(`\t\t${r}`);
    lines.push('\t}');
  }
  lines.push('}');
  return { table: input.table, text: `${lines.join('\n')}\n`, isolated: pods.map((p) => p.key) };
}
