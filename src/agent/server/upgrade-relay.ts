/**
 * Relays an upgrade request (SPDY/3.1 or WebSocket) to the container runtime's streaming server and
 * then splices the two connections, as kubelet proxies exec and port-forward streams to the CRI
 * streaming URL. The relay never parses the stream: protocol negotiation (X-Stream-Protocol-Version,
 * Sec-WebSocket-Protocol) happens end to end between the caller and the runtime.
 */
import type { IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';

/** Headers that belong to this hop (or name the wrong host) and are not forwarded. */
const DROPPED = new Set(['host', 'authorization', 'content-length', 'transfer-encoding', 'proxy-connection', 'keep-alive']);

/** The request head to send upstream: the caller's headers, with the target's path and Host. */
export function relayRequestHead(req: IncomingMessage, target: URL): string {
  const lines = [`${req.method ?? 'GET'} ${target.pathname}${target.search} HTTP/1.1`, `Host: ${target.host}`];
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (!DROPPED.has(raw[i]!.toLowerCase())) lines.push(`${raw[i]}: ${raw[i + 1]}`);
  }
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** Connects to `target` (plain http: the runtime's streaming server listens on loopback) and splices. */
export function relayUpgrade(req: IncomingMessage, client: Duplex, head: Buffer, target: URL): void {
  if (target.protocol !== 'http:') {
    client.end('HTTP/1.1 502 Bad Gateway\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    return;
  }
  const upstream: Socket = connect(Number(target.port || 80), target.hostname);
  const fail = (): void => {
    upstream.destroy();
    client.destroy();
  };
  upstream.once('error', () => {
    if (client.writable && upstream.bytesRead === 0) client.end('HTTP/1.1 502 Bad Gateway\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else fail();
  });
  client.once('error', fail);
  upstream.once('connect', () => {
    upstream.setNoDelay(true);
    upstream.write(relayRequestHead(req, target));
    if (head.length > 0) upstream.write(head);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  client.once('close', () => upstream.destroy());
  upstream.once('close', () => client.destroy());
}
