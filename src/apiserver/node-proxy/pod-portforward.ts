/**
 * pods/portforward. kubectl 1.31+ asks for a WebSocket with `SPDY/3.1+portforward.k8s.io`: SPDY
 * framing carried inside binary WebSocket messages, with kubectl as the SPDY client. As
 * kube-apiserver's TunnelingHandler (apiserver/pkg/util/proxy/streamtunnel.go), the API server first
 * makes a plain SPDY/3.1 upgrade to the node offering the tunneled protocols without their
 * `SPDY/3.1+` prefix, and only once the node has switched protocols completes the WebSocket handshake,
 * choosing `SPDY/3.1+` + the node's X-Stream-Protocol-Version; then it unwraps the messages into a byte
 * stream spliced onto the node's connection, whose runtime is the SPDY server (per forwarded
 * connection an `error` and a `data` stream with `port` and `requestID` headers). The SPDY session
 * itself passes through untouched. A plain SPDY upgrade is relayed as is.
 *
 * `/` and `+` are not RFC 7230 token characters, so `ws` refuses `SPDY/3.1+portforward.k8s.io` in
 * Sec-WebSocket-Protocol ("Invalid Sec-WebSocket-Protocol header", 400, which kubectl answers by
 * silently falling back to SPDY). gorilla/websocket, which kubectl and kube-apiserver use, takes any
 * comma-separated value. So the API server reads the offer itself, hides it from `ws`, and names the
 * chosen protocol in the handshake response through ws's `headers` hook.
 */
import { WebSocketServer, type WebSocket } from 'ws';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { StreamingHandler } from '../http/streaming.js';
import { toStatus } from '../http/respond.js';
import type { AgentClient } from './agent-client.js';
import { offeredProtocols } from './channel-frames.js';
import { agentError } from './pod-logs.js';
import { portForwardPath, portsOption, resolvePodTarget, withAdmittedOptions } from './pod-target.js';
import { refuseUpgrade, relayToAgent } from './upgrade-relay.js';
import { throttleTowards } from './ws-backpressure.js';
/** upstream's constants.WebsocketsSPDYTunnelingPrefix */
export const SPDY_TUNNELING_PREFIX = 'SPDY/3.1+';

/** The SPDY protocols tunneled in the offered WebSocket protocols, as upstream's spdyProtocolsFromWebsocketProtocols. */
export function tunneledSpdyProtocols(header: string | string[] | undefined): string[] {
  return offeredProtocols(header)
    .filter((p) => p.startsWith(SPDY_TUNNELING_PREFIX) && p.endsWith('.k8s.io'))
    .map((p) => p.slice(SPDY_TUNNELING_PREFIX.length));
}

/** The WebSocket protocol each accepted tunneling handshake answers with. */
const chosen = new WeakMap<IncomingMessage, string>();
const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
wss.on('headers', (headers: string[], req: IncomingMessage) => {
  const protocol = chosen.get(req);
  if (protocol) headers.push(`Sec-WebSocket-Protocol: ${protocol}`);
});

export function podPortForwardHandler(agents: AgentClient): StreamingHandler {
  return {
    resource: 'pods',
    subresource: 'portforward',
    // PodPortForwardOptions (ports, int32, omitted when none) for admission.
    connectOptions: (r) => {
      const ports = portsOption(r.query.getAll('ports'));
      return { kind: 'PodPortForwardOptions', apiVersion: 'v1', ...(ports.length ? { ports } : {}) };
    },
    async upgrade(req, socket, head, sent) {
      const r = withAdmittedOptions(sent);
      const target = await resolvePodTarget(r, false);
      const path = portForwardPath(target, r.query);
      const spdyProtocols = req.headers.upgrade?.toLowerCase() === 'websocket' ? tunneledSpdyProtocols(req.headers['sec-websocket-protocol']) : [];
      if (spdyProtocols.length === 0) return relayToAgent(agents, target.nodeName, path, req, socket, head);
      const up = await agents.upgrade(target.nodeName, 'POST', path, { Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': spdyProtocols });
      if (!up.upgraded) return refuseUpgrade(socket, toStatus(await agentError(up.res)));
      // As upstream: the node's choice, prefixed; no protocol in the answer when the node named none.
      const negotiated = String(up.res.headers['x-stream-protocol-version'] ?? '').trim();
      if (negotiated) chosen.set(req, SPDY_TUNNELING_PREFIX + negotiated);
      delete req.headers['sec-websocket-protocol'];
      wss.handleUpgrade(req, socket, head, (ws) => tunnel(ws, up.socket, up.head));
    },
  };
}

/** Splices WebSocket binary messages (in both directions) onto a byte stream. */
export function tunnel(ws: WebSocket, upstream: Duplex, initial: Buffer): void {
  if (initial.length > 0) ws.send(initial, { binary: true });
  const throttle = throttleTowards(ws, upstream);
  upstream.on('data', (d: Buffer) => {
    ws.send(d, { binary: true });
    throttle();
  });
  ws.on('message', (data: Buffer) => {
    upstream.write(Buffer.isBuffer(data) ? data : Buffer.from(data));
  });
  upstream.once('close', () => {
    if (ws.readyState === ws.OPEN) ws.close(1000);
  });
  upstream.once('error', () => upstream.destroy());
  ws.once('close', () => upstream.destroy());
  ws.once('error', () => upstream.destroy());
}
