/**
 * Who may query the cluster DNS: the cluster's pod CIDRs, the nodes' addresses (learnt from the
 * Node objects, so a node joining later is served) and loopback; everyone else is answered REFUSED,
 * as CoreDNS's acl plugin does. This is what keeps the node's DNS port from being an open resolver
 * for whatever network the node sits on. Addresses are matched with node:net's BlockList.
 */
import { BlockList, isIPv4, isIPv6 } from 'node:net';

export interface ClientAclOptions {
  /** The cluster's pod network(s), e.g. `10.42.0.0/16` (also `fd00::/48`). */
  podCidrs: readonly string[];
  /** Node addresses known at start (more come with setNodeAddresses). */
  nodeAddresses?: readonly string[];
}

/** `10.42.0.0/16` -> [address, prefix, family]; throws on anything else (a bad flag fails the start). */
function parseCidr(cidr: string): [string, number, 'ipv4' | 'ipv6'] {
  const slash = cidr.lastIndexOf('/');
  const addr = slash < 0 ? cidr : cidr.slice(0, slash);
  const family = isIPv4(addr) ? 'ipv4' : isIPv6(addr) ? 'ipv6' : undefined;
  const max = family === 'ipv4' ? 32 : 128;
  const prefix = slash < 0 ? max : Number(cidr.slice(slash + 1));
  if (!family || !/^\d{1,3}$/.test(slash < 0 ? String(max) : cidr.slice(slash + 1)) || prefix > max) {
    throw new Error(`invalid CIDR for the DNS client ACL: ${JSON.stringify(cidr)}`);
  }
  return [addr, prefix, family];
}

/** A v4-mapped v6 source (`::ffff:10.42.0.5`, as a dual-stack socket reports it) is its v4 address. */
function unmap(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m ? m[1]! : address;
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

  /** Replaces the node addresses (every Node's InternalIP/ExternalIP); malformed entries are skipped. */
  setNodeAddresses(addresses: readonly string[]): void {
    const next = new BlockList();
    for (const a of addresses) {
      if (isIPv4(a)) next.addAddress(a, 'ipv4');
      else if (isIPv6(a)) next.addAddress(a, 'ipv6');
    }
    this.nodes = next;
  }

  allows(address: string): boolean {
    const a = unmap(address);
    const family = isIPv4(a) ? 'ipv4' : isIPv6(a) ? 'ipv6' : undefined;
    if (!family) return false;
    return this.static.check(a, family) || this.nodes.check(a, family);
  }
}

/** Loopback only: the default of a server started without an ACL (tests, diagnostics). */
export const loopbackOnly = (): ClientAcl => new ClientAcl({ podCidrs: [] });
