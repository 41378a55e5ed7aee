/**
 * The aggregator's proxy (handler_proxy.go): a request under /apis/<group>/<version> whose APIService
 * names a Service goes, after this server authenticated and authorized it, to an endpoint of that
 * Service (service-resolver.ts) with the user in X-Remote-* headers and the front proxy's client
 * certificate (remote-transport.ts); the answer, watches included, streams back as it comes. An
 * APIService not Available, or a Service with no endpoint, answers 503 "service unavailable" as
 * upstream's proxyError. Local APIServices (no service) fall through to this server's own handlers.
 * Upgrades (exec-like streams of an extension) go through upgrade-proxy.ts.
 */
import { request } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { APIService } from '../../api/kinds/apiregistration/api-service.js';
import type { UserInfo } from '../http/authn.js';
import { writeText } from '../http/respond.js';
import type { RequestContext } from '../storage/types.js';
import type { AvailabilityController } from './availability-controller.js';
import { HOP_BY_HOP, proxiedHeaders, type RemoteAgents } from './remote-transport.js';
import { resolveService, type ResolvedEndpoint, type ServiceStorages } from './service-resolver.js';

const CTX = (): RequestContext => ({ user: 'system:kube-aggregator', groups: ['system:masters'], dryRun: false, fieldValidation: 'Ignore', warnings: [] });

/** The group and version of a path this proxy could serve: /apis/<group>/<version>[/...]. */
export function aggregatedGroupVersion(pathname: string): { group: string; version: string } | undefined {
  const m = /^\/apis\/([^/]+)\/([^/]+)(\/|$)/.exec(pathname);
  return m ? { group: m[1]!, version: m[2]! } : undefined;
}

export interface ProxyDeps extends ServiceStorages {
  availability: AvailabilityController;
  agents: RemoteAgents;
}

/**
 * Proxies the request when a remote APIService serves its path (resolving true when done); false at
 * once, without a promise, when this server serves it: the check costs every request.
 */
export function proxyToApiService(deps: ProxyDeps, req: IncomingMessage, res: ServerResponse, url: URL, user: UserInfo): false | Promise<boolean> {
  const a = remoteApiService(deps, url);
  return a ? proxy(deps, a, req, res, url, user) : false;
}

/** The remote APIService (one naming a Service) that serves `url`'s path, if any. */
export function remoteApiService(deps: Pick<ProxyDeps, 'availability'>, url: URL): APIService | undefined {
  if (!url.pathname.startsWith('/apis/')) return undefined;
  const gv = aggregatedGroupVersion(url.pathname);
  const a = gv && deps.availability.lookup(gv.group, gv.version);
  return a?.spec?.service ? a : undefined;
}

/** Where to send a request for `a`: an endpoint of its Service, or undefined (503) when it is not Available or has none. */
export async function endpointOf(deps: ServiceStorages, a: APIService): Promise<ResolvedEndpoint | undefined> {
  if (!a.status?.conditions?.some((c) => c.type === 'Available' && c.status === 'True')) return undefined;
  try {
    return await resolveService(deps, CTX(), a.spec!.service!);
  } catch {
    return undefined;
  }
}

async function proxy(deps: ProxyDeps, a: APIService, req: IncomingMessage, res: ServerResponse, url: URL, user: UserInfo): Promise<boolean> {
  const ep = await endpointOf(deps, a);
  if (!ep) {
    writeText(res, 503, 'service unavailable\n');
    return true;
  }
  await new Promise<void>((resolve) => {
    const out = request({
      host: ep.host, port: ep.port, servername: ep.serverName, agent: deps.agents.agentFor(a.spec!),
      method: req.method, path: `${url.pathname}${url.search}`, headers: proxiedHeaders(req.headers, user),
    }, (upstream) => {
      // Answered meanwhile (the request's time limit): drop the late answer.
      if (res.headersSent || res.writableEnded) {
        upstream.destroy();
        resolve();
        return;
      }
      const headers: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(upstream.headers)) if (v !== undefined && !HOP_BY_HOP.test(k)) headers[k] = v;
      res.writeHead(upstream.statusCode ?? 502, headers);
      // Flush each chunk at once: a watch's events must not wait in a buffer.
      res.flushHeaders();
      upstream.pipe(res);
      upstream.once('end', resolve);
      upstream.once('error', () => { res.destroy(); resolve(); });
    });
    out.on('error', (err) => {
      if (!res.headersSent) writeText(res, 503, `error trying to reach service: ${err.message}\n`);
      else res.destroy();
      resolve();
    });
    // The client gone: stop the upstream request (ends a proxied watch).
    res.once('close', () => { if (!res.writableFinished) out.destroy(); resolve(); });
    req.pipe(out);
  });
  return true;
}
