/**
 * The node agent's own HTTPS server, the counterpart of kubelet's :10250. The API server reaches it
 * (address and port from the Node's status.addresses and status.daemonEndpoints.kubeletEndpoint) for
 * the pod subresources that need the node:
 *   GET  /containerLogs/{namespace}/{pod}/{container}   (pods/log)
 *   POST /exec/{namespace}/{pod}/{container}?command=..&input=1&output=1&error=1&tty=1   (pods/exec)
 *   POST /attach/{namespace}/{pod}/{container}?input=1&output=1&error=1&tty=1             (pods/attach)
 *   POST /portForward/{namespace}/{pod}                  (pods/portforward)
 *   GET  /stats/summary, /metrics/resource           (resource metrics, when the agent samples them)
 *   GET  /metrics                                    (the node's Prometheus metrics)
 *   GET  /configz                                    (the node's KubeletConfiguration, kubelet-config.ts)
 *   GET  /logs/{path}                                (the node's /var/log, system-logs.ts; nodes/log)
 *   GET  /healthz
 * exec, attach and portForward are upgrade requests (SPDY/3.1 or WebSocket) relayed to the runtime's
 * streaming server, which speaks the kubelet streaming protocols itself.
 * Callers are authenticated and authorized as the kubelet's webhook modes do (caller-auth.ts): a
 * client certificate from the cluster CA (optional at the handshake) or a bearer token reviewed by
 * the API server, then a SubjectAccessReview on nodes/<subresource> for this node; anonymous callers
 * get 401, unauthorized ones 403, with the kubelet's plain-text bodies.
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { failure, StatusError, type Status } from '../../api/status.js';
import { refusalAnswer } from '../../api/proxy/upgrade-answer.js';
import { CallerRefused, checkCaller, mastersOnly, type CallerReviews } from './caller-auth.js';
import type { ContainerRuntime } from '../runtime/types.js';
import { runtimePodLookup, type PodLookup } from './container-lookup.js';
import { serveContainerLogs } from './container-logs.js';
import { serveSystemLogs, SYSTEM_LOG_DIR } from './system-logs.js';
import { attachTarget, execTarget, portForwardTarget } from './stream-targets.js';
import { relayUpgrade } from './upgrade-relay.js';

export interface AgentServerTls {
  /** Serving certificate and key (PEM). */
  cert: string;
  key: string;
  /** CA that callers' client certificates must chain to: the cluster CA. */
  clientCa: string;
}

export interface AgentServerOptions {
  runtime: ContainerRuntime;
  /** 0 picks a free port (read it back from `port`); kubelet's default is 10250. */
  port: number;
  /** Default 0.0.0.0: the API server may be on another host. */
  host?: string;
  tls: AgentServerTls;
  /** How pods are found by name; default: from the runtime's sandbox metadata. */
  podLookup?: PodLookup;
  /** This node's name: the `nodes` object callers are authorized against. */
  nodeName?: string;
  /** Token and access reviews (webhook-reviews.ts); default: no tokens, only system:masters (caller-auth.ts). */
  reviews?: CallerReviews;
  /** The resource metrics views (src/agent/metrics); absent: those paths answer 404. */
  resourceStats?: { summary(): object; resourceMetrics(): string };
  /** GET /metrics: the node's Prometheus metrics (kubelet, proxy, DNS; controller-runtime/exposition.ts). */
  metrics?: () => string;
  /** GET /configz: `{"kubeletconfig": {...}}` (kubelet-config.ts); absent: 404. */
  configz?: () => object;
  /** The directory /logs/ serves (default /var/log, the kubelet's). */
  systemLogDir?: string;
}

export interface AgentServer {
  port: number;
  server: Server;
  /** Replaces the certificate, key and client CA for new connections (rotation, or a CA known late). */
  setTls(tls: AgentServerTls): void;
  /** Stops accepting and closes every connection (streams in progress end). */
  close(): Promise<void>;
}

function statusOf(err: unknown): Status {
  if (err instanceof StatusError) return err.status;
  return failure(500, 'InternalError', err instanceof Error ? err.message : String(err)).status;
}

const decodeSegments = (path: string): string[] => path.split('/').filter(Boolean).map(decodeURIComponent);

export async function startAgentServer(o: AgentServerOptions): Promise<AgentServer> {
  const lookup = o.podLookup ?? runtimePodLookup(o.runtime);
  const reviews = o.reviews ?? mastersOnly;
  const nodeName = o.nodeName ?? '';
  const server = createServer({
    cert: o.tls.cert, key: o.tls.key, ca: o.tls.clientCa,
    // Client certificates are asked for but optional: token callers have none (checked per request).
    requestCert: true, rejectUnauthorized: false,
    requestTimeout: 0, headersTimeout: 30_000,
  });

  const check = (req: IncomingMessage) => checkCaller(req, nodeName, reviews);

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      await check(req);
      const url = new URL(req.url ?? '/', 'https://agent.invalid');
      const seg = decodeSegments(url.pathname);
      if (seg[0] === 'healthz' && seg.length === 1) {
        res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
        return;
      }
      const stats = o.resourceStats;
      if (stats && seg.join('/') === 'stats/summary') {
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(stats.summary()));
        return;
      }
      if (o.metrics && seg.length === 1 && seg[0] === 'metrics') {
        res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' }).end(o.metrics());
        return;
      }
      if (stats && seg.join('/') === 'metrics/resource') {
        res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' }).end(stats.resourceMetrics());
        return;
      }
      if (o.configz && seg.length === 1 && seg[0] === 'configz') {
        // component-base/configz's handler: JSON with nosniff.
        res.writeHead(200, { 'Content-Type': 'application/json', 'X-Content-Type-Options': 'nosniff' }).end(JSON.stringify(o.configz()));
        return;
      }
      if (url.pathname.startsWith('/logs/')) {
        await serveSystemLogs(req, res, o.systemLogDir ?? SYSTEM_LOG_DIR, decodeURIComponent(url.pathname.slice('/logs/'.length)));
        return;
      }
      if (seg[0] === 'containerLogs' && seg.length === 4) {
        if (req.method !== 'GET' && req.method !== 'HEAD') throw failure(405, 'MethodNotAllowed', `${req.method} is not supported`);
        await serveContainerLogs(o.runtime, lookup, req, res, seg[1]!, seg[2]!, seg[3]!, url.searchParams);
        return;
      }
      if (seg[0] === 'exec' || seg[0] === 'attach' || seg[0] === 'portForward') throw failure(400, 'BadRequest', 'Upgrade request required');
      throw failure(404, 'NotFound', `the server could not find the requested resource`);
    })().catch((err) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (err instanceof CallerRefused) {
        res.writeHead(err.code, { 'Content-Type': 'text/plain; charset=utf-8' }).end(err.message);
        return;
      }
      const st = statusOf(err);
      res.writeHead(st.code, { 'Content-Type': 'application/json' }).end(JSON.stringify(st));
    });
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    void (async () => {
      await check(req);
      const url = new URL(req.url ?? '/', 'https://agent.invalid');
      const seg = decodeSegments(url.pathname);
      let target: URL;
      if (seg[0] === 'exec' && seg.length === 4) target = await execTarget(o.runtime, lookup, seg[1]!, seg[2]!, seg[3]!, url.searchParams);
      else if (seg[0] === 'attach' && seg.length === 4) target = await attachTarget(o.runtime, lookup, seg[1]!, seg[2]!, seg[3]!, url.searchParams);
      else if (seg[0] === 'portForward' && seg.length === 3) target = await portForwardTarget(o.runtime, lookup, seg[1]!, seg[2]!, url.searchParams);
      else throw failure(404, 'NotFound', 'the server could not find the requested resource');
      await relayUpgrade(req, socket, head, target);
    })().catch((err) => {
      if (!socket.writable) return;
      if (err instanceof CallerRefused) {
        const reason = { 401: 'Unauthorized', 403: 'Forbidden', 500: 'Internal Server Error' }[err.code];
        socket.end(`HTTP/1.1 ${err.code} ${reason}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(err.message)}\r\nConnection: close\r\n\r\n${err.message}`);
        return;
      }
      socket.end(refusalAnswer(statusOf(err)));
    });
  });

  const sockets = new Set<Socket>();
  server.on('secureConnection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host ?? '0.0.0.0', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : o.port;
  let closed: Promise<void> | undefined;
  return {
    port,
    server,
    setTls: (tls) => server.setSecureContext({ cert: tls.cert, key: tls.key, ca: tls.clientCa }),
    close: () =>
      (closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      })),
  };
}
