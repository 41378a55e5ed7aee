/**
 * Upgrade requests (`Connection: Upgrade`: SPDY/3.1 or WebSocket, as exec, attach and port-forward
 * of an extension's resources use) for a remote APIService, as kube-aggregator's proxy hands them to
 * apimachinery's UpgradeAwareHandler: after this server authenticated and authorized the request, it
 * goes over a connection of its own to an endpoint of the Service (front proxy client certificate,
 * caBundle, X-Remote-* headers as for any proxied request, the Upgrade header kept); the extension's
 * 101 Switching Protocols, with its headers, is passed back and then bytes are copied both ways until
 * either side closes. Any other answer of the extension is passed back as it is, and the connection
 * closed. Not Available or no endpoint: 503, as for other requests; unreachable: 503 with the error.
 */
import { request } from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { UserInfo } from '../http/authn.js';
import { endpointOf, remoteApiService, type ProxyDeps } from './proxy.js';
import { proxiedHeaders } from './remote-transport.js';

/** Largest non-101 answer passed back whole (a Status, an error page). */
const MAX_REFUSAL_BYTES = 1 << 20;
const DIAL_TIMEOUT_MS = 30_000;

/** Proxies the upgrade when a remote APIService serves its path (resolving true once the socket is handed over); false at once otherwise. */
export function proxyUpgradeToApiService(deps: ProxyDeps, req: IncomingMessage, socket: Duplex, head: Buffer, url: URL, user: UserInfo): false | Promise<boolean> {
  const a = remoteApiService(deps, url);
  if (!a) return false;
  return (async () => {
    const ep = await endpointOf(deps, a);
    if (!ep) {
      answer(socket, 503, 'Service Unavailable', [], Buffer.from('service unavailable\n'));
      return true;
    }
    const out = request({
      host: ep.host, port: ep.port, servername: ep.serverName, agent: false, ...deps.agents.tlsFor(a.spec!),
      method: req.method, path: `${url.pathname}${url.search}`, headers: proxiedHeaders(req.headers, user, String(req.headers.upgrade ?? '')),
    });
    // Reaching the extension is bounded (as upstream's dialer); the upgraded stream itself is not.
    out.setTimeout(DIAL_TIMEOUT_MS, () => out.destroy(new Error('timed out awaiting the extension\'s answer')));
    out.on('upgrade', (res, upstream, upstreamHead) => {
      upstream.setTimeout(0);
      socket.write(statusLine(101, res.statusMessage || 'Switching Protocols', res.rawHeaders));
      if (upstreamHead.length > 0) socket.write(upstreamHead);
      if (head.length > 0) upstream.write(head);
      const close = (): void => {
        socket.destroy();
        upstream.destroy();
      };
      upstream.on('error', close).on('close', close);
      socket.on('error', close).on('close', close);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    out.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= MAX_REFUSAL_BYTES) chunks.push(c);
      });
      res.on('end', () => answer(socket, res.statusCode ?? 502, res.statusMessage ?? '', res.rawHeaders, Buffer.concat(chunks)));
      res.on('error', () => socket.destroy());
    });
    out.on('error', (err) => {
      if (!socket.destroyed && socket.writable) answer(socket, 503, 'Service Unavailable', [], Buffer.from(`error trying to reach service: ${err.message}\n`));
    });
    // The client gone before the extension answered: stop dialing.
    socket.once('close', () => out.destroy());
    out.end();
    return true;
  })();
}

const HOP_BY_HOP = /^(connection|keep-alive|proxy-.*|te|trailer|transfer-encoding|upgrade|content-length)$/i;

function statusLine(code: number, message: string, rawHeaders: string[], keepHopByHop = true): string {
  let out = `HTTP/1.1 ${code} ${message}\r\n`;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (!keepHopByHop && HOP_BY_HOP.test(rawHeaders[i]!)) continue;
    out += `${rawHeaders[i]}: ${rawHeaders[i + 1]}\r\n`;
  }
  return out + (keepHopByHop ? '\r\n' : '');
}

/** A whole (non-upgrade) answer on the raw socket, then the connection closed. */
function answer(socket: Duplex, code: number, message: string, rawHeaders: string[], body: Buffer): void {
  const headers = statusLine(code, message, rawHeaders, false);
  const type = rawHeaders.some((h, i) => i % 2 === 0 && h.toLowerCase() === 'content-type') ? '' : 'Content-Type: text/plain; charset=utf-8\r\n';
  socket.end(Buffer.concat([Buffer.from(`${headers}${type}Content-Length: ${body.length}\r\nConnection: close\r\n\r\n`), body]));
}
