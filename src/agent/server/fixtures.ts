/** Test support: one HTTPS request to an agent server (status and body; upgrades report their status). */
import type { IncomingHttpHeaders } from 'node:http';
import { request } from 'node:https';
import type { KeyPair } from '../../apiserver/pki/certs.js';

export interface AgentCall {
  port: number;
  /** The cluster CA the server's certificate chains to. */
  ca: string;
  /** Client certificate; none: anonymous or token. */
  client?: KeyPair;
  method?: string;
  headers?: Record<string, string>;
}

export async function agentRequest(path: string, o: AgentCall): Promise<{ code: number; body: string }> {
  const { code, body } = await agentResponse(path, o);
  return { code, body };
}

/** agentRequest with the response headers. */
export function agentResponse(path: string, o: AgentCall): Promise<{ code: number; body: string; headers: IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1', port: o.port, path, method: o.method ?? 'GET', headers: o.headers ?? {},
      ca: o.ca, cert: o.client?.cert, key: o.client?.key, checkServerIdentity: () => undefined,
    }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d) => (body += d));
      res.once('end', () => resolve({ code: res.statusCode!, body, headers: res.headers }));
    });
    req.once('upgrade', (res, socket) => {
      socket.destroy();
      resolve({ code: res.statusCode!, body: '', headers: res.headers });
    });
    req.once('error', reject);
    req.end();
  });
}
