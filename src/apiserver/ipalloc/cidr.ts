/** IPv4 CIDR arithmetic for the service range (pure). */
import { isIPv4 } from 'node:net';

export interface Ipv4Cidr {
  /** Network address as an unsigned 32-bit number. */
  base: number;
  prefix: number;
  /** Number of addresses in the block (network and broadcast included). */
  size: number;
  text: string;
}

export function ipToInt(ip: string): number {
  const parts = ip.split('.').map(Number);
  return (((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0);
}

export function intToIp(n: number): string {
  return [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** Parse `a.b.c.d/n`; throws on anything else (IPv6 service ranges are not supported yet). */
export function parseCidr(text: string): Ipv4Cidr {
  const [ip, bits] = text.split('/');
  const prefix = Number(bits);
  if (!ip || !isIPv4(ip) || !Number.isInteger(prefix) || prefix < 8 || prefix > 30) {
    throw new Error(`invalid IPv4 service CIDR ${JSON.stringify(text)} (prefix must be /8 to /30)`);
  }
  const size = 2 ** (32 - prefix);
  const base = (ipToInt(ip) & ~(size - 1)) >>> 0;
  return { base, prefix, size, text: `${intToIp(base)}/${prefix}` };
}

/**
 * Offset of `ip` inside the range's usable addresses (network and broadcast excluded, as upstream's
 * allocator does), or undefined when outside.
 */
export function offsetInCidr(cidr: Ipv4Cidr, ip: string): number | undefined {
  if (!isIPv4(ip)) return undefined;
  const n = ipToInt(ip);
  const off = n - cidr.base;
  if (off < 1 || off >= cidr.size - 1) return undefined;
  return off;
}

/** The n-th address of the range (offset 1 is the first usable one). */
export function addressAt(cidr: Ipv4Cidr, offset: number): string {
  return intToIp((cidr.base + offset) >>> 0);
}
