/**
 * Which host routes a node needs for the pod network in host-gw mode (as flannel's host-gw backend):
 * every other Node's pod CIDR via that Node's InternalIP. Pure: the applier turns the result into
 * `ip route replace` calls. Nodes without a pod CIDR or an IPv4 InternalIP contribute nothing, nor
 * does a Node claiming this node's own address or pod CIDR (a stale or conflicting record must not
 * divert local traffic).
 */

export interface NodeLike {
  metadata: { name?: string };
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

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const isIPv4 = (s: string): boolean => IPV4.test(s) && s.split('.').every((p) => Number(p) <= 255);
const isIPv4Cidr = (s: string): boolean => {
  const [ip, len, ...rest] = s.split('/');
  return rest.length === 0 && ip !== undefined && isIPv4(ip) && len !== undefined && /^\d{1,2}$/.test(len) && Number(len) <= 32;
};

/** The IPv4 InternalIP a Node advertises, if any. */
export function internalIPv4(n: NodeLike): string | undefined {
  return n.status?.addresses?.find((a) => a.type === 'InternalIP' && a.address && isIPv4(a.address))?.address;
}

/** IPv4 pod CIDRs of a Node (spec.podCIDRs, else spec.podCIDR). */
export function podCidrsOf(n: NodeLike): string[] {
  const all = n.spec?.podCIDRs?.length ? n.spec.podCIDRs : n.spec?.podCIDR ? [n.spec.podCIDR] : [];
  return [...new Set(all.filter(isIPv4Cidr))];
}

/** Routes node `self` needs to reach every other node's pods, sorted by destination. */
export function desiredRoutes(nodes: readonly NodeLike[], self: string): Route[] {
  const me = nodes.find((n) => n.metadata.name === self);
  const myIP = me && internalIPv4(me);
  const myCidrs = new Set(me ? podCidrsOf(me) : []);
  const byCidr = new Map<string, Route>();
  for (const n of nodes) {
    const name = n.metadata.name;
    if (!name || name === self) continue;
    const via = internalIPv4(n);
    if (!via || via === myIP) continue;
    for (const cidr of podCidrsOf(n)) {
      if (myCidrs.has(cidr)) continue;
      // Two Nodes claiming one CIDR: keep the first by name, deterministically.
      const prev = byCidr.get(cidr);
      if (!prev || name < prev.node) byCidr.set(cidr, { cidr, via, node: name });
    }
  }
  return [...byCidr.values()].sort((a, b) => (a.cidr < b.cidr ? -1 : a.cidr > b.cidr ? 1 : 0));
}
