/**
 * Watches over a WebSocket, as kube-apiserver serves them (handlers/watch.go HandleWS): a GET with
 * `?watch=1` and `Upgrade: websocket` gets one text message per event, the event's JSON
 * (`{"type","object"}`), and a closed socket at the end. Browsers need this: over HTTP/1.1 a page
 * has six connections per origin, and every streamed fetch of a watch holds one for good, so a page
 * watching several lists has nothing left for its other requests (the web console, Headlamp).
 * WebSockets do not count against that limit. The bearer token may ride in the
 * `base64url.bearer.authorization.k8s.io.` subprotocol (websocket-token.ts); the subprotocol
 * chosen is the client's first other offer (e.g. base64.binary.k8s.io; the frames are JSON text
 * either way, as upstream's text framing for JSON).
 *
 * The watch itself is the ordinary one (verbs/watch.ts -> watch.ts) writing into an adapter that
 * turns each line into a message; errors before the first event become one ERROR event with the
 * Status, then the close.
 */
import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { UserInfo } from './authn.js';
import { isWatchRequest } from './query.js';
import type { ResourcePath } from './request-info.js';
import { toStatus } from './respond.js';
import type { ResourceDeps } from './resource-handler.js';

const wss = new WebSocketServer({
  noServer: true, perMessageDeflate: false,
  handleProtocols: (offered) => offered.values().next().value ?? false,
});

export function isWebSocketWatch(req: IncomingMessage, p: ResourcePath, query: URLSearchParams): boolean {
  return String(req.headers.upgrade ?? '').toLowerCase() === 'websocket' && (req.method ?? 'GET') === 'GET'
    && !p.subresource && isWatchRequest(p, query);
}

/** Headers APF set before the upgrade, sent with the 101 (as upstream's filters set them on the ResponseWriter). */
const upgradeHeaders = new WeakMap<IncomingMessage, ReadonlyMap<string, string>>();
wss.on('headers', (lines: string[], req: IncomingMessage) => {
  for (const [k, v] of upgradeHeaders.get(req) ?? []) lines.push(`${k}: ${v}`);
});

/**
 * The subset of ServerResponse the watch and error writers use, sending lines as messages. It
 * exists from before the upgrade, so that API Priority and Fairness admits the watch on it (its
 * headers, its 'close' when the client leaves while queued, its seats released once initialized).
 */
export class MessageResponse extends EventEmitter {
  headersSent = false;
  writableEnded = false;
  writableFinished = false;
  destroyed = false;
  statusCode = 200;
  /** What was set before the upgrade (the 101's or the refusal's extra headers). */
  readonly headers = new Map<string, string>();
  private partial = '';
  private ws: WebSocket | undefined;
  constructor(socket: Duplex) {
    super();
    socket.once('close', () => this.gone());
  }
  /** The upgraded connection the messages go to. */
  attach(ws: WebSocket): void {
    this.ws = ws;
    ws.once('close', () => this.gone());
  }
  private gone(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.emit('close');
  }
  get writableLength(): number {
    return this.ws?.bufferedAmount ?? 0;
  }
  setHeader(name: string, value: string | number): this {
    if (!this.ws) this.headers.set(name, String(value));
    return this;
  }
  getHeader(): undefined {
    return undefined;
  }
  writeHead(code: number): this {
    this.statusCode = code;
    this.headersSent = true;
    return this;
  }
  flushHeaders(): void {}
  write(chunk: string | Buffer): boolean {
    if (this.destroyed) return false;
    this.partial += chunk.toString();
    let nl: number;
    while ((nl = this.partial.indexOf('\n')) >= 0) {
      const line = this.partial.slice(0, nl);
      this.partial = this.partial.slice(nl + 1);
      if (line) this.ws?.send(line);
    }
    return true;
  }
  end(chunk?: string | Buffer): this {
    if (this.writableEnded) return this;
    this.writableEnded = true;
    if (chunk !== undefined && this.statusCode >= 400) {
      // An error answer (a Status) instead of a stream: one ERROR event, as watch streams carry them.
      this.sendError(chunk.toString());
    } else if (chunk !== undefined) {
      this.write(chunk);
    }
    this.writableFinished = true;
    this.emit('finish');
    this.ws?.close(1000);
    return this;
  }
  sendError(statusJson: string): void {
    if (!this.destroyed) this.ws?.send(`{"type":"ERROR","object":${statusJson}}`);
  }
  destroy(): this {
    this.destroyed = true;
    this.ws?.terminate();
    return this;
  }
}

/** Upgrades and serves the watch on `res` (made for this request's socket); `serve` is the ordinary resource handler. */
export function serveWebSocketWatch(
  req: IncomingMessage, socket: Duplex, head: Buffer, url: URL, p: ResourcePath, user: UserInfo, deps: ResourceDeps,
  serve: (req: IncomingMessage, res: ServerResponse, url: URL, p: ResourcePath, user: UserInfo, deps: ResourceDeps, signal: AbortSignal) => Promise<void>,
  res: MessageResponse,
): void {
  upgradeHeaders.set(req, res.headers);
  wss.handleUpgrade(req, socket, head, (ws) => {
    res.attach(ws);
    const abort = new AbortController();
    ws.once('close', () => abort.abort());
    // The client sends nothing on a watch; whatever it sends is ignored (as upstream's IgnoreReceives).
    ws.on('message', () => undefined);
    serve(req, res as unknown as ServerResponse, url, p, user, deps, abort.signal).catch((err: unknown) => {
      if (!res.writableEnded) {
        res.sendError(JSON.stringify(toStatus(err)));
        res.end();
      }
    });
  });
}
