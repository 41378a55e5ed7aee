/**
 * The HTTPS listener: TLS with the cluster's serving certificate, client certificates requested and
 * verified against the cluster CA (an unverified or missing certificate is not a TLS failure: the
 * request goes on as anonymous or bearer-token and authentication decides).
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

export interface ListenerOptions {
  cert: string;
  key: string;
  /** CA that client certificates must chain to. */
  clientCa: string;
  onRequest: (req: IncomingMessage, res: ServerResponse) => void;
  onUpgrade?: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
  /**
   * Open connections the server keeps at once (default 8192); past it, new ones are closed at once.
   * Upstream's Go server has no such cap; here one client opening thousands of idle TLS connections
   * would otherwise cost memory until each times out (issue 13 #7).
   */
  maxConnections?: number;
  /** Open connections one client address keeps at once (default 1024); the rest are closed at accept. */
  maxConnectionsPerClient?: number;
  /**
   * Addresses the per-client cap does not apply to (default: loopback, where the control plane's own
   * components and the benches' thousand watchers connect from; the total cap still applies).
   */
  perClientExempt?: (address: string) => boolean;
}

const isLoopback = (a: string): boolean => a.startsWith('127.') || a === '::1' || a.startsWith('::ffff:127.');

export interface Listener {
  server: Server;
  port: number;
  /** Stops accepting, closes idle connections, and after `graceMs` every connection left. */
  close(graceMs?: number): Promise<void>;
}

/** Starts listening; resolves once bound (port 0 picks a free port, read back in `port`). */
export async function listen(opts: ListenerOptions, port: number, host: string): Promise<Listener> {
  const server = createServer({
    cert: opts.cert,
    key: opts.key,
    ca: opts.clientCa,
    requestCert: true,
    rejectUnauthorized: false,
    keepAlive: true,
    noDelay: true,
    keepAliveTimeout: 65_000,
    // Watches are long-lived responses; only the request head and body are bounded here.
    requestTimeout: 0,
    headersTimeout: 60_000,
  }, opts.onRequest);
  if (opts.onUpgrade) server.on('upgrade', opts.onUpgrade);
  server.maxConnections = opts.maxConnections ?? 8192;
  const perClient = opts.maxConnectionsPerClient ?? 1024;
  const exempt = opts.perClientExempt ?? isLoopback;
  const byClient = new Map<string, number>();
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    const addr = s.remoteAddress ?? '';
    const open = (byClient.get(addr) ?? 0) + 1;
    if (open > perClient && !exempt(addr)) {
      s.destroy();
      return;
    }
    byClient.set(addr, open);
    sockets.add(s);
    s.once('close', () => {
      sockets.delete(s);
      const left = (byClient.get(addr) ?? 1) - 1;
      if (left > 0) byClient.set(addr, left);
      else byClient.delete(addr);
    });
  });
  // A client that sends garbage or drops mid-handshake must not take the server down.
  server.on('tlsClientError', () => undefined);
  // A request Node cannot parse (oversized headers, a malformed request line, a body where the
  // method allows none) is answered with a Status too, and the connection closed.
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
    const code = tooLarge ? 431 : 400;
    const body = JSON.stringify({
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code,
      message: tooLarge ? 'request header fields too large' : `malformed HTTP request (${err.code ?? 'parse error'})`,
      ...(tooLarge ? {} : { reason: 'BadRequest' }),
    });
    const statusLine = tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request';
    // A HEAD request's answer has no body, even this one. Only the bytes of the failing read are at
    // hand: when they do not begin with the request line (an oversized request read in several
    // chunks), the method is unknown and the answer goes without a body.
    const start = (err as { rawPacket?: Buffer }).rawPacket?.subarray(0, 8).toString('latin1') ?? '';
    const withBody = /^(GET|POST|PUT|PATCH|DELETE|OPTIONS|TRACE) /.test(start);
    socket.end(`HTTP/1.1 ${statusLine}\r\nContent-Type: application/json\r\nContent-Length: ${withBody ? Buffer.byteLength(body) : 0}\r\nConnection: close\r\n\r\n${withBody ? body : ''}`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address();
  const boundPort = typeof addr === 'object' && addr ? addr.port : port;
  return {
    server,
    port: boundPort,
    async close(graceMs = 2000): Promise<void> {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => {
        for (const s of sockets) s.destroy();
      }, graceMs);
      await closed;
      clearTimeout(timer);
    },
  };
}
