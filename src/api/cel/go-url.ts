/**
 * Go's net/url parsing, the parts Kubernetes' CEL url library relies on: url.ParseRequestURI (what
 * `isURL` and `url()` accept: an absolute URI or an absolute path) and url.Parse's components, with
 * Go's error wording (`parse "https://a:b:c/": invalid port ":c" after host`).
 */

export interface GoURL {
  scheme: string;
  opaque: string;
  host: string;
  /** The path as written (still escaped). */
  rawPath: string;
  rawQuery: string;
  fragment: string;
}

const HEX = /^[0-9a-fA-F]{2}$/;

function fail(raw: string, why: string): never {
  throw new Error(`parse ${JSON.stringify(raw)}: ${why}`);
}

/** Decodes %XX escapes (and `+` in queries); throws on a malformed escape, as Go's unescape. */
function unescape(s: string, query: boolean): string {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '%') {
      const h = s.slice(i + 1, i + 3);
      if (!HEX.test(h)) throw new Error(`invalid URL escape ${JSON.stringify(s.slice(i, i + 3))}`);
      bytes.push(parseInt(h, 16));
      i += 2;
    } else if (c === '+' && query) {
      bytes.push(0x20);
    } else {
      bytes.push(...Buffer.from(c));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

const validPort = (p: string): boolean => p === '' || /^:[0-9]*$/.test(p);
/** Characters Go refuses in a host name (shouldEscape in encodeHost mode). */
const BAD_HOST = /[^A-Za-z0-9\-_.~!$&'()*+,;=:[\]<>"%]/;

function parseHost(raw: string, host: string): string {
  if (host.startsWith('[')) {
    const i = host.lastIndexOf(']');
    if (i < 0) fail(raw, "missing ']' in host");
    if (!validPort(host.slice(i + 1))) fail(raw, `invalid port ${JSON.stringify(host.slice(i + 1))} after host`);
  } else {
    const i = host.lastIndexOf(':');
    if (i >= 0 && !validPort(host.slice(i))) fail(raw, `invalid port ${JSON.stringify(host.slice(i))} after host`);
  }
  const bad = [...host].find((c) => c.charCodeAt(0) < 0x80 && BAD_HOST.test(c));
  if (bad) fail(raw, `invalid character ${JSON.stringify(bad)} in host name`);
  try {
    return unescape(host, false);
  } catch (err) {
    return fail(raw, (err as Error).message);
  }
}

/** Go's url.parse: `viaRequest` as ParseRequestURI (no fragment split, absolute only). */
export function parseGoURL(raw: string, viaRequest: boolean): GoURL {
  if (/[\x00-\x1f\x7f]/.test(raw)) fail(raw, 'net/url: invalid control character in URL');
  let rest = raw;
  let fragment = '';
  if (!viaRequest) {
    const h = rest.indexOf('#');
    if (h >= 0) {
      fragment = rest.slice(h + 1);
      rest = rest.slice(0, h);
    }
  }
  if (rest === '' && viaRequest) fail(raw, 'empty url');
  const u: GoURL = { scheme: '', opaque: '', host: '', rawPath: '', rawQuery: '', fragment };
  if (rest === '*') return { ...u, rawPath: '*' };
  const sm = /^([A-Za-z][A-Za-z0-9+\-.]*):/.exec(rest);
  if (sm) {
    u.scheme = sm[1]!.toLowerCase();
    rest = rest.slice(sm[0].length);
  } else if (rest.startsWith(':')) {
    fail(raw, 'missing protocol scheme');
  }
  const q = rest.indexOf('?');
  if (q >= 0) {
    u.rawQuery = rest.slice(q + 1);
    rest = rest.slice(0, q);
  }
  if (!rest.startsWith('/')) {
    if (u.scheme !== '') return { ...u, opaque: rest };
    if (viaRequest) fail(raw, 'invalid URI for request');
    const seg = rest.split('/')[0]!;
    if (seg.includes(':')) fail(raw, 'first path segment in URL cannot contain colon');
  }
  if ((u.scheme !== '' || (!viaRequest && !rest.startsWith('///'))) && rest.startsWith('//')) {
    const slash = rest.indexOf('/', 2);
    const authority = slash < 0 ? rest.slice(2) : rest.slice(2, slash);
    rest = slash < 0 ? '' : rest.slice(slash);
    const at = authority.lastIndexOf('@');
    if (at >= 0 && /[^A-Za-z0-9\-._~!$&'()*+,;=:%@]/.test(authority.slice(0, at))) fail(raw, 'net/url: invalid userinfo');
    u.host = parseHost(raw, at < 0 ? authority : authority.slice(at + 1));
  }
  try {
    unescape(rest, false);
  } catch (err) {
    fail(raw, (err as Error).message);
  }
  u.rawPath = rest;
  return u;
}

/** Go's shouldEscape(c, encodePath): what EscapedPath percent-encodes. */
const PATH_KEEP = /[A-Za-z0-9\-_.~$&+,/:;=@]/;
/** Go's validEncoded(s, encodePath): a written path that EscapedPath returns as is. */
const PATH_VALID = /^[A-Za-z0-9\-_.~$&+,/:;=@!'()*[\]%]*$/;

export function escapedPath(u: GoURL): string {
  if (u.rawPath === '*') return '*';
  if (PATH_VALID.test(u.rawPath)) return u.rawPath;
  let out = '';
  for (const b of Buffer.from(unescape(u.rawPath, false))) {
    const c = String.fromCharCode(b);
    out += b < 0x80 && PATH_KEEP.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Go's splitHostPort as Hostname() and Port() use it. */
export function splitHostPort(host: string): [string, string] {
  let h = host;
  let port = '';
  const colon = h.lastIndexOf(':');
  if (colon >= 0 && validPort(h.slice(colon))) {
    port = h.slice(colon + 1);
    h = h.slice(0, colon);
  }
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  return [h, port];
}

/** Go's url.ParseQuery, skipping what it cannot parse as u.Query() does. */
export function parseQuery(raw: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const part of raw.split('&')) {
    if (part === '' || part.includes(';')) continue;
    const eq = part.indexOf('=');
    try {
      const k = unescape(eq < 0 ? part : part.slice(0, eq), true);
      const v = eq < 0 ? '' : unescape(part.slice(eq + 1), true);
      if (k === '__proto__') continue;
      (out[k] ??= []).push(v);
    } catch {
      // Go drops a pair with a bad escape
    }
  }
  return out;
}
