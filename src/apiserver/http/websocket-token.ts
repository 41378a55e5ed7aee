/**
 * Bearer tokens carried in a WebSocket subprotocol, as upstream's
 * staging/src/k8s.io/apiserver/pkg/authentication/request/websocket/protocol.go: browsers cannot set
 * an Authorization header on a WebSocket, so a client offers `base64url.bearer.authorization.k8s.io.
 * <base64url(token), unpadded>` beside the real subprotocol (v5.channel.k8s.io...). Only WebSocket
 * upgrades are looked at; the token protocol is removed from the request once the token is accepted,
 * so it is never echoed back as the chosen subprotocol.
 */
import type { IncomingMessage } from 'node:http';
import { errors } from '../../api/status.js';

export const BEARER_PROTOCOL_PREFIX = 'base64url.bearer.authorization.k8s.io.';

function isWebSocketRequest(req: IncomingMessage): boolean {
  const connection = String(req.headers.connection ?? '').toLowerCase().split(',').map((s) => s.trim());
  return connection.includes('upgrade') && String(req.headers.upgrade ?? '').toLowerCase() === 'websocket';
}

export interface WebSocketToken {
  token: string;
  /** Removes the token protocol from the request's Sec-WebSocket-Protocol (call once the token is accepted). */
  strip(): void;
}

/**
 * The token of a WebSocket upgrade, or undefined when none is offered. Malformed offers (two tokens,
 * bad encoding, a token with no other subprotocol) are 401s, as upstream's authenticator errors.
 */
export function websocketBearerToken(req: IncomingMessage): WebSocketToken | undefined {
  if (!isWebSocketRequest(req)) return undefined;
  const header = req.headers['sec-websocket-protocol'];
  if (!header) return undefined;
  const offered = (Array.isArray(header) ? header.join(',') : header).split(',').map((p) => p.trim()).filter(Boolean);
  const others: string[] = [];
  let token: string | undefined;
  for (const p of offered) {
    if (!p.startsWith(BEARER_PROTOCOL_PREFIX)) {
      others.push(p);
      continue;
    }
    if (token !== undefined) throw errors.unauthorized('multiple base64.bearer.authorization tokens specified');
    const encoded = p.slice(BEARER_PROTOCOL_PREFIX.length);
    if (!/^[A-Za-z0-9_-]*$/.test(encoded) || encoded.length % 4 === 1) throw errors.unauthorized('invalid base64.bearer.authorization token encoding');
    const bytes = Buffer.from(encoded, 'base64url');
    const text = bytes.toString('utf8');
    if (!Buffer.from(text, 'utf8').equals(bytes)) throw errors.unauthorized('invalid base64.bearer.authorization token');
    token = text;
  }
  if (!token) return undefined;
  if (others.length === 0) throw errors.unauthorized('missing additional subprotocol');
  return { token, strip: () => { req.headers['sec-websocket-protocol'] = others.join(','); } };
}
