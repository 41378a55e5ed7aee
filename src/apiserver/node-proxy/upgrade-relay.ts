/**
 * Upgrade requests the API server does not translate (plain SPDY/3.1 from older or falling-back
 * kubectl, the legacy WebSocket protocols) are relayed to the node agent unchanged and the two
 * connections spliced, as kube-apiserver's UpgradeAwareHandler does (for exec, attach and port-forward
 * it requires the upgrade); the agent relays them on to the runtime, which speaks these protocols itself.
 */
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Status } from '../../api/status.js';
import { answerUpgrade, refusalAnswer } from '../../api/proxy/upgrade-answer.js';
import type { AgentClient } from './agent-client.js';

/** Answers an upgrade request with an error Status and closes the connection. */
export function refuseUpgrade(socket: Duplex, st: Status): void {
  if (!socket.writable) return;
  socket.end(refusalAnswer(st));
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

/**
 * Relays the upgrade to the node agent's `path` and answers the client as UpgradeAwareHandler does
 * (src/api/proxy/upgrade-answer.ts): the agent's 101 spliced, its refusal (>= 400) passed back as it is; any
 * other answer rejects with the 500 "invalid upgrade response", answered by the router.
 */
export async function relayToAgent(agents: AgentClient, nodeName: string, path: string, req: IncomingMessage, client: Duplex, head: Buffer): Promise<void> {
  await answerUpgrade(client, head, await agents.upgrade(nodeName, req.method ?? 'GET', path, forwardedHeaders(req)));
}
