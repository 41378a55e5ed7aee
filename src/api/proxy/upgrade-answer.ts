/**
 * How an upgrade request (`Connection: Upgrade`: a WebSocket, SPDY) proxied to a backend is answered
 * once the backend answered, as upstream's UpgradeAwareHandler.tryUpgrade (apimachinery
 * util/proxy/upgradeaware.go), for every proxy that hands the connection over: pods/, services/ and
 * nodes/proxy (apiserver/node-proxy/proxy-upgrade.ts), exec, attach and port-forward relayed to the
 * node agent (apiserver/node-proxy/upgrade-relay.ts), a remote APIService (apiserver/aggregator/
 * upgrade-proxy.ts), and the node agent's relay of exec, attach and port-forward to the runtime
 * (agent/server/upgrade-relay.ts, as the kubelet's proxyStream). In src/api because both components
 * share it, as both import upstream's from apimachinery:
 *  - 101 Switching Protocols: passed back with the backend's headers, then bytes are copied both ways
 *    until either side closes, when both connections are destroyed;
 *  - 400 or above: passed back as it is (status, headers, body), then the connection closed;
 *  - any other answer: nothing is written and the call rejects with "invalid upgrade response: status
 *    code N", a plain error (no Status reason: tryUpgrade's fmt.Errorf), which each caller answers as
 *    its upstream Responder does (the API's 500 Status, reason "", for the
 *    REST proxies, kube-aggregator's 503 text for an APIService, the kubelet's 500 text on the agent).
 */
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { errors, type Status } from '../status.js';

/** A backend's answer to an upgrade request: switched (with the upgraded connection) or not. */
export type UpgradeResult =
  | { upgraded: true; res: IncomingMessage; socket: Duplex; head: Buffer }
  | { upgraded: false; res: IncomingMessage };

/** A refusal's body passed back whole up to this size (a Status, an error page); past it, cut. */
const MAX_REFUSAL_BYTES = 1 << 20;

/** Headers that describe the refusal's body as it was framed by the backend, not as it is passed back. */
const REFRAMED = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length']);

/**
 * Answers the client with the backend's answer: a 101 is passed back and the connections spliced; a
 * refusal (>= 400) is passed back as it is and the connection closed; any other answer rejects with
 * upstream's 500 "invalid upgrade response", reason "" (nothing written yet).
 */
export async function answerUpgrade(socket: Duplex, head: Buffer, a: UpgradeResult): Promise<void> {
  if (a.upgraded) return splice(socket, head, rawHead(a.res, () => true), a.socket, a.head);
  const code = a.res.statusCode ?? 0;
  if (code < 400) {
    a.res.destroy();
    throw errors.plain(`invalid upgrade response: status code ${code}`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const c of a.res as AsyncIterable<Buffer>) {
      if (size < MAX_REFUSAL_BYTES) chunks.push(c.subarray(0, MAX_REFUSAL_BYTES - size));
      size += c.length;
    }
  } catch {
    socket.destroy();
    return;
  }
  const body = Buffer.concat(chunks);
  const answer = rawHead(a.res, (name) => !REFRAMED.has(name.toLowerCase()), `Content-Length: ${body.length}\r\nConnection: close\r\n`);
  socket.end(Buffer.concat([Buffer.from(answer, 'latin1'), body]));
}

/**
 * The raw HTTP answer refusing an upgrade with `st` (JSON, connection closed), `headers` before the
 * body's: the status line's text is the code's (as Go's http.StatusText), never the Status's reason,
 * which may be "" (a plain error's).
 */
export function refusalAnswer(st: Status, headers: Iterable<readonly [string, string]> = []): string {
  const body = JSON.stringify(st);
  const extra = [...headers].map(([k, v]) => `${k}: ${v}\r\n`).join('');
  return `HTTP/1.1 ${st.code} ${STATUS_CODES[st.code] ?? 'Error'}\r\n${extra}Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}

/** An answer's status line and the headers `keep` accepts, as the backend wrote them, then `extra`, then the blank line. */
function rawHead(res: IncomingMessage, keep: (name: string) => boolean, extra = ''): string {
  let out = `HTTP/1.1 ${res.statusCode} ${res.statusMessage ?? ''}\r\n`;
  for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) if (keep(res.rawHeaders[i]!)) out += `${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}\r\n`;
  return `${out}${extra}\r\n`;
}

/** Passes the 101 back, then copies both ways; either side closing or failing destroys both. */
function splice(client: Duplex, clientHead: Buffer, answer: string, upstream: Duplex, upstreamHead: Buffer): void {
  const close = (): void => {
    client.destroy();
    upstream.destroy();
  };
  client.on('error', close).once('close', close);
  upstream.on('error', close).once('close', close);
  if (client.destroyed) return close();
  client.write(Buffer.from(answer, 'latin1'));
  if (upstreamHead.length > 0) client.write(upstreamHead);
  if (clientHead.length > 0) upstream.write(clientHead);
  upstream.pipe(client);
  client.pipe(upstream);
}
