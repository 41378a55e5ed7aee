/**
 * Relays an upgrade request (SPDY/3.1 or WebSocket) to the container runtime's streaming server and
 * answers the caller as the kubelet's proxyStream does (an UpgradeAwareHandler with upgradeRequired):
 * the runtime's 101 is passed back and the two connections spliced, its refusal (400 or above)
 * passed back as it is, any other answer ("invalid upgrade response: status code N") and a failure
 * to reach the runtime answered 500 with the error's text, as the kubelet's responder does
 * (http.Error). The rule is the API server's proxies' too (src/api/proxy/upgrade-answer.ts). The relay
 * never parses the stream: protocol negotiation (X-Stream-Protocol-Version, Sec-WebSocket-Protocol)
 * happens end to end between the caller and the runtime.
 */
import { request, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { answerUpgrade, type UpgradeResult } from '../../api/proxy/upgrade-answer.js';

/** Headers that belong to this hop (or name the wrong host) and are not forwarded. */
const DROPPED = new Set(['host', 'authorization', 'content-length', 'transfer-encoding', 'proxy-connection', 'keep-alive']);

/** The target's Host, then the caller's headers, as raw name/value pairs (repeated names kept apart). */
export function relayedHeaders(req: IncomingMessage, target: URL): string[] {
  // Raw headers get no Host from node:http; the runtime's streaming server (Go) requires one.
  const out: string[] = ['Host', target.host];
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (!DROPPED.has(raw[i]!.toLowerCase())) out.push(raw[i]!, raw[i + 1]!);
  }
  return out;
}

/** Sends the upgrade request to `target` (plain http: the runtime's streaming server listens on loopback). */
function upgradeAt(req: IncomingMessage, target: URL): Promise<UpgradeResult> {
  return new Promise((resolve, reject) => {
    if (target.protocol !== 'http:') throw new Error(`unsupported streaming URL scheme "${target.protocol}"`);
    const method = req.method ?? 'GET';
    const headers = relayedHeaders(req, target);
    // No body: an empty one declared, else node:http would send a POST's as chunks, and the
    // end-of-chunks bytes would reach the runtime as the start of the upgraded stream.
    if (method !== 'GET' && method !== 'HEAD') headers.push('Content-Length', '0');
    const r = request({
      host: target.hostname, port: Number(target.port || 80), path: `${target.pathname}${target.search}`,
      method, headers, agent: false,
    });
    r.once('upgrade', (res, socket, head) => resolve({ upgraded: true, res, socket, head }));
    r.once('response', (res) => resolve({ upgraded: false, res }));
    r.once('error', reject);
    r.end();
  });
}

/** Relays and answers; never rejects (every failure is answered on `client`). */
export async function relayUpgrade(req: IncomingMessage, client: Duplex, head: Buffer, target: URL): Promise<void> {
  // The caller going away while the runtime is asked only ends its own connection.
  client.on('error', () => client.destroy());
  try {
    await answerUpgrade(client, head, await upgradeAt(req, target));
  } catch (err) {
    if (!client.writable) return;
    const body = `${(err as Error).message}\n`;
    client.end(`HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain; charset=utf-8\r\nX-Content-Type-Options: nosniff\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  }
}
