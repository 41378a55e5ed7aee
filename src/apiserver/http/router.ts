/**
 * The API server's request entry point, in upstream's filter order (DefaultBuildHandlerChain):
 * authenticate (a failed credential is 401 here), audit, impersonate, APF or the max-in-flight pools,
 * authorize; bound the request's time (60 s unless it is a watch or a stream), dispatch to non-resource or resource handling, and turn every failure into a
 * Status. Upgrade requests (exec, attach, port-forward) are routed to streaming handlers.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { errors, type Status } from '../../api/status.js';
import { refusalAnswer } from '../../api/proxy/upgrade-answer.js';
import { authenticate, type TokenAuthenticator, type UserInfo } from './authn.js';
import { BodyTooLargeError, MAX_BODY_BYTES } from './body.js';
import { authorizeAudited, type Auditor } from '../audit/auditor.js';
import { wantsImpersonation } from './impersonation.js';
import { InflightLimiter, type InflightLimits } from './inflight.js';
import type { ApfLimiter } from '../flowcontrol/apf-limiter.js';
import { digestOf } from '../flowcontrol/request-digest.js';
import { watchInitialized } from '../flowcontrol/watch-initialization.js';
import { WatchLimiter } from './watch-limits.js';
import { negotiatePlain } from './media.js';
import { handleNonResource, type NonResourceDeps } from './non-resource.js';
import { isWatchRequest } from './query.js';
import { parseResourcePath, type ResourcePath } from './request-info.js';
import { handleResource, type ResourceDeps } from './resource-handler.js';
import { admitConnect } from './streaming.js';
import { parsedRequest } from './parsed-request.js';
import { notFoundPath } from './verbs/not-found.js';
import { toStatus, warningValues, writeBody, writeError } from './respond.js';
import { isWebSocketWatch, MessageResponse, serveWebSocketWatch } from './websocket-watch.js';

export interface RouterOptions extends ResourceDeps, NonResourceDeps {
  tokens?: TokenAuthenticator;
  /**
   * --anonymous-auth (default true): a request without credentials is system:anonymous and RBAC
   * decides; false: it is 401, as every request whose credentials fail (authn.ts).
   */
  anonymous?: boolean;
  /** Limit for requests that are neither watches nor streams (default 60 s, as kube-apiserver). */
  requestTimeoutMs?: number;
  /** Authorizes resource requests after authentication (throws a Forbidden Status; may resolve with `{ reason }` for the audit log); default: allow. */
  authorize?: (user: UserInfo, method: string, p: ResourcePath, query: URLSearchParams) => Promise<unknown>;
  /** Authorizes non-resource requests (verb: the lower-cased method, as upstream's RequestInfo); default: allow. */
  /** The user a request with Impersonate-* headers acts as (impersonation.ts); throws 400/403. Absent: headers ignored. */
  impersonate?: (req: IncomingMessage, user: UserInfo) => Promise<UserInfo>;
  authorizeNonResource?: (user: UserInfo, verb: string, path: string) => void;
  /** Extra non-resource handlers tried first (e.g. node join); return true when handled. */
  extraHandlers?: ((req: IncomingMessage, res: ServerResponse, url: URL, user: UserInfo | undefined) => Promise<boolean> | boolean)[];
  /** Requests in flight (default 400 read-only, 200 mutating, as kube-apiserver); watches and streams are not counted. */
  inflight?: InflightLimiter | InflightLimits;
  /** API Priority and Fairness (flowcontrol/apf-limiter.ts): classifies, then limits or queues, each request; in place of the in-flight pools unless `inflight.priorityAndFairness` is false. */
  apf?: ApfLimiter;
  /** Watches one user may keep open (default 1000; 0: unlimited); system components are exempt. */
  watchesPerClient?: WatchLimiter | number;
  /** The audit log (--audit-policy-file); absent: no auditing, no cost. */
  audit?: Auditor;
  /** The aggregator's proxy (src/apiserver/aggregator): called after authorization; true when it served the request. */
  aggregate?: (req: IncomingMessage, res: ServerResponse, url: URL, user: UserInfo) => false | Promise<boolean>;
  /** The same for upgrade requests (exec-like streams and WebSocket watches of a remote APIService's resources). */
  aggregateUpgrade?: (req: IncomingMessage, socket: Duplex, head: Buffer, url: URL, user: UserInfo) => false | Promise<boolean>;
  /** Reports unexpected (non-Status) errors; the client only sees a generic 500. */
  onInternalError?: (err: unknown, req: IncomingMessage) => void;
}

const streamingSubresources = new Set(['log', 'exec', 'attach', 'portforward', 'proxy']);

function isLongRunning(p: ResourcePath | undefined, method: string, q: URLSearchParams): boolean {
  if (!p) return false;
  if ((method === 'GET' || method === 'HEAD') && isWatchRequest(p, q)) return true;
  return p.subresource !== undefined && streamingSubresources.has(p.subresource);
}

/** Builds the `request` listener. */
export function createRequestHandler(opts: RouterOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const timeoutMs = opts.requestTimeoutMs ?? 60_000;
  const inflight = opts.inflight instanceof InflightLimiter ? opts.inflight : new InflightLimiter(opts.inflight);
  // One filter or the other, as kube-apiserver's --enable-priority-and-fairness.
  const apf = inflight.priorityAndFairness ? opts.apf : undefined;
  const watchLimit = opts.watchesPerClient instanceof WatchLimiter ? opts.watchesPerClient : new WatchLimiter(opts.watchesPerClient);
  return (req, res) => {
    void serve(req, res).catch((err) => fail(req, res, err));
  };

  function fail(req: IncomingMessage, res: ServerResponse, err: unknown): void {
    const enc = negotiatePlain(req.headers.accept);
    if (err instanceof BodyTooLargeError) {
      // Answer at once and close the connection; whatever the client still sends is discarded
      // unread (not buffered), and a client that keeps sending is cut off after a grace period.
      // The message is upstream's (handlers/rest.go limitedReadBody).
      res.setHeader('Connection', 'close');
      writeError(res, errors.tooLarge(`Request entity too large: limit is ${MAX_BODY_BYTES}`), enc);
      req.resume();
      setTimeout(() => req.socket.destroy(), 5000).unref();
      return;
    }
    const status: Status = toStatus(err);
    if (status.code === 500 && !(err as { status?: unknown })?.status) opts.onInternalError?.(err, req);
    if (res.headersSent) {
      if (!res.writableEnded) res.destroy();
      return;
    }
    writeBody(res, status.code || 500, status, enc);
  }

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { url, p } = parsedRequest(req);
    const method = req.method ?? 'GET';
    const authenticated: UserInfo | undefined = await authenticate(req, opts.tokens, opts.anonymous);
    const audit = opts.audit?.begin(req, res, authenticated, url, p, isLongRunning(p, method, url.searchParams));
    if (!authenticated) {
      // Extra handlers (node join, /cacerts, the console's page) answer requests without a user, as
      // k3s's own handlers in front of the apiserver; anything else is the failed handler's 401.
      // Before APF and the max-in-flight pools, as upstream's DefaultBuildHandlerChain (WithAuthentication
      // wraps them): a bad credential takes no seat, waits in no queue and counts in no APF metric.
      for (const h of opts.extraHandlers ?? []) if (await h(req, res, url, undefined)) return;
      throw errors.unauthorized();
    }
    // Impersonation after audit and before limits and authorization, as upstream's filter chain.
    const user = opts.impersonate && wantsImpersonation(req) ? await opts.impersonate(req, authenticated) : authenticated;
    if (audit && user !== authenticated) audit.impersonated(user);
    // After authentication, before authorization and before the body is read (as upstream's filter chain).
    // Watches go through APF too, holding their seats until initialized; other long-running requests do not (as upstream).
    const watch = !!p && (method === 'GET' || method === 'HEAD') && isWatchRequest(p, url.searchParams);
    if (!isLongRunning(p, method, url.searchParams)) {
      const queued = apf ? apf.admit(res, digestOf(req, user, url, p, false)) : inflight.admit(req, res, user);
      if (queued) await queued;
    } else if (watch) {
      const queued = apf?.admit(res, digestOf(req, user, url, p, true));
      if (queued) await queued;
      watchLimit.admit(res, user);
    }
    for (const h of opts.extraHandlers ?? []) if (await h(req, res, url, user)) return;
    if (p && opts.authorize) await authorizeAudited(audit, () => opts.authorize!(user, method, p, url.searchParams));
    if (!p && opts.authorizeNonResource) await authorizeAudited(audit, async () => opts.authorizeNonResource!(user, method.toLowerCase(), url.pathname));

    const abort = new AbortController();
    // Only a client gone before the answer is complete aborts the work (an abort also costs a
    // DOMException with its stack, too much to pay on every request).
    res.once('close', () => {
      if (!res.writableFinished) abort.abort();
    });
    if (!isLongRunning(p, method, url.searchParams)) {
      const timer = setTimeout(() => {
        abort.abort();
        fail(req, res, errors.timeout('request did not complete within the allowed duration'));
      }, timeoutMs);
      res.once('close', () => clearTimeout(timer));
      res.once('finish', () => clearTimeout(timer));
    }
    // A remote APIService's group/version goes to its server once this one has authorized it
    // (kube-aggregator), under the same time limit as the rest.
    const aggregated = opts.aggregate?.(req, res, url, user);
    // A proxied watch frees its APF seats at once: the other server does the work (upstream's #105511).
    if (aggregated) watchInitialized(res);
    if (aggregated && await aggregated) return;

    if (!p) {
      if (method !== 'GET' && method !== 'HEAD') {
        if (handleableNonResource(url.pathname)) throw errors.methodNotAllowed(`${method} is not supported on ${url.pathname}`);
        throw notFoundPath();
      }
      if (!handleNonResource(req, res, url.pathname, opts)) throw notFoundPath();
      return;
    }
    await handleResource(req, res, url, p, user, opts, abort.signal);
  }
}

function handleableNonResource(pathname: string): boolean {
  return /^\/(version|healthz|livez|readyz|api|apis|openapi)(\/|$)/.test(pathname);
}

/** Builds the `upgrade` listener: streaming subresources only; anything else is refused. */
export function createUpgradeHandler(opts: RouterOptions): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  // `headers` may name a header more than once (one Warning line per warning).
  const refuse = (socket: Duplex, status: Status, headers: Iterable<readonly [string, string]> = []): void => {
    socket.end(refusalAnswer(status, headers));
  };
  // As the request handler: APF unless --enable-priority-and-fairness=false (watches are never in the max-in-flight pools).
  const priorityAndFairness = opts.inflight instanceof InflightLimiter ? opts.inflight.priorityAndFairness : opts.inflight?.priorityAndFairness ?? true;
  const apf = priorityAndFairness ? opts.apf : undefined;
  return (req, socket, head) => {
    // A WebSocket watch's response, from before the upgrade: APF's headers go with the 101 or the refusal.
    let watchRes: MessageResponse | undefined;
    // A CONNECT's admission warnings: upstream's recorder writes them on the response, so a refusal carries them.
    const warnings: string[] = [];
    void (async () => {
      const url = new URL(req.url ?? '/', 'https://apiserver.invalid');
      const authenticated = await authenticate(req, opts.tokens, opts.anonymous);
      const p = parseResourcePath(url.pathname);
      const audit = opts.audit?.beginUpgrade(req, socket, authenticated, url, p);
      if (!authenticated) return refuse(socket, errors.unauthorized().status);
      const user = opts.impersonate && wantsImpersonation(req) ? await opts.impersonate(req, authenticated) : authenticated;
      if (audit && user !== authenticated) audit.impersonated(user);
      // A WebSocket watch goes through APF as any watch (after impersonation, before authorization), holding its
      // seats until initialized; other upgrades (exec, attach, port-forward, proxy) are long-running, not limited.
      if (p && isWebSocketWatch(req, p, url.searchParams)) watchRes = new MessageResponse(socket);
      const queued = watchRes && apf?.admit(watchRes as unknown as ServerResponse, digestOf(req, user, url, p, true));
      if (queued) await queued;
      if (p && opts.authorize) await authorizeAudited(audit, () => opts.authorize!(user, req.method ?? 'GET', p, url.searchParams));
      // A remote APIService's path goes to its server once this one has authorized it (kube-aggregator).
      const aggregated = p && opts.aggregateUpgrade?.(req, socket, head, url, user);
      // A proxied watch frees its APF seats at once, as in the request handler.
      if (aggregated && watchRes) watchInitialized(watchRes as unknown as ServerResponse);
      if (aggregated && await aggregated) return;
      if (p && watchRes) return serveWebSocketWatch(req, socket, head, url, p, user, opts, handleResource, watchRes);
      const entry = p && opts.catalog.resolve(p.group, p.version, p.resource);
      const h = p?.subresource && p.name !== undefined ? opts.streams.get(p.resource, p.subresource) : undefined;
      if (!p || !entry || !h?.upgrade) return refuse(socket, toStatus(notFoundPath()));
      const sr = { namespace: entry.def.namespaced ? p.namespace : undefined, name: p.name!, user, query: url.searchParams, storage: entry.storage, rest: p.rest };
      await h.upgrade(req, socket, head, await admitConnect(h, sr, req, warnings));
    })().catch((err) => {
      if (!socket.destroyed) refuse(socket, toStatus(err), [...(watchRes?.headers ?? []), ...warningValues(warnings).map((v) => ['Warning', v] as const)]);
    });
  };
}
