/**
 * Who may query the cluster DNS: the cluster's pod CIDRs, the nodes' addresses (learnt from the
 * Node objects with their pod CIDRs, so a node joining later is served) and loopback; everyone else is answered REFUSED,
 * as CoreDNS's acl plugin does. This is what keeps the node's DNS port from being an open resolver
 * for whatever network the node sits on. Addresses are parsed by src/api/net and matched with node:net's BlockList.
 */
import { BlockList } from 'node:net';
import { cidrContains, parseCIDR, type CIDR } from '../api/net/cidr.js';
import { parseIP } from '../api/net/ip.js';

export interface ClientAclOptions {
  /** The cluster's pod network(s), e.g. `10.42.0.0/16` (also `fd00::/48`). */
  podCidrs: readonly string[];
  /** Node addresses known at start (more come with setNodeAddresses). */
  nodeAddresses?: readonly string[];
}

const FAMILY = { 4: 'ipv4', 6: 'ipv6' } as const;

/** `10.42.0.0/16` (or a bare address) -> [network, prefix, family] (src/api/net); throws on anything else (a bad flag fails the start). */
function parseCidr(cidr: string): [string, number, 'ipv4' | 'ipv6'] {
  const c = cidr.includes('/') ? parseCIDR(cidr) : undefined;
  if (c) return [c.network, c.prefix, FAMILY[c.family]];
  const ip = cidr.includes('/') ? undefined : parseIP(cidr);
  if (!ip) throw new Error(`invalid CIDR for the DNS client ACL: ${JSON.stringify(cidr)}`);
  return [ip.text, ip.family === 4 ? 32 : 128, FAMILY[ip.family]];
}

/** Private ranges a pod network can live in (RFC 1918, shared address space, unique local). */
const PRIVATE = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', 'fc00::/7'].map((c) => parseCIDR(c)!);

/**
 * A pod CIDR a Node claims is trusted only when it could be one node's block: private and no
 * larger than a /16 (IPv4) or /48 (IPv6). A node writing `0.0.0.0/0` or a public block into its
 * Node must not turn every node's DNS into an open resolver for that range.
 */
function nodeSized(net: CIDR): boolean {
  if (net.prefix < (net.family === 4 ? 16 : 48)) return false;
  return PRIVATE.some((p) => p.family === net.family && cidrContains(p, net));
}

export class ClientAcl {
  private readonly static = new BlockList();
  private nodes = new BlockList();

  constructor(o: ClientAclOptions) {
    this.static.addSubnet('127.0.0.0', 8, 'ipv4');
    this.static.addAddress('::1', 'ipv6');
    for (const c of o.podCidrs) {
      const [addr, prefix, family] = parseCidr(c);
      this.static.addSubnet(addr, prefix, family);
    }
    this.setNodeAddresses(o.nodeAddresses ?? []);
  }

  /**
   * Replaces what is learnt from the Node objects: their addresses (InternalIP/ExternalIP) and their
   * pod CIDRs (spec.podCIDRs, which a node given --pod-cidr may hold outside the cluster CIDR);
   * malformed entries are skipped.
   */
  setNodeAddresses(addresses: readonly string[], podCidrs: readonly string[] = []): void {
    const next = new BlockList();
    for (const a of addresses) {
      const ip = parseIP(a);
      if (ip) next.addAddress(ip.text, FAMILY[ip.family]);
    }
    for (const c of podCidrs) {
      const net = parseCIDR(c);
      if (net && nodeSized(net)) next.addSubnet(net.network, net.prefix, FAMILY[net.family]);
    }
    this.nodes = next;
  }

  allows(address: string): boolean {
    // parseIP: a v4-mapped v6 source (`::ffff:10.42.0.5`, as a dual-stack socket reports it) is its v4 address.
    const ip = parseIP(address);
    if (!ip) return false;
    const family = FAMILY[ip.family];
    return this.static.check(ip.text, family) || this.nodes.check(ip.text, family);
  }
}

/** Loopback only: the default of a server started without an ACL (tests, diagnostics). */
export const loopbackOnly = (): ClientAcl => new ClientAcl({ podCidrs: [] });
