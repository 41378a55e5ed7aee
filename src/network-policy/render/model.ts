/**
 * What the NetworkPolicy renderer needs, reduced from API objects (pure): the pods of this node that
 * policies isolate for ingress (or egress), and, per policy, its rules with their peers resolved to
 * pod IPs. Semantics as upstream's NetworkPolicy API (networking.k8s.io/v1) and kube-router's
 * network policy controller:
 * - a pod is isolated for ingress (egress) when a policy of its namespace with policyTypes Ingress
 *   (Egress) selects it; pods no policy selects are not affected;
 * - a peer's podSelector alone selects pods of the policy's namespace, namespaceSelector alone every
 *   pod of the selected namespaces, both together the matching pods of the matching namespaces;
 * - ports name a protocol and a port number, a range (endPort), or a container port name: in an
 *   ingress rule resolved on the target pod (a name the pod does not have matches nothing), in an
 *   egress rule on each destination pod (peers.ts namedDestinations).
 */
import type { Namespace } from '../../api/kinds/core/namespace.js';
import type { Pod } from '../../api/kinds/core/pod.js';
import type { NetworkPolicy } from '../../api/kinds/networking/network-policy.js';
import { ipv4Block, matches, namedDestinations, namedPort, podIP, selectedPods, type Direction, type Peer, type PolicyPort } from './peers.js';

export { podIP, type Direction } from './peers.js';

export interface PolicyInput {
  policies: readonly NetworkPolicy[];
  pods: readonly Pod[];
  namespaces: readonly Namespace[];
  nodeName: string;
  /** The nftables table (ip family). */
  table: string;
}

/** A source of one rule: pod IPs from selector peers, or an ipBlock. */
export type Source = { kind: 'any' } | { kind: 'pods'; ips: string[] } | { kind: 'block'; cidr: string; except: string[] };

export interface PortMatch {
  protocol: 'tcp' | 'udp' | 'sctp';
  /** A number or `from-to`; undefined: every port of the protocol. */
  port?: string;
}

/** One pod that is isolated for ingress, with the port matches of each rule of each policy selecting it. */
export interface IsolatedPod {
  key: string;
  ip: string;
  /**
   * Per selecting policy (by key), per rule index: the resolved port matches ([] with `allPorts`);
   * `named`: the `ip . protocol . port` destinations the egress rule's named ports resolve to ([] for ingress).
   */
  rules: { policy: string; rule: number; sources: Source[]; ports: PortMatch[]; allPorts: boolean; named: string[] }[];
}

const podKey = (p: Pod): string => `${p.metadata?.namespace ?? ''}/${p.metadata?.name ?? ''}`;
export const policyKey = (np: NetworkPolicy): string => `${np.metadata?.namespace ?? ''}/${np.metadata?.name ?? ''}`;

/** Whether the policy isolates the pods it selects for ingress (defaulting as SetDefaults_NetworkPolicy). */
export function isIngressPolicy(np: NetworkPolicy): boolean {
  return (np.spec?.policyTypes ?? ['Ingress']).includes('Ingress');
}

/** The sources of one rule's `from`; an empty or missing `from` is every source. */
function sourcesOf(np: NetworkPolicy, from: Peer[] | undefined, pods: readonly Pod[], nsLabels: ReadonlyMap<string, Record<string, string>>): Source[] {
  if (!from || from.length === 0) return [{ kind: 'any' }];
  const out: Source[] = [];
  const ips = new Set<string>();
  let selectorPeer = false;
  for (const peer of from) {
    if (peer.ipBlock) {
      // IPv4 only (peers.ts ipv4Block says why): an IPv6 block allows nothing. Rendered canonical.
      const block = ipv4Block(peer.ipBlock);
      if (block) out.push({ kind: 'block', cidr: block.cidr.text, except: block.except.map((e) => e.text) });
      continue;
    }
    if (!peer.podSelector && !peer.namespaceSelector) continue;
    selectorPeer = true;
    for (const p of selectedPods(np, peer, pods, nsLabels)) ips.add(podIP(p)!);
  }
  if (selectorPeer) out.unshift({ kind: 'pods', ips: [...ips] });
  return out;
}

/** The port matches of a rule; `pod`: where named ports are looked up (none: they match nothing). */
function portsOf(pod: Pod | undefined, ports: PolicyPort[]): PortMatch[] {
  const out: PortMatch[] = [];
  for (const p of ports) {
    const proto = p.protocol ?? 'TCP';
    const protocol = proto.toLowerCase() as PortMatch['protocol'];
    if (p.port === undefined) out.push({ protocol });
    else if (typeof p.port === 'string') {
      const n = pod && namedPort(pod, p.port, proto);
      if (n !== undefined) out.push({ protocol, port: String(n) });
    } else out.push({ protocol, port: p.endPort !== undefined && p.endPort > p.port ? `${p.port}-${p.endPort}` : String(p.port) });
  }
  return out;
}

/** Whether the policy isolates the pods it selects for egress (policyTypes as defaulted by the API). */
export function isEgressPolicy(np: NetworkPolicy): boolean {
  return (np.spec?.policyTypes ?? []).includes('Egress');
}

/** A policy's rules in one direction, each as its peers and ports (`from` for ingress, `to` for egress). */
function rulesOf(np: NetworkPolicy, dir: Direction): { peers?: Peer[]; ports?: PolicyPort[] }[] {
  return dir === 'ingress' ? (np.spec?.ingress ?? []).map((r) => ({ peers: r.from, ports: r.ports })) : (np.spec?.egress ?? []).map((r) => ({ peers: r.to, ports: r.ports }));
}

/**
 * The pods of this node that policies isolate in `dir`, sorted by key, with their rules resolved:
 * for ingress the peers are sources and named ports the pod's own; for egress the peers are
 * destinations and a named port each destination pod's own (`named`).
 */
export function isolatedPods(input: PolicyInput, dir: Direction = 'ingress'): IsolatedPod[] {
  const nsLabels = new Map(input.namespaces.map((n) => [n.metadata?.name ?? '', n.metadata?.labels ?? {}]));
  const policies = input.policies.filter(dir === 'ingress' ? isIngressPolicy : isEgressPolicy).sort((a, b) => policyKey(a).localeCompare(policyKey(b)));
  const sources = new Map(policies.map((np) => [policyKey(np), rulesOf(np, dir).map((r) => sourcesOf(np, r.peers, input.pods, nsLabels))]));
  const named = new Map(policies.map((np) => [policyKey(np), rulesOf(np, dir).map((r) => (dir === 'egress' ? namedDestinations(np, r.peers, r.ports, input.pods, nsLabels) : []))]));
  const out: IsolatedPod[] = [];
  for (const pod of input.pods) {
    const ip = podIP(pod);
    if (!ip || pod.spec?.nodeName !== input.nodeName) continue;
    const selecting = policies.filter((np) => np.metadata?.namespace === pod.metadata?.namespace && matches(np.spec?.podSelector, pod.metadata?.labels));
    if (selecting.length === 0) continue;
    const rules: IsolatedPod['rules'] = [];
    for (const np of selecting) {
      rulesOf(np, dir).forEach((r, i) => {
        const allPorts = !r.ports || r.ports.length === 0;
        rules.push({ policy: policyKey(np), rule: i, sources: sources.get(policyKey(np))![i]!, ports: allPorts ? [] : portsOf(dir === 'ingress' ? pod : undefined, r.ports!), allPorts, named: named.get(policyKey(np))![i]! });
      });
    }
    out.push({ key: podKey(pod), ip, rules });
  }
  return out.sort((a, b) => a.key.localeCompare(b.key));
}
