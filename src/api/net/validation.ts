/**
 * Field validation of addresses, as apimachinery's util/validation (1.32) words it: IsValidIP,
 * IsValidIPv4Address, IsValidIPv6Address and core validation's ValidateCIDR users.
 */
import { fe } from '../schema/errors.js';
import type { FieldError } from '../status.js';
import { parseCIDR } from './cidr.js';
import { parseIP } from './ip.js';

export const INVALID_IP = 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)';
export const INVALID_CIDR = 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)';

/** IsValidIP. */
export function validateIP(path: string, value: unknown): FieldError[] {
  return parseIP(value) ? [] : [fe.invalid(path, value, INVALID_IP)];
}

/** IsValidIPv4Address. */
export function validateIPv4(path: string, value: unknown): FieldError[] {
  return parseIP(value)?.family === 4 ? [] : [fe.invalid(path, value, 'must be a valid IPv4 address')];
}

/** IsValidIPv6Address. */
export function validateIPv6(path: string, value: unknown): FieldError[] {
  return parseIP(value)?.family === 6 ? [] : [fe.invalid(path, value, 'must be a valid IPv6 address')];
}

/** ValidateCIDR's callers (Service loadBalancerSourceRanges, ...). */
export function validateCIDR(path: string, value: unknown, detail = INVALID_CIDR): FieldError[] {
  return parseCIDR(value) ? [] : [fe.invalid(path, value, detail)];
}

/** IsValidPortNum: 1..65535. */
export function isValidPort(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 65535;
}

export const PORT_RANGE = 'must be between 1 and 65535, inclusive';

/** A list holds at most one address per family (netutils.IsDualStack*Strings and a length check). */
export function isDualStackOrSingle(families: readonly (4 | 6 | undefined)[]): boolean {
  if (families.length <= 1) return true;
  return families.length === 2 && families[0] !== undefined && families[1] !== undefined && families[0] !== families[1];
}

/** ValidateNonSpecialIP: addresses that would capture the node's own traffic. */
export function validateNonSpecialIP(path: string, value: string): FieldError[] {
  const ip = parseIP(value);
  if (!ip) return [];
  const v = ip.value;
  const bad = (msg: string) => [fe.invalid(path, value, msg)];
  if (v === 0n) return bad(ip.family === 4 ? 'may not be unspecified (0.0.0.0)' : 'may not be unspecified (::)');
  if ((ip.family === 4 && v >> 24n === 127n) || (ip.family === 6 && v === 1n)) return bad('may not be in the loopback range (127.0.0.0/8, ::1/128)');
  if ((ip.family === 4 && v >> 16n === 0xa9fen) || (ip.family === 6 && v >> 118n === 0x3fan)) return bad('may not be in the link-local range (169.254.0.0/16, fe80::/10)');
  if ((ip.family === 4 && v >> 8n === 0xe00000n) || (ip.family === 6 && v >> 112n === 0xff02n)) return bad('may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)');
  return [];
}
