/**
 * pods/proxy and the connection both it and services/proxy make: kube-apiserver's pod ProxyREST
 * (pkg/registry/core/pod/rest/subresources.go with ResourceLocation in pkg/registry/core/pod/strategy.go).
 * /api/v1/namespaces/NS/pods/[SCHEME:]NAME[:PORT]/proxy/PATH?QUERY is sent by the API server itself
 * to SCHEME://PODIP:PORT/PATH?QUERY (the port defaults to the first declared container port, the scheme
 * to http; https is not verified, as upstream's proxy transport) and the answer passed back as it is.
 * Who may is decided before: RBAC on `pods/proxy` (services: `services/proxy`) with the request's verb.
 * The caller's credentials are not passed on. Links in HTML answers and redirects go through the proxy
 * (link-rewriting.ts). Upgrade requests (a WebSocket to the pod) are spliced through (proxy-upgrade.ts).
 * Admitted as a CONNECT with PodProxyOptions (proxy-options.ts).
 */
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { errors } from '../../api/status.js';
import type { StreamingHandler, StreamingRequest } from '../http/streaming.js';
import { forwardedHeaders, relayResponse } from './node-proxy.js';
import { forwardedUri, linkRewrite } from './link-rewriting.js';
import { ctxOf } from './pod-target.js';
import { admittedPath, proxiedPath, proxyOptions } from './proxy-options.js';
import { proxyUpgradeTo, targetAuthority, targetUrl } from './proxy-upgrade.js';

export const PROXY_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** Upstream's SplitSchemeNamePort: `name`, `name:port` or `scheme:name:port`, the scheme http, https or none. */
export function splitSchemeNamePort(id: string): { scheme: string; name: string; port: string } | undefined {
  const parts = id.split(':');
  const [scheme, name, port] = parts.length === 3 ? parts : parts.length === 2 ? ['', ...parts] : parts.length === 1 ? ['', id, ''] : [];
  if (!name || !['', 'http', 'https'].includes(scheme!)) return undefined;
  return { scheme: scheme!, name, port: port! };
}

/** IPv4 or IPv6 global unicast (Go's IP.IsGlobalUnicast): what upstream lets the API server dial. */
export function globalUnicast(ip: string | undefined): boolean {
  if (!ip) return false;
  if (isIP(ip) === 4) {
    const [a, b] = ip.split('.').map(Number) as [number, number];
    return !(ip === '0.0.0.0' || a === 127 || a >= 224 || (a === 169 && b === 254) || ip === '255.255.255.255');
  }
  if (isIP(ip) === 6) {
    const l = ip.toLowerCase();
    return !(l === '::' || l === '::1' || l.startsWith('fe8') || l.startsWith('fe9') || l.startsWith('fea') || l.startsWith('feb') || l.startsWith('ff'));
  }
  return false;
}

export interface ProxyTarget {
  scheme: string;
  host: string;
  port: string;
}

/**
 * Sends the request on to `t` with the path after `/proxy` as the client wrote it (a trailing slash
 * kept); a GET or HEAD of an empty path is first redirected to `.../proxy/`, as upstream's
 * UpgradeAwareHandler does (other methods go to the target's root).
 * A target that cannot be reached (or whose port is not a number, targetUrl) is upstream's 503 "error
 * trying to reach service". `admitted`, the path a mutating webhook set in the proxy's options
 * (proxy-options.ts), replaces the request's.
 */
export async function proxyTo(req: IncomingMessage, res: ServerResponse, t: ProxyTarget, admitted?: string): Promise<void> {
  const method = req.method ?? 'GET';
  if (!PROXY_METHODS.has(method)) throw errors.methodNotAllowed(`${method} is not supported by the proxy`);
  const { pathname, prefix, sub, query } = proxiedPath(req, admitted);
  // proxyRedirectsforRootPath: only GET and HEAD of the bare root are redirected; other methods are
  // sent on to the target's root (Go's client writes an empty path as '/').
  const path = sub || '/';
  if (!sub && (method === 'GET' || method === 'HEAD')) {
    res.writeHead(301, { Location: `${pathname}/${query}` });
    res.end();
    return;
  }
  const request = t.scheme === 'https' ? httpsRequest : httpRequest;
  const sourceHost = targetAuthority(t);
  const links = linkRewrite(req, prefix, sourceHost);
  const unreachable = (e: Error) => errors.unavailable(`error trying to reach service: ${e.message}`);
  const upstream = await new Promise<IncomingMessage>((resolve, reject) => {
    let url: string;
    try {
      url = targetUrl(t, `${path}${query}`);
    } catch (e) {
      return reject(unreachable(e as Error));
    }
    const out = request(url, { method, headers: { ...forwardedHeaders(req), ...forwardedUri(links, path) }, rejectUnauthorized: false });
    out.once('response', resolve);
    out.once('error', (e) => reject(unreachable(e)));
    req.pipe(out);
  });
  await relayResponse(upstream, res, links);
}

interface PodLike {
  spec?: { containers?: { ports?: { containerPort?: number }[] }[] };
  status?: { podIP?: string };
}

/** The pod's address and port (the named one, else its first declared container port) for `r`'s `[scheme:]NAME[:PORT]`. */
async function podProxyTarget(r: StreamingRequest): Promise<ProxyTarget> {
  const id = splitSchemeNamePort(r.name);
  if (!id) throw errors.badRequest(`invalid pod request "${r.name}"`);
  const pod = (await r.storage.get(ctxOf(r), r.namespace ?? 'default', id.name)) as PodLike;
  const port = id.port || String(pod.spec?.containers?.find((c) => c.ports?.length)?.ports?.[0]?.containerPort ?? '');
  const ip = pod.status?.podIP;
  if (!globalUnicast(ip)) throw errors.badRequest('address not allowed');
  return { scheme: id.scheme, host: ip!, port };
}

export function podProxyHandler(): StreamingHandler {
  return {
    resource: 'pods',
    subresource: 'proxy',
    handle: async (req, res, r) => proxyTo(req, res, await podProxyTarget(r), admittedPath(r)),
    upgrade: async (req, socket, head, r) => proxyUpgradeTo(req, socket, head, await podProxyTarget(r), admittedPath(r)),
    connectOptions: proxyOptions('PodProxyOptions'),
  };
}
