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
