/**
 * pods/portforward. kubectl 1.31+ asks for a WebSocket with `SPDY/3.1+portforward.k8s.io`: SPDY
 * framing carried inside binary WebSocket messages, with kubectl as the SPDY client. As
 * kube-apiserver's tunneling handler, the API server unwraps the messages into a byte stream and
 * splices it onto a plain SPDY/3.1 upgrade (`portforward.k8s.io`) to the node, whose runtime is the
 * SPDY server (per forwarded connection an `error` and a `data` stream with `port` and `requestID`
 * headers). The SPDY session itself passes through untouched. A plain SPDY upgrade is relayed as is.
 */
import { WebSocketServer, type WebSocket } from 'ws';
import type { Duplex } from 'node:stream';
import type { StreamingHandler } from '../http/streaming.js';
import { toStatus } from '../http/respond.js';
import type { AgentClient } from './agent-client.js';
import { offeredProtocols } from './channel-frames.js';
import { agentError } from './pod-logs.js';
import { portForwardPath, resolvePodTarget } from './pod-target.js';
import { refuseUpgrade, relayToAgent } from './upgrade-relay.js';
import { throttleTowards } from './ws-backpressure.js';

export const PORTFORWARD_PROTOCOL = 'portforward.k8s.io';
export const TUNNELED_PORTFORWARD_PROTOCOL = `SPDY/3.1+${PORTFORWARD_PROTOCOL}`;

const wss = new WebSocketServer({
  noServer: true,
  perMessageDeflate: false,
  handleProtocols: (offered) => (offered.has(TUNNELED_PORTFORWARD_PROTOCOL) ? TUNNELED_PORTFORWARD_PROTOCOL : false),
});

export function podPortForwardHandler(agents: AgentClient): StreamingHandler {
  return {
    resource: 'pods',
    subresource: 'portforward',
    async upgrade(req, socket, head, r) {
      const target = await resolvePodTarget(r, false);
      const path = portForwardPath(target, r.query);
      const tunneled = req.headers.upgrade?.toLowerCase() === 'websocket'
        && offeredProtocols(req.headers['sec-websocket-protocol']).includes(TUNNELED_PORTFORWARD_PROTOCOL);
      if (!tunneled) return relayToAgent(agents, target.nodeName, path, req, socket, head);
      const up = await agents.upgrade(target.nodeName, 'POST', path, { Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': PORTFORWARD_PROTOCOL });
      if (!up.upgraded) return refuseUpgrade(socket, toStatus(await agentError(up.res)));
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
