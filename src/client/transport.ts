/**
 * One keep-alive connection pool per client and the raw request/response cycle. Everything above
 * (verbs, watch) speaks through `request` (buffered) or `stream` (a live response body).
 */
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import type { ConnectionConfig } from './kubeconfig.js';
import { parseRetryAfter, statusErrorFromBody } from './errors.js';

/** Go's http.Transport IdleConnTimeout as client-go's SetTransportDefaults sets it. */
const DEFAULT_IDLE_TIMEOUT_MS = 90_000;

export interface TransportOptions {
  /**
   * Sockets per host. Each open watch pins one socket, and controllers issue many writes at once
   * during scale tests, so the default is far above Node's usual pool (Infinity would let a runaway
   * loop exhaust file descriptors instead of queueing).
   */
  maxSockets?: number;
  /**
   * Idle keep-alive sockets kept per host after a burst (default: maxSockets, so the next burst pays
   * no TLS handshakes). A node agent keeps few: each idle TLS socket holds ~150 KiB (OpenSSL and
   * node's TLS buffers, parser, read slab), and 20 pods started at once leave ~20 of them open.
   */
  maxFreeSockets?: number;
  /**
   * An idle pooled connection is closed after this long unused (default 90 s, Go's
   * http.Transport IdleConnTimeout as client-go sets it). Connections in use, an open watch
   * however quiet included, are not affected. Each idle TLS connection holds ~150 KiB.
   */
  idleTimeoutMs?: number;
  /** Per-request timeout for non-streaming calls (ms). Default 60 s. */
  timeoutMs?: number;
}

export interface RawRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path plus query string, starting with '/'. */
  path: string;
  body?: string;
  contentType?: string;
  accept?: string;
  signal?: AbortSignal;
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export class Transport {
  readonly agent: http.Agent;
  private readonly base: URL;
  private readonly secure: boolean;
  private readonly timeoutMs: number;

  constructor(private readonly cfg: ConnectionConfig, opts: TransportOptions = {}) {
    this.base = new URL(cfg.server);
    this.secure = this.base.protocol === 'https:';
    this.timeoutMs = opts.timeoutMs ?? 60_000;
    // Idle sockets are kept up to the pool size: closing them after a burst only means paying TLS
    // handshakes again at the next one.
    const maxSockets = opts.maxSockets ?? 512;
    // node's Agent `timeout` is set on every socket it creates and again on each one returned to the
    // pool, and destroys a socket that times out only while it is in the pool (free); a request in
    // flight gets a 'timeout' event it does not listen to (watches) or its own timeout (openOnce).
    const common = {
      keepAlive: true, maxSockets, maxFreeSockets: opts.maxFreeSockets ?? maxSockets, scheduling: 'lifo' as const,
      timeout: opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
    };
    // One secure context for every connection: given ca/cert/key instead, Node parses the PEMs and
    // builds a new context per connection (a third of a core during write bursts).
    this.agent = this.secure
      ? new https.Agent({ ...common, secureContext: tls.createSecureContext({ ca: cfg.ca, cert: cfg.cert, key: cfg.key }), rejectUnauthorized: !cfg.insecureSkipTLSVerify })
      : new http.Agent(common);
  }

  /** A buffered request. Non-2xx answers reject with StatusError. */
  async request(req: RawRequest): Promise<RawResponse> {
    const res = await this.open(req, this.timeoutMs);
    const body = await readBody(res);
    const status = res.statusCode ?? 0;
    if (status < 200 || status > 299) throw statusErrorFromBody(status, body, parseRetryAfter(res.headers['retry-after']));
    return { status, headers: res.headers, body };
  }

  /** A streaming request (watch, logs): resolves with the live response once a 2xx head arrives. */
  async stream(req: RawRequest): Promise<http.IncomingMessage> {
    const res = await this.open(req, 0);
    const status = res.statusCode ?? 0;
    if (status < 200 || status > 299) throw statusErrorFromBody(status, await readBody(res), parseRetryAfter(res.headers['retry-after']));
    return res;
  }

  /**
   * Presents `cert`/`key` on new connections from now on (a renewed client certificate). Pooled
   * connections keep the one they were authenticated with until they close, so requests in flight
   * and open watches are not interrupted; the old certificate is still valid then.
   */
  setClientCertificate(cert: string, key: string): void {
    if (!this.secure) return;
    (this.agent as https.Agent).options.secureContext = tls.createSecureContext({ ca: this.cfg.ca, cert, key });
  }

  /** Close pooled sockets. Open streams are ended by their own abort. */
  close(): void {
    this.agent.destroy();
  }

  /**
   * Send one request. A pooled socket the server closed while idle fails with ECONNRESET before
   * any answer; that case is retried once on a fresh socket, as Node's documentation advises for
   * `reusedSocket` (the server never saw the request).
   */
  private async open(req: RawRequest, timeoutMs: number): Promise<http.IncomingMessage> {
    try {
      return await this.openOnce(req, timeoutMs);
    } catch (err) {
      if ((err as { reusedSocket?: boolean }).reusedSocket && (err as NodeJS.ErrnoException).code === 'ECONNRESET' && !req.signal?.aborted) {
        return this.openOnce(req, timeoutMs);
      }
      throw err;
    }
  }

  private openOnce(req: RawRequest, timeoutMs: number): Promise<http.IncomingMessage> {
    return new Promise((resolvePromise, reject) => {
      const headers: http.OutgoingHttpHeaders = { Accept: req.accept ?? 'application/json' };
      if (this.cfg.token) headers.Authorization = `Bearer ${this.cfg.token}`;
      if (this.cfg.userAgent) headers['User-Agent'] = this.cfg.userAgent;
      if (req.body !== undefined) {
        headers['Content-Type'] = req.contentType ?? 'application/json';
        headers['Content-Length'] = Buffer.byteLength(req.body);
      }
      const basePath = this.base.pathname.replace(/\/+$/, '');
      const options: https.RequestOptions = {
        method: req.method,
        protocol: this.base.protocol,
        hostname: this.base.hostname.replace(/^\[|\]$/g, ''),
        port: this.base.port || (this.secure ? 443 : 80),
        path: basePath + req.path,
        headers,
        agent: this.agent,
        signal: req.signal,
      };
      const r = (this.secure ? https : http).request(options, resolvePromise);
      r.on('error', (err) => reject(Object.assign(err, { reusedSocket: r.reusedSocket })));
      if (timeoutMs > 0) {
        r.setTimeout(timeoutMs, () => r.destroy(new Error(`request ${req.method} ${req.path} timed out after ${timeoutMs} ms`)));
      }
      r.end(req.body);
    });
  }
}

function readBody(res: http.IncomingMessage): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolvePromise(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
    res.on('aborted', () => reject(new Error('response aborted')));
  });
}
