/**
 * pods/proxy, services/proxy and nodes/proxy are CONNECT subresources (upstream's ProxyREST), admitted
 * with PodProxyOptions, ServiceProxyOptions or NodeProxyOptions, whose one field is the path after
 * /proxy (ConnectResource's getRequestOptions with subpath key "path"). ProxyREST.Connect joins the
 * admitted options' path to the target's location, so a mutating webhook's path is what the pod,
 * Service endpoint or node is asked for.
 */
import type { IncomingMessage } from 'node:http';
import { errors } from '../../api/status.js';
import type { ConnectOptions, StreamingRequest } from '../http/streaming.js';

/**
 * A proxy's options as admission sees them: the path segments after /proxy joined under a leading
 * slash, the request's trailing slash kept, omitted when empty (as v1 encodes PodProxyOptions).
 */
export function proxyOptions(kind: 'PodProxyOptions' | 'ServiceProxyOptions' | 'NodeProxyOptions') {
  return (r: StreamingRequest, req: IncomingMessage): ConnectOptions => {
    const trailing = new URL(req.url ?? '/', 'http://apiserver.invalid').pathname.endsWith('/');
    const joined = r.rest.length ? `/${r.rest.join('/')}` : '';
    const path = trailing && !joined.endsWith('/') ? `${joined}/` : joined;
    return { kind, apiVersion: 'v1', ...(path ? { path } : {}) };
  };
}

/**
 * The path a mutating webhook gave the proxy's options, percent-encoded for the target's URL as Go's
 * URL.EscapedPath would ('?' and '#' stay in the path), with a leading slash; undefined when no
 * webhook changed the options (the request's own path is sent as written). '' for an empty path.
 */
export function admittedPath(r: StreamingRequest): string | undefined {
  if (!r.options) return undefined;
  const p = r.options.path ?? '';
  if (typeof p !== 'string') throw errors.internal(`${r.options.kind}: field path cannot be decoded`);
  if (p === '') return '';
  return encodeURI(p.startsWith('/') ? p : `/${p}`).replace(/[?#]/g, encodeURIComponent);
}

/**
 * The path after /proxy the target is asked for: `admitted` (admittedPath) when a webhook set one,
 * else the request's as the client wrote it (a trailing slash kept; '' for the bare proxy root), with
 * the request's query ('' or '?...'), its path (`pathname`) and that path up to /proxy (`prefix`).
 */
export function proxiedPath(req: IncomingMessage, admitted?: string): { pathname: string; prefix: string; sub: string; query: string } {
  const raw = req.url ?? '/';
  const q = raw.indexOf('?');
  const pathname = q < 0 ? raw : raw.slice(0, q);
  const at = /\/proxy(\/.*)?$/.exec(pathname);
  const prefix = at ? pathname.slice(0, at.index + '/proxy'.length) : pathname;
  return { pathname, prefix, sub: admitted ?? at?.[1] ?? '', query: q < 0 ? '' : raw.slice(q) };
}
