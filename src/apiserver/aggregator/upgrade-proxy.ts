/**
 * Upgrade requests (`Connection: Upgrade`: SPDY/3.1 or WebSocket, as exec, attach and port-forward
 * of an extension's resources use) for a remote APIService, as kube-aggregator's proxy hands them to
 * apimachinery's UpgradeAwareHandler: after this server authenticated and authorized the request, it
 * goes over a connection of its own to an endpoint of the Service (front proxy client certificate,
 * caBundle, X-Remote-* headers as for any proxied request, the Upgrade header kept), and the
 * extension's answer is answered as tryUpgrade does (src/api/proxy/upgrade-answer.ts): its 101 Switching
 * Protocols, with its headers, passed back and then bytes copied both ways until either side closes;
 * a refusal (>= 400) passed back as it is and the connection closed. Errors are answered as
 * kube-aggregator's responder does (http.Error with 503): any other answer of the extension is a 503
 * "invalid upgrade response: status code N"; Not Available or no endpoint a 503, as for other
 * requests; unreachable a 503 with the error.
 */
import { request } from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { UserInfo } from '../http/authn.js';
import { answerUpgrade, type UpgradeResult } from '../../api/proxy/upgrade-answer.js';
import { endpointOf, remoteApiService, type ProxyDeps } from './proxy.js';
import { proxiedHeaders } from './remote-transport.js';

const DIAL_TIMEOUT_MS = 30_000;

/** Proxies the upgrade when a remote APIService serves its path (resolving true once the socket is handed over); false at once otherwise. */
export function proxyUpgradeToApiService(deps: ProxyDeps, req: IncomingMessage, socket: Duplex, head: Buffer, url: URL, user: UserInfo): false | Promise<boolean> {
  const a = remoteApiService(deps, url);
  if (!a) return false;
  return (async () => {
    const ep = await endpointOf(deps, a);
    if (!ep) {
      unavailable(socket, 'service unavailable');
      return true;
    }
    const out = request({
      host: ep.host, port: ep.port, servername: ep.serverName, agent: false, ...deps.agents.tlsFor(a.spec!),
      method: req.method, path: `${url.pathname}${url.search}`, headers: proxiedHeaders(req.headers, user, String(req.headers.upgrade ?? '')),
    });
    // Reaching the extension is bounded (as upstream's dialer); the upgraded stream itself is not.
    out.setTimeout(DIAL_TIMEOUT_MS, () => out.destroy(new Error('timed out awaiting the extension\'s answer')));
    const respond = (answer: UpgradeResult): void => {
      answerUpgrade(socket, head, answer).catch((err: Error) => unavailable(socket, err.message));
    };
    out.on('upgrade', (res, upstream, upstreamHead) => {
      upstream.setTimeout(0);
      respond({ upgraded: true, res, socket: upstream, head: upstreamHead });
    });
    out.on('response', (res) => respond({ upgraded: false, res }));
    out.on('error', (err) => unavailable(socket, `error trying to reach service: ${err.message}`));
    // The client gone before the extension answered: stop dialing.
    socket.once('close', () => out.destroy());
    out.end();
    return true;
  })();
}

/** kube-aggregator's responder (http.Error with 503): the text and a newline, then the connection closed. */
function unavailable(socket: Duplex, text: string): void {
  if (socket.destroyed || !socket.writable) return;
  const body = `${text}\n`;
  socket.end(`HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nX-Content-Type-Options: nosniff\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}
