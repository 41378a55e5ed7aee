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
