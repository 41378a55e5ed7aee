/**
 * A raw HTTPS client for tests that need exact requests and responses (status codes, headers, bodies
 * the real clients would never send). Credentials come from a server's data dir PKI.
 */
import { readFileSync } from 'node:fs';
import { request as httpsRequest, Agent, type AgentOptions } from 'node:https';
import { join } from 'node:path';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** body parsed as JSON, or undefined when it is not JSON. */
  json: any;
  /** The body's bytes (binary answers such as protobuf). */
  bytes: Buffer;
}

export interface RawRequest {
  method?: string;
  /** A list is sent as the header repeated (Impersonate-Group). */
  headers?: Record<string, string | number | string[]>;
  body?: string | Buffer;
  /** false: send no client certificate (anonymous). */
  clientCert?: boolean;
}

export class RawClient {
  private readonly ca: string;
  private readonly cert: string;
  private readonly key: string;
  private readonly agent: Agent;
  private readonly anonAgent: Agent;

  constructor(readonly url: string, dataDir: string) {
    const pki = join(dataDir, 'pki');
    this.ca = readFileSync(join(pki, 'ca.crt'), 'utf8');
    this.cert = readFileSync(join(pki, 'admin.crt'), 'utf8');
    this.key = readFileSync(join(pki, 'admin.key'), 'utf8');
    this.agent = new Agent({ keepAlive: true, noDelay: true, ca: this.ca, cert: this.cert, key: this.key, maxSockets: 64 } as AgentOptions);
    this.anonAgent = new Agent({ keepAlive: false, ca: this.ca });
  }

  request(path: string, r: RawRequest = {}): Promise<RawResponse> {
    const u = new URL(path, this.url);
    return new Promise((resolve, reject) => {
      const req = httpsRequest(u, {
        method: r.method ?? 'GET',
        agent: r.clientCert === false ? this.anonAgent : this.agent,
        headers: { ...(r.body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...r.headers },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const bytes = Buffer.concat(chunks);
          const body = bytes.toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(body);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json, bytes });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      if (r.body !== undefined) req.end(r.body);
      else req.end();
    });
  }

  /** Sends a JSON body with the given method. */
  send(method: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<RawResponse> {
    return this.request(path, { method, body: typeof body === 'string' ? body : JSON.stringify(body), headers });
  }

  close(): void {
    this.agent.destroy();
    this.anonAgent.destroy();
  }
}
