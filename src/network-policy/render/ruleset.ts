/**
 * NetworkPolicy enforcement as one nftables table per node (pure), as kube-router's network policy
 * controller does with iptables: filtered in the forward path, after the proxy's DNAT, so a
 * connection through a Service ClusterIP is judged by the backend pod's own address.
 *
 *   forward       `ct state established,related accept` (replies and allowed connections), then
 *                 `ip saddr vmap @egress-isolated` (a packet from an egress-isolated pod of this
 *                 node jumps to its egress chain, which returns when allowed and drops otherwise),
 *                 then `ip daddr vmap @isolated` (to an ingress-isolated pod: its ingress chain).
 *   input         the same egress check for packets from pods to the node itself (the cluster DNS
 *                 behind the kube-dns ClusterIP answers on the node's address).
 *   pod-*         ingress, per isolated pod: one accept per (rule, source, port) of every policy
 *                 selecting it, the node's own addresses accepted (kubelet probes, as upstream
 *                 plugins allow traffic from the pod's node), then drop. No rule at all = deny all.
 *   egress-*      egress, per isolated pod: one return per (rule, destination, port), then drop.
 *                 Both end in `counter drop`: the packets the policies denied that pod (drop-counters.ts).
 *   src-* dst-*   per (policy, rule): the IPs of the pods its selector peers select, one set, so a
 *                 peer of many pods is one rule.
 *   port-*        per egress (policy, rule) with named ports: `ip . protocol . port` of each
 *                 destination pod declaring such a name (model.ts), matched as
 *                 `ip daddr . meta l4proto . th dport` (th: the TCP/UDP/SCTP destination port).
 *
 * Pods no policy selects are in neither map and pass untouched. Traffic the node itself sends
 * (probes, host-network clients) goes through the output hook, never these chains.
 */
import { createHash } from 'node:crypto';
import { isolatedPods, policyKey, type Direction, type IsolatedPod, type PolicyInput, type PortMatch, type Source } from './model.js';
import { ipv6Blocks } from './peers.js';

export interface PolicyRuleset {
  table: string;
  /** The whole table definition for `nft -f` (after `add table; delete table`). */
  text: string;
  /** The pods isolated for ingress (namespace/name), for logs and tests. */
  isolated: string[];
  /** The pods isolated for egress. */
  egressIsolated: string[];
  /** What the policies ask for that cannot match here and so allows nothing: IPv6 ipBlocks (peers.ts ipv4Block), for the log. */
  ignored: string[];
}

function hash(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 8).toUpperCase();
}

/** nft identifiers allow letters, digits and `/ - _ .`; anything else becomes `_`. */
const safe = (s: string): string => s.replace(/[^A-Za-z0-9/_.-]/g, '_');
export const podChain = (key: string): string => `pod-${hash(key)}-${safe(key)}`;
export const egressChain = (key: string): string => `egress-${hash(key)}-${safe(key)}`;
export const sourceSet = (policy: string, rule: number): string => `src-${hash(`${policy}#${rule}`)}-${safe(policy)}-${rule}`;
export const destinationSet = (policy: string, rule: number): string => `dst-${hash(`${policy}#${rule}`)}-${safe(policy)}-${rule}`;
/** The `ip . protocol . port` destinations an egress rule's named ports resolve to. */
export const namedPortSet = (policy: string, rule: number): string => `port-${hash(`${policy}#${rule}`)}-${safe(policy)}-${rule}`;

function portMatch(p: PortMatch): string {
  return p.port === undefined ? `meta l4proto ${p.protocol}` : `${p.protocol} dport ${p.port}`;
}

/** The match of a peer on `field` (saddr for sources, daddr for destinations); undefined: matches nothing. */
function peerMatch(s: Source, field: 'saddr' | 'daddr', set: string): string | undefined {
  switch (s.kind) {
    case 'any': return '';
    case 'pods': return s.ips.length > 0 ? `ip ${field} @${set}` : undefined;
    case 'block': return s.except.length > 0 ? `ip ${field} ${s.cidr} ip ${field} != { ${s.except.join(', ')} }` : `ip ${field} ${s.cidr}`;
  }
}

const DIRS = {
  ingress: { field: 'saddr', set: sourceSet, chain: podChain, allow: 'accept', map: 'isolated', key: 'daddr' },
  egress: { field: 'daddr', set: destinationSet, chain: egressChain, allow: 'return', map: 'egress-isolated', key: 'saddr' },
} as const;

function podRules(pod: IsolatedPod, dir: Direction, nodeIPs: string[]): string[] {
  const d = DIRS[dir];
  const rules: string[] = [];
  if (dir === 'ingress' && nodeIPs.length > 0) rules.push(`ip saddr { ${nodeIPs.join(', ')} } accept`);
  for (const r of pod.rules) {
    const ports = r.allPorts ? [''] : r.ports.map(portMatch);
    // With only named ports that resolve to nothing, `ports` is empty: the rule allows nothing by number.
    for (const s of r.sources) {
      const peer = peerMatch(s, d.field, d.set(r.policy, r.rule));
      if (peer === undefined) continue;
      for (const port of ports) rules.push(`${[peer, port].filter((x) => x !== '').join(' ')} ${d.allow}`.trimStart());
    }
    // Egress named ports: the (pod IP, protocol, port) triples they resolve to, whatever the peer (the triples already say where).
    if (r.named.length > 0) rules.push(`ip daddr . meta l4proto . th dport @${namedPortSet(r.policy, r.rule)} ${d.allow}`);
  }
  // Counted, so that a packet the policy denied can be told from one lost elsewhere (drop-counters.ts).
  rules.push('counter drop');
  return rules;
}

const byIP = (a: string, b: string): number => {
  const n = (ip: string): number => ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  return n(a) - n(b);
};

/** This node's isolated pods in `dir`; two pods claiming one IP (a stale status): the first keeps it, a vmap key must be unique. */
function uniquePods(input: PolicyInput, dir: Direction): IsolatedPod[] {
  const seen = new Set<string>();
  return isolatedPods(input, dir).filter((p) => !seen.has(p.ip) && seen.add(p.ip));
}

/** `nodeIPs`: the node's own addresses (InternalIP, the bridge's gateway), always allowed in. */
export function renderPolicyRuleset(input: PolicyInput & { nodeIPs?: string[] }): PolicyRuleset {
  const byDir = { ingress: uniquePods(input, 'ingress'), egress: uniquePods(input, 'egress') };
  const nodeIPs = [...new Set(input.nodeIPs ?? [])].sort(byIP);
  const lines: string[] = [`table ip ${input.table} {`];
  const sets = new Map<string, string[]>();
  for (const dir of ['ingress', 'egress'] as const) {
    for (const pod of byDir[dir]) for (const r of pod.rules) for (const s of r.sources) if (s.kind === 'pods' && s.ips.length > 0) sets.set(DIRS[dir].set(r.policy, r.rule), [...s.ips].sort(byIP));
  }
  const named = new Map<string, string[]>();
  for (const pod of byDir.egress) for (const r of pod.rules) if (r.named.length > 0) named.set(namedPortSet(r.policy, r.rule), r.named);
  for (const [name, ips] of [...sets].sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(`	set ${name} {`, '		type ipv4_addr', `		elements = { ${ips.join(', ')} }`, '	}');
  }
  for (const [name, elements] of [...named].sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(`	set ${name} {`, '		type ipv4_addr . inet_proto . inet_service', `		elements = { ${elements.join(', ')} }`, '	}');
  }
  for (const dir of ['ingress', 'egress'] as const) {
    const d = DIRS[dir];
    lines.push(`	map ${d.map} {`, '		type ipv4_addr : verdict');
    if (byDir[dir].length > 0) lines.push(`		elements = { ${byDir[dir].map((p) => `${p.ip} : jump ${d.chain(p.key)}`).join(', ')} }`);
    lines.push('	}');
  }
  lines.push('	chain forward {', '		type filter hook forward priority filter; policy accept;', '		ct state established,related accept', '		ip saddr vmap @egress-isolated', '		ip daddr vmap @isolated', '	}');
  lines.push('	chain input {', '		type filter hook input priority filter; policy accept;', '		ct state established,related accept', '		ip saddr vmap @egress-isolated', '	}');
  for (const dir of ['ingress', 'egress'] as const) {
    for (const pod of byDir[dir]) {
      lines.push(`	chain ${DIRS[dir].chain(pod.key)} {`);
      for (const r of podRules(pod, dir, nodeIPs)) lines.push(`		${r}`);
      lines.push('	}');
    }
  }
  lines.push('}');
  return { table: input.table, text: `${lines.join('\n')}\n`, isolated: byDir.ingress.map((p) => p.key), egressIsolated: byDir.egress.map((p) => p.key),
    ignored: ipv6Blocks([...input.policies].sort((a, b) => policyKey(a).localeCompare(policyKey(b)))) };
}
