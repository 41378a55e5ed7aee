/**
 * String formats of a CRD schema checked as kube-apiserver checks them: apiextensions validates custom
 * objects with kube-openapi's strfmt.Default registry, whose names are matched with dashes removed
 * (date-time is datetime), and a string that fails its format is `spec.ip in body must be of type ipv4:
 * "x"`. Formats the registry does not know are not checked. Checked here: the network ones (Go net
 * parsing: ipv4/ipv6 as net.ParseIP plus a '.'/':', cidr, mac), uuid/uuid3/uuid4/uuid5, hostname,
 * email, byte (standard base64), date (Go's 2006-01-02), datetime (strfmt.IsDateTime), hexcolor,
 * rgbcolor, bsonobjectid. Not checked (accepted): duration, uri, isbn*, creditcard, ssn, password.
 */
import { isIP } from 'node:net';

const HOSTNAME = /^([a-zA-Z0-9\p{S}\p{L}]((-?[a-zA-Z0-9\p{S}\p{L}]{0,62})?)|([a-zA-Z0-9\p{S}\p{L}](([a-zA-Z0-9\-\p{S}\p{L}]{0,61}[a-zA-Z0-9\p{S}\p{L}])?)(\.)){1,}([a-zA-Z0-9\p{S}\p{L}])(-?[a-zA-Z0-9\p{S}\p{L}]){1,62})$/u;
const DATE_TIME = /^([0-9]{2}):([0-9]{2}):([0-9]{2})(.[0-9]+)?(z|([+-][0-9]{2}:[0-9]{2}))$/;
const MAC = /^(?:[0-9a-fA-F]{2}(?:([:-])[0-9a-fA-F]{2})(?:\1[0-9a-fA-F]{2}){4}(?:(?:\1[0-9a-fA-F]{2}){2}|(?:\1[0-9a-fA-F]{2}){14})?|[0-9a-fA-F]{4}\.[0-9a-fA-F]{4}\.[0-9a-fA-F]{4}(?:\.[0-9a-fA-F]{4}(?:\.[0-9a-fA-F]{4}){3})?)$/;
const EMAIL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;

/** Go's net.ParseIP: no zone, no brackets. */
const parsesAsIP = (s: string): boolean => !s.includes('%') && isIP(s) !== 0;

/** Go's time.Parse("2006-01-02", s): four-digit year, a real month and day of that month. */
export function isDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, mo, 0)).getUTCDate();
}

/** strfmt.IsDateTime: a date, a 't' (any case), then hh:mm:ss[.frac] and z or an offset. */
function isDateTime(s: string): boolean {
  if (s.length < 4) return false;
  const parts = s.toLowerCase().split('t');
  if (parts.length < 2 || !isDate(parts[0]!)) return false;
  const m = DATE_TIME.exec(parts[1]!);
  return !!m && m[1]! <= '23' && m[2]! <= '59' && m[3]! <= '59';
}

function isCidr(s: string): boolean {
  const [addr, bits, ...rest] = s.split('/');
  if (rest.length > 0 || bits === undefined || !/^\d{1,3}$/.test(bits) || !parsesAsIP(addr!)) return false;
  return Number(bits) <= (addr!.includes(':') ? 128 : 32);
}

function isHostname(s: string): boolean {
  return HOSTNAME.test(s) && s.length <= 255 && s.split('.').every((p) => Buffer.byteLength(p) <= 63);
}

/** Go's mail.ParseAddress for the common shapes: addr-spec, or a display name with <addr-spec>. */
function isEmail(s: string): boolean {
  const angle = /^[^<>]*<([^<>]+)>$/.exec(s.trim());
  return EMAIL.test(angle ? angle[1]! : s.trim());
}

const uuid = (version: string): RegExp => new RegExp(`^[0-9a-f]{8}-?[0-9a-f]{4}-?${version}[0-9a-f]{3}-?${version === '[0-9a-f]' ? '[0-9a-f]' : '[89ab]'}[0-9a-f]{3}-?[0-9a-f]{12}$`, 'i');
const UUID3 = /^[0-9a-f]{8}-?[0-9a-f]{4}-?3[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

const CHECKS: Record<string, (s: string) => boolean> = {
  ipv4: (s) => parsesAsIP(s) && s.includes('.'),
  ipv6: (s) => parsesAsIP(s) && s.includes(':'),
  cidr: isCidr,
  mac: (s) => MAC.test(s),
  uuid: (s) => uuid('[0-9a-f]').test(s),
  uuid3: (s) => UUID3.test(s),
  uuid4: (s) => uuid('4').test(s),
  uuid5: (s) => uuid('5').test(s),
  hostname: isHostname,
  email: isEmail,
  byte: (s) => s.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(s),
  date: isDate,
  datetime: isDateTime,
  hexcolor: (s) => /^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/.test(s),
  rgbcolor: (s) => /^rgb\(\s*(0|[1-9]\d?|1\d\d?|2[0-4]\d|25[0-5])\s*,\s*(0|[1-9]\d?|1\d\d?|2[0-4]\d|25[0-5])\s*,\s*(0|[1-9]\d?|1\d\d?|2[0-4]\d|25[0-5])\s*\)$/.test(s),
  bsonobjectid: (s) => /^[0-9a-fA-F]{24}$/.test(s),
};

/** Whether `value` fails `format` (a format the registry does not know never fails). */
export function failsFormat(format: string, value: string): boolean {
  const check = CHECKS[format.replaceAll('-', '')];
  return !!check && !check(value);
}
