/**
 * Upgrade requests (`Connection: Upgrade`: a WebSocket, SPDY) through pods/proxy and services/proxy
 * (and nodes/proxy, whose answer comes over the agent's connection: node-proxy.ts), as upstream's UpgradeAwareHandler.tryUpgrade (apimachinery util/proxy/upgradeaware.go). Authentication,
 * authorization (the verb of the request's method on pods/proxy, services/proxy, nodes/proxy) and CONNECT
 * admission happened before (router.ts); then the API server dials the target itself, sends the
 * request on and reads the answer:
 *  - 101 Switching Protocols: passed back with the target's headers, then bytes are copied both ways
 *    until either side closes, when both connections are destroyed (the API server's stop destroys the
 *    client's, listener.ts, and with it the target's);
 *  - 400 or above: passed back as it is (status, headers, body), then the connection closed;
 *  - any other answer: a 500 Status "invalid upgrade response: status code N";
 *  - the target not reached: a 500 Status "error dialing backend: ..." (upstream's responder turns
 *    the dial error, not an API status, into an InternalError).
 * Headers go on as sent but the caller's credentials and Host (as the plain proxy, pod-proxy.ts),
 * with the client's address appended to X-Forwarded-For (AppendForwardedForHeader). There is no
 * redirect of the bare proxy root (tryUpgrade runs first) and no link rewriting. Unlike upstream
 * before kubernetes/kubernetes#139292 (issue 77142), the query goes on as for plain requests.
 */
import { request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Duplex } from 'node:stream';
import { errors } from '../../api/status.js';
import type { UpgradeResult } from './agent-client.js';
import { forwardedHeaders } from './node-proxy.js';
import type { ProxyTarget } from './pod-proxy.js';
import { proxiedPath } from './proxy-options.js';

/** Reaching the target and its answer's head are bounded, as upstream's dialer; the upgraded stream is not. */
const DIAL_TIMEOUT_MS = 30_000;
/** A refusal's body passed back whole up to this size (a Status, an error page); past it, cut. */
const MAX_REFUSAL_BYTES = 1 << 20;

/** Headers that describe the refusal's body as it was framed by the target, not as it is passed back. */
const REFRAMED = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length']);

/** `host:port` of a target, an IPv6 address in brackets. */
export function targetAuthority(t: ProxyTarget): string {
  const host = t.host.includes(':') ? `[${t.host}]` : t.host;
  return `${host}${t.port ? `:${t.port}` : ''}`;
}

/**
 * The headers an upgrade goes on with: the request's but the caller's credentials and Host (as the
 * plain proxy), Connection and Upgrade kept, the client's address appended to X-Forwarded-For.
 */
export function upgradeHeaders(req: IncomingMessage): OutgoingHttpHeaders {
  const prior = req.headers['x-forwarded-for'];
  const client = req.socket.remoteAddress ?? '';
  return {
    ...forwardedHeaders(req),
    connection: 'Upgrade', upgrade: req.headers.upgrade ?? '',
    'x-forwarded-for': prior ? `${prior}, ${client}` : client,
  };
}

/**
 * Sends the upgrade request on to `t` and answers the client on `socket`; rejects (before writing
 * anything) with the Status to answer when the target cannot be reached or does not switch protocols.
 */
export async function proxyUpgradeTo(req: IncomingMessage, socket: Duplex, head: Buffer, t: ProxyTarget, admitted?: string): Promise<void> {
  const { sub, query } = proxiedPath(req, admitted);
  const request = t.scheme === 'https' ? httpsRequest : httpRequest;
  const answer = await new Promise<UpgradeResult | undefined>((resolve, reject) => {
    const out = request(`${t.scheme || 'http'}://${targetAuthority(t)}${sub || '/'}${query}`, { method: req.method, headers: upgradeHeaders(req), agent: false, rejectUnauthorized: false });
    out.setTimeout(DIAL_TIMEOUT_MS, () => out.destroy(new Error('timed out awaiting the answer')));
    // The client gone before the target answered: stop dialing.
    const abandon = (): void => {
      out.destroy();
      resolve(undefined);
    };
    socket.once('close', abandon);
    out.once('error', (e) => reject(errors.internal(`error dialing backend: ${e.message}`)));
    out.once('upgrade', (res, upstream, upstreamHead) => {
      socket.off('close', abandon);
      upstream.setTimeout(0);
      resolve({ upgraded: true, res, socket: upstream, head: upstreamHead });
    });
    out.once('response', (res) => {
      socket.off('close', abandon);
      resolve({ upgraded: false, res });
    });
    out.end();
  });
  if (answer) await answerUpgrade(socket, head, answer);
}

/**
 * Answers the client with the target's answer: a 101 is passed back and the connections spliced; a
 * refusal (>= 400) is passed back as it is and the connection closed; any other answer rejects with
 * upstream's 500 "invalid upgrade response" (nothing written yet).
 */
export async function answerUpgrade(socket: Duplex, head: Buffer, a: UpgradeResult): Promise<void> {
  if (a.upgraded) return splice(socket, head, rawHead(a.res, () => true), a.socket, a.head);
  const code = a.res.statusCode ?? 0;
  if (code < 400) {
    a.res.destroy();
    throw errors.internal(`invalid upgrade response: status code ${code}`);
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

/** An answer's status line and the headers `keep` accepts, as the target wrote them, then `extra`, then the blank line. */
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
