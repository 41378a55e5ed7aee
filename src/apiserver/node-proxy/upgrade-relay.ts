/**
 * Upgrade requests the API server does not translate (plain SPDY/3.1 from older or falling-back
 * kubectl, the legacy WebSocket protocols) are relayed to the node agent unchanged and the two
 * connections spliced, as kube-apiserver's UpgradeAwareHandler does; the agent relays them on to the
 * runtime, which speaks these protocols itself.
 */
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Status } from '../../api/status.js';
import { readBody, type AgentClient } from './agent-client.js';

/** Answers an upgrade request with an error Status and closes the connection. */
export function refuseUpgrade(socket: Duplex, st: Status): void {
  if (!socket.writable) return;
  const body = JSON.stringify(st);
  socket.end(`HTTP/1.1 ${st.code} ${st.reason ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/** Headers of the upgrade handshake that must reach the far end, each value on its own line. */
const FORWARDED = new Set(['upgrade', 'x-stream-protocol-version', 'sec-websocket-key', 'sec-websocket-version', 'sec-websocket-protocol', 'sec-websocket-extensions', 'origin']);

export function forwardedHeaders(req: IncomingMessage): OutgoingHttpHeaders {
  const out: Record<string, string[]> = {};
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    if (FORWARDED.has(name)) (out[name] ??= []).push(raw[i + 1]!);
  }
  return out;
}

function responseHead(res: IncomingMessage): string {
  const lines = [`HTTP/1.1 ${res.statusCode} ${res.statusMessage ?? ''}`];
  for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) lines.push(`${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

export async function relayToAgent(agents: AgentClient, nodeName: string, path: string, req: IncomingMessage, client: Duplex, head: Buffer): Promise<void> {
  const up = await agents.upgrade(nodeName, req.method ?? 'GET', path, forwardedHeaders(req));
  if (!up.upgraded) {
    // The agent (or the runtime behind it) refused: hand its answer to the client as it is.
    const res = up.res;
    const body = await readBody(res);
    const type = res.headers['content-type'] ?? 'text/plain';
    client.end(`HTTP/1.1 ${res.statusCode} ${res.statusMessage ?? ''}\r\nContent-Type: ${type}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    return;
  }
  const upstream = up.socket;
  client.write(responseHead(up.res));
  if (up.head.length > 0) client.write(up.head);
  if (head.length > 0) upstream.write(head);
  client.pipe(upstream);
  upstream.pipe(client);
  const destroyBoth = (): void => {
    client.destroy();
    upstream.destroy();
  };
  client.once('error', destroyBoth);
  upstream.once('error', destroyBoth);
  client.once('close', () => upstream.destroy());
  upstream.once('close', () => client.destroy());
}
