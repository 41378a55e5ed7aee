/**
 * Upgrade requests (`Connection: Upgrade`: a WebSocket, SPDY) through pods/proxy and services/proxy
 * (and nodes/proxy, whose answer comes over the agent's connection: node-proxy.ts), as upstream's UpgradeAwareHandler.tryUpgrade (apimachinery util/proxy/upgradeaware.go). Authentication,
 * authorization (the verb of the request's method on pods/proxy, services/proxy, nodes/proxy) and CONNECT
 * admission happened before (router.ts); then the API server dials the target itself, sends the
 * request on and answers with the target's answer (src/api/proxy/upgrade-answer.ts):
 *  - 101 Switching Protocols: passed back with the target's headers, then bytes are copied both ways
 *    until either side closes, when both connections are destroyed (the API server's stop destroys the
 *    client's, listener.ts, and with it the target's);
 *  - 400 or above: passed back as it is (status, headers, body), then the connection closed;
 *  - any other answer: a 500 Status "invalid upgrade response: status code N";
 *  - the target not reached, or its port not a number (targetUrl): a 500 Status "error dialing
 *    backend: ..." (upgradeaware.go's dial wraps the dial error with fmt.Errorf);
 * both plain errors, which upstream's responder (ErrorNegotiated -> ErrorToAPIStatus) answers with
 * reason "" (StatusReasonUnknown), not InternalError.
 * Headers go on as sent but the caller's credentials and Host (as the plain proxy, pod-proxy.ts),
 * with the client's address appended to X-Forwarded-For (AppendForwardedForHeader). There is no
 * redirect of the bare proxy root (tryUpgrade runs first) and no link rewriting. Unlike upstream
 * before kubernetes/kubernetes#139292 (issue 77142), the query goes on as for plain requests.
 */
import { request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Duplex } from 'node:stream';
import { errors } from '../../api/status.js';
import { answerUpgrade, type UpgradeResult } from '../../api/proxy/upgrade-answer.js';
import { forwardedHeaders } from './node-proxy.js';
import type { ProxyTarget } from './pod-proxy.js';
import { proxiedPath } from './proxy-options.js';

/** Reaching the target and its answer's head are bounded, as upstream's dialer; the upgraded stream is not. */
const DIAL_TIMEOUT_MS = 30_000;

/** `host:port` of a target, an IPv6 address in brackets. */
export function targetAuthority(t: ProxyTarget): string {
  const host = t.host.includes(':') ? `[${t.host}]` : t.host;
  return `${host}${t.port ? `:${t.port}` : ''}`;
}

/**
 * The URL a target is asked at (`pathAndQuery` starts with `/`). Throws Go's dial error for a port
 * that is not a number up to 65535: upstream's pod ResourceLocation puts `pods/NAME:PORT`'s port into
 * the address as given (a container port's name is never resolved) and the dial fails on it. Checked
 * before node:http sees the URL: it throws its own TypeError (Invalid URL), which the API server could
 * only answer as a bare 500 "an internal error occurred". (Go's dialer also resolves /etc/services
 * names such as `http`; here every name fails.)
 */
export function targetUrl(t: ProxyTarget, pathAndQuery: string): string {
  if (t.port && !/^\d+$/.test(t.port)) throw new Error(`dial tcp: lookup tcp/${t.port}: unknown port`);
  if (Number(t.port) > 65535) throw new Error(`dial tcp: address ${t.port}: invalid port`);
  return `${t.scheme || 'http'}://${targetAuthority(t)}${pathAndQuery}`;
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
  const dialError = (e: Error) => errors.plain(`error dialing backend: ${e.message}`);
  const answer = await new Promise<UpgradeResult | undefined>((resolve, reject) => {
    let url: string;
    try {
      url = targetUrl(t, `${sub || '/'}${query}`);
    } catch (e) {
      return reject(dialError(e as Error));
    }
    const out = request(url, { method: req.method, headers: upgradeHeaders(req), agent: false, rejectUnauthorized: false });
    out.setTimeout(DIAL_TIMEOUT_MS, () => out.destroy(new Error('timed out awaiting the answer')));
    // The client gone before the target answered: stop dialing.
    const abandon = (): void => {
      out.destroy();
      resolve(undefined);
    };
    socket.once('close', abandon);
    out.once('error', (e) => reject(dialError(e)));
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
