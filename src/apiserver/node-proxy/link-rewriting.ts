/**
 * The link rewriting of kube-apiserver's proxy transport (k8s.io/apimachinery/pkg/util/proxy
 * transport.go, which pods/proxy, services/proxy and nodes/proxy wrap their connection in through
 * UpgradeAwareHandler's defaultProxyTransport): an answer's `Location` header, and in a text/html
 * answer (identity, gzip or deflate encoded) the URL attributes of upstream's atomsToAttrs table,
 * are made to go through the proxy when they point at the proxied target or at the API server
 * itself: an absolute path `/x` becomes `<prefix>/x`, where the prefix is the request's path up to
 * `/proxy`. Links to other hosts and relative ones are left as they are, as upstream.
 * Unlike upstream's Go tokenizer, which writes every start tag anew, only a tag whose URL changed
 * is written anew (parse5's serialization); everything else passes byte for byte.
 */
import type { IncomingMessage } from 'node:http';
import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import { createDeflateRaw, createGunzip, createGzip, createInflateRaw } from 'node:zlib';
import { RewritingStream } from 'parse5-html-rewriting-stream';

/** Which attributes of which tags hold URLs (upstream's atomsToAttrs; CSS URLs in style elements are not rewritten there either). */
export const URL_ATTRIBUTES: ReadonlyMap<string, ReadonlySet<string>> = new Map(Object.entries({
  a: ['href'], applet: ['codebase'], area: ['href'], audio: ['src'], base: ['href'], blockquote: ['cite'],
  body: ['background'], button: ['formaction'], command: ['icon'], del: ['cite'], embed: ['src'], form: ['action'],
  frame: ['longdesc', 'src'], head: ['profile'], html: ['manifest'], iframe: ['longdesc', 'src'],
  img: ['longdesc', 'src', 'usemap'], input: ['src', 'usemap', 'formaction'], ins: ['cite'], link: ['href'],
  object: ['classid', 'codebase', 'data', 'usemap'], q: ['cite'], script: ['src'], source: ['src'], video: ['poster', 'src'],
}).map(([tag, attrs]) => [tag, new Set(attrs)]));

/**
 * Upstream's Transport fields: the scheme and host links are rewritten to (empty for the API
 * server's proxies: the request's URL has none) and the proxy prefix.
 */
export interface LinkRewrite {
  scheme: string;
  host: string;
  pathPrepend: string;
  /** The proxied target's host[:port] (the page's own host, upstream's sourceURL.Host). */
  sourceHost: string;
  /** The Host the client asked the API server for (upstream's req.Host). */
  requestHost: string;
}

/**
 * The rewriting of the API server's proxies (defaultProxyTransport): no scheme or host (a server's
 * request URL has none), the request's path up to `/proxy` as the prefix.
 */
export function linkRewrite(req: IncomingMessage, pathPrepend: string, sourceHost: string): LinkRewrite {
  return { scheme: '', host: '', pathPrepend, sourceHost, requestHost: req.headers.host ?? '' };
}

/** The X-Forwarded-Uri upstream's transport sends the target: the prefix joined with the target path, its trailing slash kept. */
export function forwardedUri(t: LinkRewrite, path: string): { 'x-forwarded-uri': string } {
  return { 'x-forwarded-uri': joinKeepingSlash(t.pathPrepend, path) };
}

/** Go's path.Join (cleaned, no trailing slash), the trailing slash of `path` added back. */
function joinKeepingSlash(prefix: string, path: string): string {
  const joined = posix.join(prefix, path).replace(/(.)\/$/, '$1');
  return path.endsWith('/') && !joined.endsWith('/') ? `${joined}/` : joined;
}

/** scheme:, //authority, path, ?query, #fragment (RFC 3986's regular expression). */
const URL_PARTS = /^(?:([a-zA-Z][a-zA-Z0-9+.-]*):)?(?:\/\/([^/?#]*))?([^?#]*)(\?[^#]*)?(#.*)?$/;

/** Upstream's rewriteURL: `target` through the proxy when it points at the target or the API server; else as it is. */
export function rewriteURL(target: string, t: LinkRewrite): string {
  const m = URL_PARTS.exec(target);
  if (!m) return target;
  let [, scheme = '', host = ''] = m;
  const [, , , path = '', query = '', fragment = ''] = m;
  const differentHost = host !== '' && host !== t.sourceHost && host !== t.requestHost;
  if (differentHost || !path.startsWith('/')) return target;
  // The scheme and host stay when the link names the API server and no other is configured.
  if (!(host === t.requestHost && t.scheme === '' && t.host === '')) {
    scheme = t.scheme;
    host = t.host;
  }
  // A path already under the prefix stays as it is.
  const joined = path.startsWith(t.pathPrepend) ? path : joinKeepingSlash(t.pathPrepend, path);
  // Go's URL.String: `//` whenever there is a scheme or a host (the path is never empty here).
  const authority = scheme || host ? `${scheme ? `${scheme}:` : ''}//${host}` : '';
  return `${authority}${joined}${query}${fragment}`;
}

/** True when upstream rewrites the body: text/html (parameters aside). */
export function isHtml(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';', 1)[0]!.trim() === 'text/html';
}

/** The HTML of `body` (UTF-8, as upstream assumes) with its URL attributes rewritten. */
export function rewriteHtml(body: Readable, t: LinkRewrite): Readable {
  const rewriter = new RewritingStream();
  rewriter.on('startTag', (tag, raw) => {
    const attrs = URL_ATTRIBUTES.get(tag.tagName);
    let changed = false;
    for (const a of attrs ? tag.attrs : []) {
      if (!attrs!.has(a.name)) continue;
      const v = rewriteURL(a.value, t);
      if (v !== a.value) { a.value = v; changed = true; }
    }
    if (changed) rewriter.emitStartTag(tag);
    else rewriter.emitRaw(raw);
  });
  body.setEncoding('utf8');
  body.on('error', (err) => rewriter.destroy(err));
  return body.pipe(rewriter);
}

/**
 * The body of an HTML answer with `encoding` (Content-Encoding) rewritten and encoded the same way;
 * undefined for an encoding upstream does not understand (the body then passes as it is).
 * Deflate is raw DEFLATE, as upstream's compress/flate.
 */
export function rewriteEncodedHtml(body: Readable, encoding: string, t: LinkRewrite): Readable | undefined {
  if (encoding === '') return rewriteHtml(body, t);
  const codec = encoding === 'gzip' ? [createGunzip(), createGzip()] as const : encoding === 'deflate' ? [createInflateRaw(), createDeflateRaw({ level: 9 })] as const : undefined;
  if (!codec) return undefined;
  const [decode, encode] = codec;
  body.on('error', (err) => decode.destroy(err));
  const html = rewriteHtml(body.pipe(decode), t);
  html.on('error', (err) => encode.destroy(err));
  return html.pipe(encode);
}
