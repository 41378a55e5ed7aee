/**
 * Which host routes a node needs for the pod network in host-gw mode (as flannel's host-gw backend):
 * every other Node's pod CIDR via that Node's InternalIP. Pure: the applier turns the result into
 * `ip route replace` calls.
 *
 * A Node's spec is written by the node itself before the IPAM controller assigns a CIDR, so a claim
 * is routed only when it cannot divert anyone else's traffic: it must be a network address (no host
 * bits), lie inside the cluster CIDR, have the size of this node's own pod CIDR (node IPAM hands out
 * one size; blocks of one size cannot nest, so a node can neither claim a block around others' nor
 * carve a piece out of one), not overlap this node's own pod CIDR, and not overlap a claim made
 * earlier (the Node created first wins; ties by name). Its next hop must be an IPv4 InternalIP other
 * than this node's. Every refused claim is reported with the reason, for the controller's log.
 */
import { cidrContains, cidrsOverlap, parseCIDR, type CIDR } from '../../api/net/cidr.js';
import { canonicalIPv4 } from '../../api/net/ip.js';

export interface NodeLike {
  metadata: { name?: string; creationTimestamp?: string };
  spec?: { podCIDR?: string; podCIDRs?: string[] };
  status?: { addresses?: { type?: string; address?: string }[] };
}

export interface Route {
  /** Destination, e.g. 10.42.1.0/24. */
  cidr: string;
  /** Next hop: the owning node's InternalIP. */
  via: string;
  /** The Node the route leads to. */
  node: string;
}

export interface RefusedClaim {
  node: string;
  cidr: string;
  reason: string;
}

export interface RoutePlan {
  routes: Route[];
  refused: RefusedClaim[];
}

export interface RouteOptions {
  /** The pod network every routed CIDR must lie in; undefined: no containment check. */
  clusterCidr?: string;
  /**
   * Routes this node already has (CIDR -> node). A node holding a route keeps it against a later
   * overlapping claim: creationTimestamp has one-second resolution, so age alone would let a node
   * registered in the same second as its victim, with a name that sorts first, take its block.
   */
  held?: ReadonlyMap<string, string>;
}

/** The IPv4 InternalIP a Node advertises (canonical text), if any. */
export function internalIPv4(n: NodeLike): string | undefined {
  for (const a of n.status?.addresses ?? []) {
    if (a.type !== 'InternalIP') continue;
    const ip = canonicalIPv4(a.address);
    if (ip) return ip;
  }
  return undefined;
}

/** IPv4 pod CIDRs of a Node as written (spec.podCIDRs, else spec.podCIDR), IPv6 and garbage left out. */
export function podCidrsOf(n: NodeLike): string[] {
  const all = n.spec?.podCIDRs?.length ? n.spec.podCIDRs : n.spec?.podCIDR ? [n.spec.podCIDR] : [];
  return [...new Set(all.filter((c) => parseCIDR(c)?.family === 4))];
}

const byAge = (a: NodeLike, b: NodeLike): number => {
  const ta = a.metadata.creationTimestamp ?? '';
  const tb = b.metadata.creationTimestamp ?? '';
  if (ta !== tb) return ta < tb ? -1 : 1;
  const na = a.metadata.name ?? '';
  const nb = b.metadata.name ?? '';
  return na < nb ? -1 : na > nb ? 1 : 0;
};

/** Routes node `self` needs to reach every other node's pods, sorted by destination, and the claims refused. */
export function planRoutes(nodes: readonly NodeLike[], self: string, o: RouteOptions = {}): RoutePlan {
  const cluster = o.clusterCidr === undefined ? undefined : parseCIDR(o.clusterCidr);
  if (o.clusterCidr !== undefined && cluster?.family !== 4) throw new Error(`not an IPv4 cluster CIDR: ${o.clusterCidr}`);
  const me = nodes.find((n) => n.metadata.name === self);
  const myIP = me && internalIPv4(me);
  const mine = (me ? podCidrsOf(me) : []).map((c) => parseCIDR(c)!);
  const size = mine[0]?.prefix;
  const routes: Route[] = [];
  const refused: RefusedClaim[] = [];
  const taken: { cidr: CIDR; node: string }[] = [];
  const holds = (n: NodeLike): boolean => podCidrsOf(n).some((c) => o.held?.get(parseCIDR(c)!.text) === n.metadata.name);
  const order = (a: NodeLike, b: NodeLike): number => Number(holds(b)) - Number(holds(a)) || byAge(a, b);
  for (const n of [...nodes].sort(order)) {
    const name = n.metadata.name;
    const via = internalIPv4(n);
    if (!name || name === self || !via) continue; // no InternalIP: not ready yet
    for (const text of podCidrsOf(n)) {
      const c = parseCIDR(text)!;
      const refuse = (reason: string) => refused.push({ node: name, cidr: text, reason });
      const earlier = taken.find((t) => cidrsOverlap(t.cidr, c));
      if (via === myIP) refuse(`next hop ${via} is this node's own address`);
      else if (!c.isNetwork) refuse(`not a network address (host bits set; ${c.text} expected)`);
      else if (cluster && !cidrContains(cluster, c)) refuse(`outside the cluster CIDR ${cluster.text}`);
      else if (mine.some((m) => cidrsOverlap(m, c))) refuse('overlaps this node\'s own pod CIDR');
      else if (size !== undefined && c.prefix !== size) refuse(`not a node-sized block (/${size})`);
      else if (earlier) refuse(`overlaps ${earlier.cidr.text} claimed earlier by node ${earlier.node}`);
      else {
        taken.push({ cidr: c, node: name });
        routes.push({ cidr: c.text, via, node: name });
      }
    }
  }
  routes.sort((a, b) => {
    const ca = parseCIDR(a.cidr)!;
    const cb = parseCIDR(b.cidr)!;
    return ca.first !== cb.first ? (ca.first < cb.first ? -1 : 1) : ca.prefix - cb.prefix;
  });
  return { routes, refused };
}

/** The routes of planRoutes. */
export function desiredRoutes(nodes: readonly NodeLike[], self: string, o: RouteOptions = {}): Route[] {
  return planRoutes(nodes, self, o).routes;
}
