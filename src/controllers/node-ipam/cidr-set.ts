/**
 * A set of equal-sized IPv4 subnets carved from a cluster CIDR (upstream pkg/controller/nodeipam's
 * cidrset): 10.42.0.0/16 with mask 24 holds 256 /24s. Allocation takes the lowest free subnet, so
 * nodes get 10.42.0.0/24, 10.42.1.0/24, ... in order and a released subnet is reused first.
 */
import { parseCIDR } from '../../api/net/cidr.js';
import { formatIPv4 } from '../../api/net/ip.js';

/**
 * Parses `a.b.c.d/len` whose address is the network address (what the set hands out and recognises);
 * undefined otherwise, IPv6 included.
 */
export function parseCidr(cidr: string): { base: number; bits: number } | undefined {
  const c = parseCIDR(cidr);
  if (c?.family !== 4 || !c.isNetwork) return undefined;
  return { base: Number(c.first), bits: c.prefix };
}

export class CidrSet {
  private readonly base: number;
  private readonly subnetSize: number;
  readonly capacity: number;
  private readonly used = new Set<number>();

  constructor(readonly clusterCidr: string, readonly maskSize: number) {
    const c = parseCidr(clusterCidr);
    if (!c) throw new Error(`invalid cluster CIDR ${clusterCidr}`);
    if (maskSize < c.bits || maskSize > 30) throw new Error(`node mask size ${maskSize} does not fit in ${clusterCidr}`);
    if (maskSize - c.bits > 16) throw new Error(`node mask size ${maskSize} would carve more than 65536 subnets from ${clusterCidr}`);
    this.base = c.base;
    this.subnetSize = 2 ** (32 - maskSize);
    this.capacity = 2 ** (maskSize - c.bits);
  }

  /** The index of `cidr` in this set, or undefined when it is not one of its subnets. */
  indexOf(cidr: string): number | undefined {
    const c = parseCidr(cidr);
    if (!c || c.bits !== this.maskSize) return undefined;
    return this.containing(c);
  }

  /** Index of the subnet holding block `c` (of the set's size or smaller), if inside the cluster CIDR. */
  private containing(c: { base: number; bits: number }): number | undefined {
    if (c.bits < this.maskSize) return undefined;
    const i = Math.floor((c.base - this.base) / this.subnetSize);
    return i >= 0 && i < this.capacity ? i : undefined;
  }

  /**
   * Marks `cidr` used: one of the set's subnets, or a smaller block a Node claimed by hand (its whole
   * subnet is then taken, so the subnet is never handed to another node). False when it is outside
   * the cluster CIDR or larger than a subnet: such a claim is not honoured (nor routed by other nodes,
   * src/agent/routes/desired-routes.ts), so it must not exhaust the set either.
   */
  occupy(cidr: string): boolean {
    const c = parseCidr(cidr);
    const i = c && this.containing(c);
    if (i === undefined) return false;
    this.used.add(i);
    return true;
  }

  release(cidr: string): void {
    const c = parseCidr(cidr);
    const i = c && this.containing(c);
    if (i !== undefined) this.used.delete(i);
  }

  isUsed(cidr: string): boolean {
    const i = this.indexOf(cidr);
    return i !== undefined && this.used.has(i);
  }

  /** Takes the lowest free subnet; undefined when the set is full. */
  allocateNext(): string | undefined {
    for (let i = 0; i < this.capacity; i++) {
      if (this.used.has(i)) continue;
      this.used.add(i);
      return `${formatIPv4(this.base + i * this.subnetSize)}/${this.maskSize}`;
    }
    return undefined;
  }
}
