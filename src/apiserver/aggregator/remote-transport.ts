/**
 * The connection to an extension API server, as kube-aggregator's remote.BuildTransportConfig and
 * transport.NewAuthProxyRoundTripper: HTTPS presenting the front proxy's client certificate,
 * verifying the server against the APIService's caBundle (system roots without one) under the name
 * <service>.<namespace>.svc, or not at all with insecureSkipTLSVerify; the user travels in
 * X-Remote-User, X-Remote-Group (one per group) and X-Remote-Extra-<key> (key URL-escaped). Keep-alive
 * agents per TLS configuration.
 */
import { Agent, request } from 'node:https';
import type { OutgoingHttpHeaders } from 'node:http';
import type { APIServiceSpec } from '../../api/kinds/apiregistration/api-service.js';
import type { KeyPair } from '../pki/certs.js';
import type { UserInfo } from '../http/authn.js';
import { BEARER_PROTOCOL_PREFIX } from '../http/websocket-token.js';
import { REMOTE_EXTRA_PREFIX, REMOTE_GROUP_HEADER, REMOTE_USER_HEADER } from './authentication-configmap.js';
import type { ResolvedEndpoint } from './service-resolver.js';

export class RemoteAgents {
  private readonly agents = new Map<string, Agent>();

  constructor(private readonly client: () => KeyPair) {}

  /** The agent for an APIService's TLS settings (a new one when the proxy's certificate was renewed). */
  agentFor(spec: Partial<APIServiceSpec>): Agent {
    const tls = this.tlsFor(spec);
    const key = JSON.stringify([tls.ca ?? '', tls.rejectUnauthorized, tls.cert]);
    let a = this.agents.get(key);
    if (!a) {
      a = new Agent({ keepAlive: true, maxSockets: 128, ...tls });
      this.agents.set(key, a);
    }
    return a;
  }

  /** The TLS options of a connection for an APIService (an upgraded one has its own socket, outside the agents' pools). */
  tlsFor(spec: Partial<APIServiceSpec>): { cert: string; key: string; rejectUnauthorized: boolean; ca?: string } {
    const client = this.client();
    return {
      cert: client.cert, key: client.key, rejectUnauthorized: spec.insecureSkipTLSVerify !== true,
      ...(spec.caBundle ? { ca: Buffer.from(spec.caBundle, 'base64').toString('utf8') } : {}),
    };
  }

  close(): void {
    for (const a of this.agents.values()) a.destroy();
    this.agents.clear();
  }
}

/** Request headers no proxy forwards (hop-by-hop), plus what only this server may judge: credentials and identity. */
const DROPPED = /^(host|connection|keep-alive|proxy-.*|te|trailer|transfer-encoding|upgrade|authorization|impersonate-.*|x-remote-.*)$/i;

/**
 * The client's headers to forward, with the authenticated user set as upstream's SetAuthProxyHeaders.
 * An upgrade keeps `Connection: Upgrade` and its `Upgrade` protocols (UpgradeAwareHandler), minus any
 * bearer token offered as a WebSocket subprotocol: a credential for this server, not the extension.
 */
export function proxiedHeaders(incoming: Record<string, string | string[] | undefined>, user: UserInfo, upgrade?: string): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(incoming)) if (v !== undefined && !DROPPED.test(k)) out[k] = v;
  if (upgrade !== undefined) {
    out.connection = 'Upgrade';
    out.upgrade = upgrade;
    const protocols = incoming['sec-websocket-protocol'];
    if (protocols !== undefined) {
      const kept = (Array.isArray(protocols) ? protocols.join(',') : protocols).split(',').map((p) => p.trim()).filter((p) => p && !p.startsWith(BEARER_PROTOCOL_PREFIX));
      if (kept.length > 0) out['sec-websocket-protocol'] = kept.join(', ');
      else delete out['sec-websocket-protocol'];
    }
  }
  return { ...out, ...identityHeaders(user) };
}

export function identityHeaders(user: UserInfo): OutgoingHttpHeaders {
  const h: OutgoingHttpHeaders = { [REMOTE_USER_HEADER]: user.name };
  if (user.groups.length) h[REMOTE_GROUP_HEADER] = [...user.groups];
  for (const [k, vs] of Object.entries(user.extra ?? {})) h[`${REMOTE_EXTRA_PREFIX}${encodeURIComponent(k)}`] = [...vs];
  return h;
}

/** Response headers not passed back to the client (hop-by-hop). */
export const HOP_BY_HOP = /^(connection|keep-alive|proxy-.*|te|trailer|transfer-encoding|upgrade)$/i;

/** The aggregator's own identity toward extensions (discovery checks, OpenAPI downloads). */
export const AGGREGATOR_USER: UserInfo = { name: 'system:kube-aggregator', groups: ['system:masters'] };

/** GET `path` from an extension's endpoint as the aggregator (whole body; `timeoutMs` until the answer's headers). */
export function remoteGet(ep: ResolvedEndpoint, path: string, agent: Agent, timeoutMs: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const r = request({ host: ep.host, port: ep.port, path, servername: ep.serverName, agent, method: 'GET', timeout: timeoutMs, headers: { accept: 'application/json', ...identityHeaders(AGGREGATOR_USER) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    r.on('timeout', () => r.destroy(new Error('Client.Timeout exceeded while awaiting headers')));
    r.on('error', reject);
    r.end();
  });
}
