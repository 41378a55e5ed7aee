/** The service range as the allocators see it: an IPv4 block with offsets (pure; parsing is src/api/net's). */
import { parseCIDR } from '../../api/net/cidr.js';
import { formatIPv4, parseIP } from '../../api/net/ip.js';

export interface Ipv4Cidr {
  /** Network address as an unsigned 32-bit number. */
  base: number;
  prefix: number;
  /** Number of addresses in the block (network and broadcast included). */
  size: number;
  text: string;
}

/** Parse `a.b.c.d/n`; throws on anything else (IPv6 service ranges are not supported yet). */
export function parseCidr(text: string): Ipv4Cidr {
  const c = parseCIDR(text);
  if (c?.family !== 4 || c.prefix < 8 || c.prefix > 30) {
    throw new Error(`invalid IPv4 service CIDR ${JSON.stringify(text)} (prefix must be /8 to /30)`);
  }
  return { base: Number(c.first), prefix: c.prefix, size: 2 ** (32 - c.prefix), text: c.text };
}

/**
 * Offset of `ip` inside the range's usable addresses (network and broadcast excluded, as upstream's
 * allocator does), or undefined when outside.
 */
export function offsetInCidr(cidr: Ipv4Cidr, ip: string): number | undefined {
  const p = parseIP(ip);
  if (p?.family !== 4) return undefined;
  const off = Number(p.value) - cidr.base;
  if (off < 1 || off >= cidr.size - 1) return undefined;
  return off;
}

/** The n-th address of the range (offset 1 is the first usable one). */
export function addressAt(cidr: Ipv4Cidr, offset: number): string {
  return formatIPv4((cidr.base + offset) >>> 0);
}
