/**
 * A NetworkPolicy rule's peers resolved against the cluster's pods (pure), for model.ts:
 * - the pods a selector peer selects (podSelector alone: the policy's namespace; namespaceSelector
 *   alone: every pod of those namespaces; both: the matching pods of the matching namespaces);
 * - an ipBlock as an IPv4 cidr and excepts, or nothing for an IPv6 block (see ipv4Block);
 * - the destinations an egress rule's named ports resolve to, as Calico does: (pod IP, protocol,
 *   the pod's containerPort of that name and protocol) for every pod the rule's `to` can reach
 *   (the pods its selector peers select, the pods inside its ipBlocks, every pod of the cluster when
 *   `to` is empty). A name matches only pods that declare it, never other addresses.
 */
import type { Pod } from '../../api/kinds/core/pod.js';
import { selectorMatches, type LabelSelector } from '../../api/kinds/meta/label-selector.js';
import type { NetworkPolicy } from '../../api/kinds/networking/network-policy.js';
import { cidrContains, parseCIDR, type CIDR } from '../../api/net/cidr.js';
import { canonicalIPv4, parseIP } from '../../api/net/ip.js';

type Spec = NonNullable<NetworkPolicy['spec']>;
export type Peer = NonNullable<NonNullable<Spec['ingress']>[number]['from']>[number];
export type PolicyPort = NonNullable<NonNullable<Spec['ingress']>[number]['ports']>[number];
export type Direction = 'ingress' | 'egress';

/** A pod's IPv4 address, or undefined for pods that have none yet, run on the host network or are done. */
export function podIP(p: Pod): string | undefined {
  if (p.spec?.hostNetwork || p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed') return undefined;
  const ip = p.status?.podIP ?? p.status?.podIPs?.[0]?.ip;
  return ip ? canonicalIPv4(ip) ?? undefined : undefined;
}

export const matches = (sel: LabelSelector | undefined, labels: Record<string, string> | undefined): boolean => selectorMatches(sel ?? {}, labels);

/** The pods (with an address) a selector peer selects; [] for an ipBlock peer. */
export function selectedPods(np: NetworkPolicy, peer: Peer, pods: readonly Pod[], nsLabels: ReadonlyMap<string, Record<string, string>>): Pod[] {
  if (peer.ipBlock || (!peer.podSelector && !peer.namespaceSelector)) return [];
  return pods.filter((p) => {
    if (!podIP(p)) return false;
    const ns = p.metadata?.namespace ?? '';
    const nsOk = peer.namespaceSelector ? matches(peer.namespaceSelector, nsLabels.get(ns)) : ns === np.metadata?.namespace;
    return nsOk && (!peer.podSelector || matches(peer.podSelector, p.metadata?.labels));
  });
}

/**
 * An ipBlock as rendered: its cidr and excepts, canonical; undefined for an IPv6 block. Refused,
 * not rendered: the pod network is IPv4 only (pod CIDRs and pod IPs are IPv4, and the table's
 * family is `ip`), so every packet a policy judges is an IPv4 packet to or from an IPv4 pod address.
 * An IPv6 block can match none of them, here or on an `inet` table; kube-router does the same
 * ("Ignoring IPv6 ... IP blocks ... because we are not IPv6 Enabled"), and so it allows nothing.
 */
export function ipv4Block(block: NonNullable<Peer['ipBlock']>): { cidr: CIDR; except: CIDR[] } | undefined {
  const cidr = parseCIDR(block.cidr);
  if (cidr?.family !== 4) return undefined;
  return { cidr, except: (block.except ?? []).map((e) => parseCIDR(e)).filter((e): e is CIDR => e?.family === 4) };
}

/** The IPv6 ipBlocks of the policies, each as `<namespace>/<name>: <direction> rule <i>: ipBlock <cidr>` (logged: they allow nothing). */
export function ipv6Blocks(policies: readonly NetworkPolicy[]): string[] {
  const out: string[] = [];
  for (const np of policies) {
    const key = `${np.metadata?.namespace ?? ''}/${np.metadata?.name ?? ''}`;
    const rules: [Direction, Peer[] | undefined][] = [...(np.spec?.ingress ?? []).map((r) => ['ingress', r.from] as [Direction, Peer[] | undefined]), ...(np.spec?.egress ?? []).map((r) => ['egress', r.to] as [Direction, Peer[] | undefined])];
    const index = { ingress: 0, egress: 0 };
    for (const [dir, peers] of rules) {
      const i = index[dir]++;
      for (const peer of peers ?? []) if (peer.ipBlock && !ipv4Block(peer.ipBlock)) out.push(`${key}: ${dir} rule ${i}: ipBlock ${peer.ipBlock.cidr}`);
    }
  }
  return out;
}

/** The container port of `pod` named `name` for `protocol` (TCP, UDP, SCTP), or undefined. */
export function namedPort(pod: Pod, name: string, protocol: string): number | undefined {
  for (const c of pod.spec?.containers ?? []) {
    for (const cp of c.ports ?? []) if (cp.name === name && (cp.protocol ?? 'TCP') === protocol) return cp.containerPort;
  }
  return undefined;
}

/**
 * The `ip . protocol . port` destinations an egress rule's named ports allow, sorted; [] when it
 * has none. `to`: the rule's peers (empty or missing: every pod of the cluster).
 */
export function namedDestinations(np: NetworkPolicy, to: Peer[] | undefined, ports: PolicyPort[] | undefined, pods: readonly Pod[], nsLabels: ReadonlyMap<string, Record<string, string>>): string[] {
  const names = (ports ?? []).filter((p) => typeof p.port === 'string').map((p) => ({ name: p.port as string, protocol: p.protocol ?? 'TCP' }));
  if (names.length === 0) return [];
  const reachable = new Map<string, Pod>();
  const add = (p: Pod): void => void reachable.set(`${p.metadata?.namespace ?? ''}/${p.metadata?.name ?? ''}`, p);
  if (!to || to.length === 0) pods.filter((p) => podIP(p)).forEach(add);
  for (const peer of to ?? []) {
    if (!peer.ipBlock) {
      selectedPods(np, peer, pods, nsLabels).forEach(add);
      continue;
    }
    const block = ipv4Block(peer.ipBlock);
    if (!block) continue;
    const inside = (ip: string): boolean => {
      const addr = parseIP(ip)!;
      return cidrContains(block.cidr, addr) && !block.except.some((e) => cidrContains(e, addr));
    };
    pods.filter((p) => podIP(p) && inside(podIP(p)!)).forEach(add);
  }
  const out = new Set<string>();
  for (const p of reachable.values()) {
    for (const { name, protocol } of names) {
      const port = namedPort(p, name, protocol);
      if (port !== undefined) out.add(`${podIP(p)!} . ${protocol.toLowerCase()} . ${port}`);
    }
  }
  return [...out].sort();
}
