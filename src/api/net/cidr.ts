/**
 * CIDR blocks, parsed as Kubernetes 1.32's validation parses them (k8s.io/utils/net ParseCIDRSloppy,
 * behind ValidateCIDR): `address/prefix`, the address read as parseIP reads it, the prefix decimal and
 * at most 32 (IPv4) or 128 (IPv6). Host bits may be set (`10.0.0.1/8` is a valid CIDR, as in Go);
 * `isNetwork` tells whether they are clear, which is what routes and allocators need.
 */
import { formatIPv4, formatIPv6, parseIP, type IP, type IPFamily } from './ip.js';

export interface CIDR {
  family: IPFamily;
  prefix: number;
  /** The address as written (canonical text). */
  ip: IP;
  /** First and last address of the block. */
  first: bigint;
  last: bigint;
  /** Canonical text of the network address. */
  network: string;
  /** `network/prefix`. */
  text: string;
  /** The written address is the network address (no host bits set). */
  isNetwork: boolean;
}

const PREFIX = /^\d{1,3}$/;

/** ParseCIDRSloppy; undefined when `text` is not a CIDR. */
export function parseCIDR(text: unknown): CIDR | undefined {
  if (typeof text !== 'string') return undefined;
  const slash = text.indexOf('/');
  if (slash < 0 || slash !== text.lastIndexOf('/')) return undefined;
  const addr = text.slice(0, slash);
  const bits = text.slice(slash + 1);
  if (!PREFIX.test(bits)) return undefined;
  const ip = parseIP(addr);
  if (!ip) return undefined;
  // The family is the text's: `::ffff:1.2.3.0/120` is an IPv6 block even though its address is IPv4.
  const family: IPFamily = addr.includes(':') ? 6 : 4;
  const width = family === 4 ? 32 : 128;
  const prefix = Number(bits);
  if (prefix > width) return undefined;
  const value = family === 6 && ip.family === 4 ? ip.value | (0xffffn << 32n) : ip.value;
  const hostBits = BigInt(width - prefix);
  const first = (value >> hostBits) << hostBits;
  const last = first | ((1n << hostBits) - 1n);
  const network = family === 4 ? formatIPv4(Number(first)) : formatIPv6(first);
  return { family, prefix, ip, first, last, network, text: `${network}/${prefix}`, isNetwork: first === value };
}

/** `inner` (a block or an address) lies wholly inside `outer`; different families never do. */
export function cidrContains(outer: CIDR, inner: CIDR | IP): boolean {
  if ('prefix' in inner) return inner.family === outer.family && inner.first >= outer.first && inner.last <= outer.last;
  return inner.family === outer.family && inner.value >= outer.first && inner.value <= outer.last;
}

/** The two blocks share at least one address. */
export function cidrsOverlap(a: CIDR, b: CIDR): boolean {
  return a.family === b.family && a.first <= b.last && b.first <= a.last;
}

/** The n-th address of an IPv4 block, as text (0 is the network address). */
export function ipv4At(c: CIDR, n: number): string {
  return formatIPv4(Number(c.first) + n);
}
