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
}

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
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  // A client that sends garbage or drops mid-handshake must not take the server down.
  server.on('tlsClientError', () => undefined);
  server.on('clientError', (_err, socket: Duplex) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
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
