/**
 * nodes/proxy: kube-apiserver's node ProxyREST (pkg/registry/core/node/rest/proxy.go). A request to
 * /api/v1/nodes/NAME/proxy/PATH?QUERY is passed to the node agent's https://ADDRESS:PORT/PATH?QUERY
 * with the API server's kubelet-client credential, and the agent's answer (status, headers, body) is
 * passed back as it is, as upstream's UpgradeAwareHandler does; this is how `kubectl get --raw
 * /api/v1/nodes/N/proxy/metrics` and Prometheus' kubernetes_sd node role reach a kubelet. Who may
 * is decided before this handler runs: RBAC on `nodes/proxy` with the request's verb (get, create,
 * update, patch, delete). The caller's own credentials (Authorization, impersonation headers) are not
 * passed on: kube-apiserver's authentication filter removes them. Links in HTML answers and
 * redirects go through the proxy (link-rewriting.ts). Upgrade requests are spliced through to the
 * agent (proxy-upgrade.ts). Ports other than the agent's are not served.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { errors } from '../../api/status.js';
import type { StreamingHandler, StreamingRequest } from '../http/streaming.js';
import type { Readable } from 'node:stream';
import type { AgentClient } from './agent-client.js';
import { forwardedUri, isHtml, linkRewrite, rewriteEncodedHtml, rewriteURL, type LinkRewrite } from './link-rewriting.js';
import { admittedPath, proxyOptions } from './proxy-options.js';
import { answerUpgrade } from '../../api/proxy/upgrade-answer.js';
import { upgradeHeaders } from './proxy-upgrade.js';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** Headers not passed either way: hop-by-hop (RFC 9110 7.6.1), the target's host, the caller's credentials. */
const DROPPED = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host', 'authorization', 'proxy-authorization']);
const dropped = (name: string): boolean => DROPPED.has(name) || name.startsWith('impersonate-');

export function forwardedHeaders(req: IncomingMessage): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !dropped(k)) out[k] = v;
  return out;
}

/**
 * The agent path for a node proxy request: the segments after /proxy, each encoded again (the path
 * parser decoded them), a trailing slash kept (upstream's proxy.go joins with
 * JoinPreserveTrailingSlash: the kubelet's /logs/ lists a directory only with it), and the query as sent.
 */
export function nodeProxyPath(rest: string[], query: URLSearchParams, trailingSlash = false): string {
  const q = query.toString();
  const path = rest.map(encodeURIComponent).join('/');
  return `/${path}${trailingSlash && path ? '/' : ''}${q ? `?${q}` : ''}`;
}

/**
 * The node named by a proxy id `[scheme:]NAME[:PORT]` (upstream's SplitSchemeNamePort). Upstream
 * proxies to other ports of the node as well; Bosun only to the agent's own endpoint, so a scheme
 * other than https or a port other than the agent's is a 400.
 */
async function proxiedNode(agents: AgentClient, id: string): Promise<string> {
  const parts = id.split(':');
  const [scheme, name, port] = parts.length === 3 ? parts : parts.length === 2 ? ['', ...parts] : ['', id, ''];
  if ((scheme && scheme !== 'https') || !name) throw errors.badRequest(`nodes/proxy: invalid node id "${id}"`);
  if (port && String((await agents.endpoint(name)).port) !== port) {
    throw errors.badRequest(`nodes/proxy: only the node agent's own endpoint is proxied, not port ${port}`);
  }
  return name;
}

/** The agent path of a nodes/proxy request: the admitted options' path (proxy-options.ts) or the request's, with its query. */
function agentPath(req: IncomingMessage, r: StreamingRequest): string {
  const trailingSlash = new URL(req.url ?? '/', 'https://apiserver.invalid').pathname.endsWith('/');
  const admitted = admittedPath(r);
  const q = r.query.toString();
  return admitted === undefined ? nodeProxyPath(r.rest, r.query, trailingSlash) : `${admitted || '/'}${q ? `?${q}` : ''}`;
}

export function nodeProxyHandler(agents: AgentClient): StreamingHandler {
  return {
    resource: 'nodes',
    subresource: 'proxy',
    async handle(req: IncomingMessage, res: ServerResponse, r) {
      const method = req.method ?? 'GET';
      if (!METHODS.has(method)) throw errors.methodNotAllowed(`${method} is not supported on nodes/proxy`);
      const nodeName = await proxiedNode(agents, r.name);
      const path = agentPath(req, r);
      const pathname = new URL(req.url ?? '/', 'https://apiserver.invalid').pathname;
      const at = pathname.indexOf('/proxy', pathname.indexOf(`/nodes/`));
      const ep = await agents.endpoint(nodeName);
      const links = linkRewrite(req, at < 0 ? pathname : pathname.slice(0, at + '/proxy'.length), `${ep.host.includes(':') ? `[${ep.host}]` : ep.host}:${ep.port}`);
      const call = await agents.open(nodeName, method, path, { ...forwardedHeaders(req), ...forwardedUri(links, path.split('?', 1)[0]!) });
      req.pipe(call.request);
      await relayResponse(await call.response, res, links);
    },
    // As pods/proxy's (proxy-upgrade.ts), over the agent's connection: its 101 spliced, its refusal passed back.
    async upgrade(req, socket, head, r) {
      const nodeName = await proxiedNode(agents, r.name);
      await answerUpgrade(socket, head, await agents.upgrade(nodeName, req.method ?? 'GET', agentPath(req, r), upgradeHeaders(req)));
    },
    connectOptions: proxyOptions('NodeProxyOptions'),
  };
}

/**
 * Passes a proxied answer back (status, headers but the hop-by-hop ones, body), until either side
 * ends; with `links`, a redirect's Location and an HTML body's links go through the proxy
 * (link-rewriting.ts, as upstream's proxy transport), the rewritten body without Content-Length.
 */
export async function relayResponse(upstream: IncomingMessage, res: ServerResponse, links?: LinkRewrite): Promise<void> {
  const headers: OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(upstream.headers)) if (v !== undefined && !dropped(k)) headers[k] = v;
  let body: Readable = upstream;
  if (links && typeof headers.location === 'string') headers.location = rewriteURL(headers.location, links);
  else if (links && isHtml(upstream.headers['content-type'])) {
    const rewritten = rewriteEncodedHtml(upstream, upstream.headers['content-encoding'] ?? '', links);
    if (rewritten) {
      body = rewritten;
      delete headers['content-length'];
    }
  }
  res.writeHead(upstream.statusCode ?? 502, headers);
  await new Promise<void>((resolve) => {
    body.pipe(res);
    body.once('error', () => {
      res.destroy();
      resolve();
    });
    // A rewritten body is still being written when the target's answer closes.
    if (body === upstream) upstream.once('close', resolve);
    else res.once('finish', resolve);
    upstream.once('error', () => {
      res.destroy();
      resolve();
    });
    res.once('close', () => {
      upstream.destroy();
      resolve();
    });
  });
}
