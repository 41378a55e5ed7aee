/**
 * Which addresses a LoadBalancer Service is reachable at (pure), as k3s's ServiceLB decides them:
 * every node runs the proxy, which serves a Service's status.loadBalancer.ingress IPs on the
 * Service's ports, so the ingress is the address of each Ready node (ExternalIP when the node has
 * one, else InternalIP). With externalTrafficPolicy: Local only nodes with a ready endpoint of the
 * Service can answer without forwarding (which would lose the client's address), so only those are
 * listed (k3s does the same). With an address pool configured, each Service instead gets one
 * address of the pool, kept for as long as the Service exists (MetalLB-style; the proxy on every
 * node answers for it, so the pool's addresses must be routed to the nodes).
 */
import type { Node } from '../../api/kinds/core/node.js';
import type { Service } from '../../api/kinds/core/service.js';
import type { EndpointSlice } from '../../api/kinds/discovery/endpoint-slice.js';
import { canonicalIPv4, formatIPv4, ipCompare, ipv4ToNumber } from '../../api/net/ip.js';

/** The `spec.loadBalancerClass` of Services this balancer serves when they name one. */
export const SERVICE_LB_CLASS = 'bosun.io/service-lb';

export interface LoadBalancerIngress {
  ip: string;
}

/** Whether the built-in balancer owns `svc` (type LoadBalancer, no class or ours; upstream leaves classed Services to their implementation). */
export function servedByServiceLb(svc: Pick<Service, 'spec'>): boolean {
  if (svc.spec?.type !== 'LoadBalancer') return false;
  const cls = svc.spec.loadBalancerClass;
  return cls === undefined || cls === '' || cls === SERVICE_LB_CLASS;
}

function ready(node: Node): boolean {
  return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true && !node.metadata.deletionTimestamp;
}

/** The address a node is reached at from outside: ExternalIP first, else InternalIP (IPv4 only, as the proxy). */
export function nodeIngressAddress(node: Node): string | undefined {
  const addrs = node.status?.addresses ?? [];
  const v4 = (type: string) => addrs.map((a) => (a.type === type ? canonicalIPv4(a.address) : undefined)).find((ip) => ip !== undefined);
  return v4('ExternalIP') ?? v4('InternalIP');
}

/** Nodes with a ready endpoint in the Service's slices. */
function nodesWithReadyEndpoints(slices: readonly EndpointSlice[]): Set<string> {
  const out = new Set<string>();
  for (const s of slices) {
    for (const e of s.endpoints ?? []) if (e.nodeName && e.conditions?.ready !== false) out.add(e.nodeName);
  }
  return out;
}

/**
 * The addresses of a pool given as `a.b.c.d`, `a.b.c.d-e.f.g.h` or CIDR entries, in order
 * (a CIDR yields every address of it, as MetalLB does for /32../24 pools). Throws on a malformed entry.
 */
export function expandPool(entries: readonly string[]): string[] {
  const out: string[] = [];
  const check = (ip: string): number => {
    const n = ipv4ToNumber(ip);
    if (n === undefined) throw new Error(`service LB pool: not an IPv4 address: ${ip}`);
    return n;
  };
  for (const raw of entries.flatMap((e) => e.split(',')).map((e) => e.trim()).filter(Boolean)) {
    let from: number, to: number;
    if (raw.includes('/')) {
      const [ip, bits] = raw.split('/');
      const b = Number(bits);
      if (!Number.isInteger(b) || b < 16 || b > 32) throw new Error(`service LB pool: prefix must be /16../32: ${raw}`);
      const size = 2 ** (32 - b);
      from = Math.floor(check(ip!) / size) * size;
      to = from + size - 1;
    } else if (raw.includes('-')) {
      const [a, z] = raw.split('-');
      from = check(a!.trim());
      to = check(z!.trim());
      if (to < from) throw new Error(`service LB pool: empty range ${raw}`);
    } else {
      from = to = check(raw);
    }
    if (to - from > 65_535) throw new Error(`service LB pool: range too large: ${raw}`);
    for (let n = from; n <= to; n++) out.push(formatIPv4(n));
  }
  return out;
}

/** Node-address mode: the ingress of `svc` given every Node and the Service's EndpointSlices. */
export function nodeIngress(svc: Service, nodes: readonly Node[], slices: readonly EndpointSlice[]): LoadBalancerIngress[] {
  const local = svc.spec?.externalTrafficPolicy === 'Local' ? nodesWithReadyEndpoints(slices) : undefined;
  const ips = new Set<string>();
  for (const n of nodes) {
    if (!ready(n) || (local && !local.has(n.metadata.name!))) continue;
    const ip = nodeIngressAddress(n);
    if (ip) ips.add(ip);
  }
  return [...ips].sort(ipCompare).map((ip) => ({ ip }));
}

/**
 * Pool mode: the Service keeps its current pool address (or its requested spec.loadBalancerIP when
 * in the pool and free), else takes the first free one; none when the pool is exhausted.
 * `taken` holds the addresses other Services hold.
 */
export function poolIngress(svc: Service, pool: readonly string[], taken: ReadonlySet<string>): LoadBalancerIngress[] {
  const inPool = new Set(pool);
  const free = (ip: string | undefined): ip is string => !!ip && inPool.has(ip) && !taken.has(ip);
  const requested = svc.spec?.loadBalancerIP;
  if (requested) return free(requested) ? [{ ip: requested }] : [];
  const current = svc.status?.loadBalancer?.ingress?.map((i) => i.ip).find(free);
  const ip = current ?? pool.find(free);
  return ip ? [{ ip }] : [];
}
