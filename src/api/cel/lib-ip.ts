/**
 * Kubernetes' IP and CIDR libraries (k8s.io/apiserver/pkg/cel/library/ip.go, cidr.go): ip(), isIP,
 * ip.isCanonical, family, isUnspecified, isLoopback, isLinkLocalMulticast, isLinkLocalUnicast,
 * isGlobalUnicast; cidr(), isCIDR, containsIP, containsCIDR, ip, masked, prefixLength; string() of
 * both. Addresses are read as Go's netip.ParseAddr reads them (no leading zeros, no zone), and
 * IPv4-mapped IPv6 addresses are refused, as upstream's parseIPAddr does.
 */
import type { Environment } from '@marcbachmann/cel-js';
import { formatIPv4, formatIPv6, parseIP, type IPFamily } from '../net/index.js';

export class CelIP {
  constructor(readonly family: IPFamily, readonly value: bigint) {}
  toString(): string {
    return this.family === 4 ? formatIPv4(Number(this.value)) : formatIPv6(this.value);
  }
}

export class CelCIDR {
  constructor(readonly ip: CelIP, readonly bits: number) {}
  private get width(): number {
    return this.ip.family === 4 ? 32 : 128;
  }
  /** The network address: host bits cleared. */
  first(): bigint {
    const host = BigInt(this.width - this.bits);
    return (this.ip.value >> host) << host;
  }
  contains(v: bigint, family: IPFamily): boolean {
    return family === this.ip.family && v >> BigInt(this.width - this.bits) === this.first() >> BigInt(this.width - this.bits);
  }
  masked(): CelCIDR {
    return new CelCIDR(new CelIP(this.ip.family, this.first()), this.bits);
  }
  toString(): string {
    return `${this.ip.toString()}/${this.bits}`;
  }
}

/** upstream's parseIPAddr over netip.ParseAddr; throws its wording. */
function parseAddr(raw: string): CelIP {
  if (raw.includes('%')) {
    if (parseIP(raw.slice(0, raw.indexOf('%')))) throw new Error(`IP address ${JSON.stringify(raw)} with zone value is not allowed`);
  }
  const ip = /(^|[.:])0\d/.test(raw) && !raw.includes(':') ? undefined : parseIP(raw);
  if (!ip) throw new Error(`IP Address ${JSON.stringify(raw)} parse error during conversion from string: ParseAddr(${JSON.stringify(raw)}): unable to parse IP`);
  if (raw.includes(':') && ip.family === 4) throw new Error(`IPv4-mapped IPv6 address ${JSON.stringify(raw)} is not allowed`);
  return new CelIP(ip.family, ip.value);
}

function parsePrefix(raw: string): CelCIDR {
  const slash = raw.lastIndexOf('/');
  const bits = raw.slice(slash + 1);
  const fail = (why: string): never => {
    throw new Error(`network address parse error during conversion from string: network address parse error during conversion from string: netip.ParsePrefix(${JSON.stringify(raw)}): ${why}`);
  };
  if (slash < 0) fail('no \'/\'');
  if (raw.slice(0, slash).includes('%')) fail('IPv6 zones cannot be present in a prefix');
  let ip: CelIP;
  try {
    ip = parseAddr(raw.slice(0, slash));
  } catch (err) {
    if (/IPv4-mapped/.test((err as Error).message)) throw new Error(`network address parse error during conversion from string: IPv4-mapped IPv6 address ${JSON.stringify(raw)} is not allowed`);
    return fail(`ParseAddr(${JSON.stringify(raw.slice(0, slash))}): unable to parse IP`);
  }
  if (!/^(0|[1-9]\d{0,2})$/.test(bits) || Number(bits) > (ip.family === 4 ? 32 : 128)) fail(`bad bits after slash: ${JSON.stringify(bits)}`);
  return new CelCIDR(ip, Number(bits));
}

const succeeds = (f: () => unknown): boolean => {
  try {
    f();
    return true;
  } catch {
    return false;
  }
};

class IPNamespace {}

/** netip's classification of an address. */
function inV4(ip: CelIP, net: number, bits: number): boolean {
  return ip.family === 4 && Number(ip.value) >>> (32 - bits) === net >>> (32 - bits);
}
function inV6(ip: CelIP, net: bigint, bits: number): boolean {
  return ip.family === 6 && ip.value >> BigInt(128 - bits) === net >> BigInt(128 - bits);
}
const isUnspecified = (ip: CelIP): boolean => ip.value === 0n;
const isLoopback = (ip: CelIP): boolean => inV4(ip, 0x7f000000, 8) || (ip.family === 6 && ip.value === 1n);
const isLinkLocalMulticast = (ip: CelIP): boolean => inV4(ip, 0xe0000000, 24) || (ip.family === 6 && (ip.value >> 112n) & 0xff0fn) === 0xff02n;
const isLinkLocalUnicast = (ip: CelIP): boolean => inV4(ip, 0xa9fe0000, 16) || inV6(ip, 0xfe80n << 112n, 10);
const isMulticast = (ip: CelIP): boolean => inV4(ip, 0xe0000000, 4) || inV6(ip, 0xffn << 120n, 8);
const isGlobalUnicast = (ip: CelIP): boolean =>
  !(isUnspecified(ip) || isLoopback(ip) || isMulticast(ip) || isLinkLocalUnicast(ip) || (ip.family === 4 && ip.value === 0xffffffffn));

export function registerIPLibrary(env: Environment): void {
  const IP = 'net.IP';
  const CIDR = 'net.CIDR';
  env
    .registerType(IP, CelIP)
    .registerType(CIDR, CelCIDR)
    .registerType('IPNamespace', IPNamespace)
    .registerConstant('ip', 'IPNamespace', new IPNamespace())
    .registerFunction(`ip(string): ${IP}`, parseAddr)
    .registerFunction('isIP(string): bool', (s: string) => succeeds(() => parseAddr(s)))
    .registerFunction('IPNamespace.isCanonical(string): bool', (_ns: unknown, s: string) => parseAddr(s).toString() === s)
    .registerFunction(`${IP}.family(): int`, (ip: CelIP) => BigInt(ip.family))
    .registerFunction(`${IP}.isUnspecified(): bool`, isUnspecified)
    .registerFunction(`${IP}.isLoopback(): bool`, isLoopback)
    .registerFunction(`${IP}.isLinkLocalMulticast(): bool`, isLinkLocalMulticast)
    .registerFunction(`${IP}.isLinkLocalUnicast(): bool`, isLinkLocalUnicast)
    .registerFunction(`${IP}.isGlobalUnicast(): bool`, isGlobalUnicast)
    .registerFunction(`string(${IP}): string`, (ip: CelIP) => ip.toString())
    .registerOperator(`${IP} == ${IP}`, (a: CelIP, b: CelIP) => a.family === b.family && a.value === b.value)
    .registerFunction(`cidr(string): ${CIDR}`, parsePrefix)
    .registerFunction('isCIDR(string): bool', (s: string) => succeeds(() => parsePrefix(s)))
    .registerFunction(`${CIDR}.containsIP(${IP}): bool`, (c: CelCIDR, ip: CelIP) => c.contains(ip.value, ip.family))
    .registerFunction(`${CIDR}.containsIP(string): bool`, (c: CelCIDR, s: string) => {
      const ip = parseAddr(s);
      return c.contains(ip.value, ip.family);
    })
    .registerFunction(`${CIDR}.containsCIDR(${CIDR}): bool`, (c: CelCIDR, o: CelCIDR) => c.bits <= o.bits && c.contains(o.ip.value, o.ip.family))
    .registerFunction(`${CIDR}.containsCIDR(string): bool`, (c: CelCIDR, s: string) => {
      const o = parsePrefix(s);
      return c.bits <= o.bits && c.contains(o.ip.value, o.ip.family);
    })
    .registerFunction(`${CIDR}.ip(): ${IP}`, (c: CelCIDR) => c.ip)
    .registerFunction(`${CIDR}.masked(): ${CIDR}`, (c: CelCIDR) => c.masked())
    .registerFunction(`${CIDR}.prefixLength(): int`, (c: CelCIDR) => BigInt(c.bits))
    .registerFunction(`string(${CIDR}): string`, (c: CelCIDR) => c.toString())
    .registerOperator(`${CIDR} == ${CIDR}`, (a: CelCIDR, b: CelCIDR) => a.bits === b.bits && a.ip.family === b.ip.family && a.ip.value === b.ip.value);
}
