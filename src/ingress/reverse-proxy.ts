/**
 * The HTTP/1.1 reverse proxy of one listening port: each request is routed (a `Router`: 404 when no
 * rule matches, 503 when the backend has no ready endpoint) and streamed to the chosen pod and back,
 * bodies never buffered. Headers to the pod: hop-by-hop ones dropped (RFC 9110 7.6.1), and
 * X-Forwarded-For / X-Real-IP (the client's address), X-Forwarded-Proto, -Host and -Port set by the
 * proxy, replacing what the client sent, as ingress-nginx does with use-forwarded-headers=false and
 * Traefik without trusted IPs (a client cannot forge its address). `Upgrade` requests (WebSocket)
 * are passed through as a raw TCP tunnel once the pod answers. A pod that cannot be reached gives 502.
 * A router's answer with a `location` (the HTTPS redirect) carries it as the Location header.
 */
import { Agent, request, STATUS_CODES, type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from '../controller-runtime/log.js';

/** Where a request goes: a pod, or an answer of the proxy's own (with `location`: a redirect). */
export type Resolution = { ok: true; host: string; port: number } | { ok: false; status: number; message: string; location?: string };
export type Router = (host: string | undefined, url: string) => Resolution;

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade']);
const FORWARDED = ['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-forwarded-port', 'x-real-ip'];
const CONNECT_TIMEOUT_MS = 5_000;

export interface ReverseProxyOptions {
  route: Router;
  proto: 'http' | 'https';
  /** The listening port, for X-Forwarded-Port. */
  port: () => number;
  log: Logger;
}

export class ReverseProxy {
  private readonly agent = new Agent({ keepAlive: true, maxFreeSockets: 16, timeout: 60_000 });
  /** Open Upgrade tunnels (their client sockets), which the HTTP server no longer tracks. */
  private readonly tunnels = new Set<Duplex>();

  constructor(private readonly o: ReverseProxyOptions) {}

  /** The `request` handler of an http or https server. */
  readonly onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const target = this.o.route(req.headers.host, req.url ?? '/');
    if (!target.ok) return plain(res, target.status, target.message, target.location);
    const upstream = request({
      host: target.host, port: target.port, method: req.method, path: req.url, agent: this.agent,
      headers: this.forwardHeaders(req), timeout: CONNECT_TIMEOUT_MS,
    }, (up) => {
      upstream.setTimeout(0);
      res.writeHead(up.statusCode ?? 502, up.statusMessage, endToEnd(up.headers));
      up.pipe(res);
      up.on('error', () => res.destroy());
    });
    upstream.on('timeout', () => upstream.destroy(new Error('connect timeout')));
    upstream.on('error', (err) => {
      this.o.log.debug({ backend: `${target.host}:${target.port}`, err: String(err) }, 'ingress backend failed');
      if (!res.headersSent) plain(res, 502, 'Bad Gateway');
      else res.destroy();
    });
    req.on('aborted', () => upstream.destroy());
    req.pipe(upstream);
  };

  /** The `upgrade` handler: the request head is sent on a new connection, then bytes flow both ways. */
  readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const target = this.o.route(req.headers.host, req.url ?? '/');
    if (!target.ok) return rawReply(socket, target.status, target.message, target.location);
    const pod: Socket = connect({ host: target.host, port: target.port, timeout: CONNECT_TIMEOUT_MS });
    this.tunnels.add(socket);
    let connected = false;
    pod.once('connect', () => {
      connected = true;
      pod.setTimeout(0);
      const headers = { ...this.forwardHeaders(req), connection: 'Upgrade', upgrade: req.headers.upgrade ?? '' };
      const lines = [`${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/1.1`];
      for (const [k, v] of Object.entries(headers)) {
        for (const one of Array.isArray(v) ? v : v === undefined ? [] : [String(v)]) lines.push(`${k}: ${one}`);
      }
      pod.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length > 0) pod.write(head);
      pod.pipe(socket).pipe(pod);
    });
    pod.on('timeout', () => pod.destroy(new Error('connect timeout')));
    pod.on('error', () => (connected ? socket.destroy() : rawReply(socket, 502, 'Bad Gateway')));
    socket.on('error', () => pod.destroy());
    socket.on('close', () => {
      this.tunnels.delete(socket);
      pod.destroy();
    });
  };

  /** Ends the tunnels and the idle connections to pods. */
  close(): void {
    for (const t of this.tunnels) t.destroy();
    this.agent.destroy();
  }

  private forwardHeaders(req: IncomingMessage): OutgoingHttpHeaders {
    const out = endToEnd(req.headers);
    for (const h of FORWARDED) delete out[h];
    const client = clientAddress(req.socket.remoteAddress);
    out['x-forwarded-for'] = client;
    out['x-real-ip'] = client;
    out['x-forwarded-proto'] = this.o.proto;
    if (req.headers.host) out['x-forwarded-host'] = req.headers.host;
    out['x-forwarded-port'] = String(this.o.port());
    return out;
  }
}

/** Headers without the hop-by-hop ones, and without those the Connection header names. */
function endToEnd(h: IncomingHttpHeaders): OutgoingHttpHeaders {
  const named = new Set(String(h.connection ?? '').toLowerCase().split(',').map((s) => s.trim()).filter(Boolean));
  const out: OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined && !HOP_BY_HOP.has(k) && !named.has(k)) out[k] = v;
  return out;
}

function clientAddress(a: string | undefined): string {
  return (a ?? '').replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
}

function plain(res: ServerResponse, status: number, message: string, location?: string): void {
  const body = `${message}\n`;
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body), ...(location ? { location } : {}) });
  res.end(body);
}

function rawReply(socket: Duplex, status: number, message: string, location?: string): void {
  const body = `${message}\n`;
  const loc = location ? `location: ${location}\r\n` : '';
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\ncontent-type: text/plain\r\n${loc}content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
}
