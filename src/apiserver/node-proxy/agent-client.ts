/**
 * How the API server calls a node agent, as kube-apiserver calls a kubelet: the address is the
 * Node's InternalIP (else ExternalIP, else Hostname) and status.daemonEndpoints.kubeletEndpoint.Port;
 * the API server authenticates with its kubelet-client certificate from the cluster CA
 * (CN kube-apiserver-kubelet-client, O system:masters). As kube-apiserver with
 * --kubelet-certificate-authority, every call verifies the agent's serving certificate: it must
 * chain to the cluster CA and name the node (a DNS subjectAltName equal to the node name, which the
 * join signs for that node only, src/apiserver/join/node-credentials.ts). Anything else listening
 * at the Node's address (a node that points its status at another machine, a man in the middle)
 * fails the TLS handshake before a request, and with it the pod's logs or an exec's stdin, is sent.
 */
import { existsSync, readFileSync } from 'node:fs';
import { request, type RequestOptions } from 'node:https';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import type { ClientRequest, IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { DEFAULT_AGENT_PORT } from '../../api/defaults.js';
import { errors } from '../../api/status.js';
import type { UpgradeResult } from '../../api/proxy/upgrade-answer.js';
import type { KeyPair } from '../pki/certs.js';
import { issueClientCertificate, type Pki } from '../pki/pki.js';
import { tightenFile, writePrivateFile } from '../pki/private-file.js';
import { needsRenewal } from '../pki/renewal.js';
import type { RequestContext, ResourceStorage } from '../storage/types.js';

export const KUBELET_CLIENT_USER = 'kube-apiserver-kubelet-client';

/** Loads DATA_DIR/pki/apiserver-kubelet-client.{crt,key}, issuing it on first use and within 90 days of its expiry. */
export function kubeletClientCertificate(pki: Pki): KeyPair {
  const crt = join(pki.dir, 'apiserver-kubelet-client.crt');
  const key = join(pki.dir, 'apiserver-kubelet-client.key');
  if (existsSync(crt) && existsSync(key) && !needsRenewal(readFileSync(crt, 'utf8'))) {
    tightenFile(key);
    return { cert: readFileSync(crt, 'utf8'), key: readFileSync(key, 'utf8') };
  }
  const pair = issueClientCertificate(pki, KUBELET_CLIENT_USER, ['system:masters']);
  writePrivateFile(crt, pair.cert);
  writePrivateFile(key, pair.key);
  return pair;
}

export interface AgentEndpoint {
  host: string;
  port: number;
}

interface NodeLike {
  metadata?: { labels?: Record<string, string> };
  status?: {
    addresses?: { type?: string; address?: string }[];
    daemonEndpoints?: { kubeletEndpoint?: { Port?: number } };
  };
}

/**
 * The agent endpoint a Node object advertises, as kube-apiserver's NodeConnectionInfoGetter finds the
 * kubelet: the first address of the preferred types (k3s's --kubelet-preferred-address-types
 * InternalIP,ExternalIP,Hostname; a Hostname falls back to the kubernetes.io/hostname label as
 * GetPreferredNodeAddress does) and the kubelet endpoint's port, the default port when it is not
 * positive. Undefined when no address is found.
 */
export function agentEndpointOf(node: NodeLike): AgentEndpoint | undefined {
  const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port;
  const addrs = node.status?.addresses ?? [];
  const hostname = node.metadata?.labels?.['kubernetes.io/hostname'];
  const host = ['InternalIP', 'ExternalIP', 'Hostname'].map((t) => addrs.find((a) => a.type === t && a.address)?.address ?? (t === 'Hostname' ? hostname : undefined)).find(Boolean);
  if (!host) return undefined;
  return { host, port: port && port > 0 ? port : DEFAULT_AGENT_PORT };
}

/**
 * NoMatchError's text for a node without a usable address, its addresses as Go's %v prints a
 * []NodeAddress: "no preferred addresses found; known addresses: [{InternalIP 10.0.0.1}]".
 */
function noPreferredAddress(node: NodeLike): string {
  const known = (node.status?.addresses ?? []).map((a) => `{${a.type ?? ''} ${a.address ?? ''}}`).join(' ');
  return `no preferred addresses found; known addresses: [${known}]`;
}

export interface AgentClientOptions {
  /** The client certificate; called on first use (issuing one costs an RSA key generation). */
  client: () => KeyPair;
  /** The CA agents' serving certificates must chain to (the cluster CA). */
  agentCa: string;
  nodes: () => ResourceStorage | undefined;
}

const internalCtx: RequestContext = { user: 'system:apiserver', groups: ['system:masters'], dryRun: false, fieldValidation: 'Ignore', warnings: [] };

export class AgentClient {
  private cert?: KeyPair;
  /** When the cached client certificate is next checked for renewal (ms since the epoch). */
  private recheckAt = 0;

  constructor(private readonly o: AgentClientOptions) {}

  async endpoint(nodeName: string): Promise<AgentEndpoint> {
    const nodes = this.o.nodes();
    if (!nodes) throw errors.internal('nodes are not served');
    const node = (await nodes.get(internalCtx, undefined, nodeName)) as NodeLike;
    const ep = agentEndpointOf(node);
    // A plain error upstream (NoMatchError from GetConnectionInfo): 500 without reason.
    if (!ep) throw errors.plain(noPreferredAddress(node));
    return ep;
  }

  private options(nodeName: string, ep: AgentEndpoint, method: string, path: string, headers: OutgoingHttpHeaders): RequestOptions {
    if (!this.cert || Date.now() >= this.recheckAt) {
      // The certificate file is renewed near expiry (kubeletClientCertificate); look daily.
      this.cert = this.o.client();
      this.recheckAt = Date.now() + 24 * 60 * 60 * 1000;
    }
    const client = this.cert;
    return {
      host: ep.host, port: ep.port, method, path, headers,
      cert: client.cert, key: client.key,
      ca: this.o.agentCa, rejectUnauthorized: true,
      // The agent's certificate names the node, not (necessarily) the address we dial.
      checkServerIdentity: (_host: string, cert: PeerCertificate) => checkServerIdentity(nodeName, cert),
      agent: false,
    };
  }

  /**
   * A plain request (logs); resolves with the response, whatever its status. The agent not reached
   * (or its certificate refused) rejects as LocationStreamer.InputStream's client.Do error, a plain
   * *url.Error: 500 without reason, 'Get "https://HOST:PORT/PATH": ...'.
   */
  async get(nodeName: string, path: string, signal?: AbortSignal): Promise<IncomingMessage> {
    const ep = await this.endpoint(nodeName);
    const url = `https://${ep.host.includes(':') ? `[${ep.host}]` : ep.host}:${ep.port}${path}`;
    return new Promise((resolve, reject) => {
      const req = request(this.options(nodeName, ep, 'GET', path, {}), resolve);
      req.once('error', (err) => reject(errors.plain(`Get "${url}": ${err.message}`)));
      signal?.addEventListener('abort', () => req.destroy(), { once: true });
      req.end();
    });
  }

  /**
   * A request whose body the caller writes (nodes/proxy): `request` is open until the caller ends
   * it; `response` resolves with the agent's answer, whatever its status. The agent not reached is
   * the proxy transport's 503 ServiceUnavailable "error trying to reach service: ..." (apimachinery
   * proxy Transport.RoundTrip), as for pods/ and services/proxy.
   */
  async open(nodeName: string, method: string, path: string, headers: OutgoingHttpHeaders): Promise<{ request: ClientRequest; response: Promise<IncomingMessage> }> {
    const ep = await this.endpoint(nodeName);
    const req = request(this.options(nodeName, ep, method, path, headers));
    const response = new Promise<IncomingMessage>((resolve, reject) => {
      req.once('response', resolve);
      req.once('error', (err) => reject(errors.unavailable(`error trying to reach service: ${err.message}`)));
    });
    return { request: req, response };
  }

  /**
   * An upgrade request; resolves with the upgraded socket or, when the agent refused, its response.
   * The agent not reached (or its certificate refused) rejects with upgradeaware.go dial's plain
   * error, a 500 "error dialing backend: ..." without reason, as exec, attach and port-forward
   * through kube-apiserver's UpgradeAwareHandler answer.
   */
  async upgrade(nodeName: string, method: string, path: string, headers: OutgoingHttpHeaders): Promise<UpgradeResult> {
    const ep = await this.endpoint(nodeName);
    return new Promise((resolve, reject) => {
      const req = request(this.options(nodeName, ep, method, path, { Connection: 'Upgrade', ...headers }));
      req.once('upgrade', (res, socket, head) => resolve({ upgraded: true, res, socket, head }));
      req.once('response', (res) => resolve({ upgraded: false, res }));
      req.once('error', (err) => reject(errors.plain(`error dialing backend: ${err.message}`)));
      req.end();
    });
  }
}

/** Reads a (small) response body, e.g. an agent's Status. */
export async function readBody(res: IncomingMessage, limit = 64 * 1024): Promise<string> {
  let body = '';
  for await (const chunk of res) {
    if (body.length < limit) body += String(chunk);
  }
  return body.slice(0, limit);
}
