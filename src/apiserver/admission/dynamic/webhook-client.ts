/**
 * One call of an admission webhook: POST an AdmissionReview v1 over HTTPS (verified against the
 * configuration's caBundle, or the system roots without one), with `?timeout=Ns` and the
 * configuration's timeout, and the response checked as upstream's webhook/request.go
 * VerifyAdmissionResponse (apiVersion, kind, uid). A clientConfig.service is resolved to one ready
 * endpoint of the Service, as upstream's endpoint service resolver (ResolveEndpoint), and verified
 * under the name `<service>.<namespace>.svc`. Keep-alive agents per CA keep loopback calls cheap.
 */
import { Agent, request, type RequestOptions } from 'node:https';
import { endpoints as endpointsDef } from '../../../api/kinds/core/endpoints.js';
import { services as serviceDef } from '../../../api/kinds/core/service.js';
import type { Store } from '../../../store/types.js';
import { decodeKv } from '../../storage/codec.js';
import { objectKey } from '../../storage/keys.js';
import type { AdmissionRequest } from './admission-review.js';

export interface WebhookClientConfig {
  url?: string;
  service?: { namespace?: string; name?: string; path?: string; port?: number };
  caBundle?: string;
}

export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  status?: { code?: number; message?: string; reason?: string; status?: string; details?: unknown };
  patch?: string;
  patchType?: string;
  warnings?: string[];
  auditAnnotations?: Record<string, string>;
}

/** A failure to call the webhook (as opposed to a refusal): subject to the failurePolicy. */
export class WebhookCallError extends Error {}

const agents = new Map<string, Agent>();
function agentFor(caBundle: string | undefined): Agent {
  const key = caBundle ?? '';
  let a = agents.get(key);
  if (!a) {
    a = new Agent({ keepAlive: true, maxSockets: 64, ...(caBundle ? { ca: Buffer.from(caBundle, 'base64').toString('utf8') } : {}) });
    agents.set(key, a);
  }
  return a;
}

/** The endpoint a Service reference reaches (ResolveEndpoint): host, port and the name the certificate must carry. */
async function resolveService(store: Store, svc: NonNullable<WebhookClientConfig['service']>): Promise<{ host: string; port: number; serverName: string; display: string }> {
  const ns = svc.namespace ?? '';
  const name = svc.name ?? '';
  const port = svc.port ?? 443;
  const display = `${name}.${ns}.svc:${port}`;
  const svcKv = await store.get(objectKey(serviceDef, ns, name));
  if (!svcKv) throw new WebhookCallError(`service "${name}" not found`);
  const spec = decodeKv(serviceDef, svcKv).spec ?? {};
  if (spec.type === 'ExternalName') return { host: spec.externalName ?? '', port, serverName: spec.externalName ?? '', display };
  const svcPort = (spec.ports ?? []).find((p) => p.port === port);
  if (!svcPort) throw new WebhookCallError(`no service port ${port} found for service "${name}"`);
  const epKv = await store.get(objectKey(endpointsDef, ns, name));
  const subsets = (epKv ? decodeKv(endpointsDef, epKv).subsets : undefined) ?? [];
  for (const ss of subsets) {
    const p = (ss.ports ?? []).find((x) => (x.name ?? '') === (svcPort.name ?? ''));
    const addrs = ss.addresses ?? [];
    if (p && addrs.length > 0) {
      const a = addrs[Math.floor(Math.random() * addrs.length)]!;
      return { host: a.ip, port: p.port, serverName: `${name}.${ns}.svc`, display };
    }
  }
  throw new WebhookCallError(`service "${name}" has no endpoints`, { cause: 'ServiceUnavailable' });
}

/**
 * POSTs a review (any JSON body) to a webhook's clientConfig and answers the response's text; a
 * failure to reach it, a timeout or a status of 300 or more is a WebhookCallError. Shared by
 * admission webhooks and CRD conversion webhooks (upstream's webhook.ClientManager serves both).
 */
export async function postToWebhook(store: Store, cc: WebhookClientConfig, timeoutSeconds: number, body: string): Promise<string> {
  let opts: RequestOptions;
  let shown: string;
  const query = `?timeout=${timeoutSeconds}s`;
  if (cc.url) {
    const u = new URL(cc.url);
    shown = `${u.origin}${u.pathname}${query}`;
    opts = { host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port || 443), path: `${u.pathname}${query}`, servername: isIp(u.hostname) ? undefined : u.hostname };
  } else {
    const s = await resolveService(store, cc.service ?? {});
    const path = cc.service?.path ?? '/';
    shown = `https://${s.display}${path}${query}`;
    opts = { host: s.host, port: s.port, path: `${path}${query}`, servername: s.serverName };
  }
  return new Promise<string>((resolve, reject) => {
    const r = request({
      ...opts, method: 'POST', agent: agentFor(cc.caBundle), timeout: timeoutSeconds * 1000,
      headers: { 'content-type': 'application/json', accept: 'application/json', 'content-length': Buffer.byteLength(body) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const t = Buffer.concat(chunks).toString('utf8');
        if ((res.statusCode ?? 0) >= 300) reject(new WebhookCallError(`failed to call webhook: an error on the server ("${t.slice(0, 200)}") has prevented the request from succeeding`));
        else resolve(t);
      });
      res.on('error', reject);
    });
    r.on('timeout', () => r.destroy(new WebhookCallError(`failed to call webhook: Post "${shown}": context deadline exceeded`)));
    r.on('error', (err) => reject(err instanceof WebhookCallError ? err : new WebhookCallError(`failed to call webhook: Post "${shown}": ${err.message}`)));
    r.end(body);
  });
}

export async function callWebhook(store: Store, cc: WebhookClientConfig, timeoutSeconds: number, req: AdmissionRequest): Promise<AdmissionResponse> {
  const body = JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: req });
  const text = await postToWebhook(store, cc, timeoutSeconds, body);
  let review: { apiVersion?: string; kind?: string; response?: AdmissionResponse };
  try {
    review = JSON.parse(text) as typeof review;
  } catch {
    throw new WebhookCallError('received invalid webhook response: the response is not JSON');
  }
  if (review.apiVersion !== 'admission.k8s.io/v1' || review.kind !== 'AdmissionReview') {
    throw new WebhookCallError(`received invalid webhook response: expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview, got ${review.apiVersion ?? ''}, Kind=${review.kind ?? ''}`);
  }
  const resp = review.response;
  if (!resp) throw new WebhookCallError('received invalid webhook response: webhook response was absent');
  if (resp.uid !== req.uid) throw new WebhookCallError(`received invalid webhook response: expected response.uid="${req.uid}", got "${resp.uid ?? ''}"`);
  return resp;
}

function isIp(h: string): boolean {
  return /^[\d.]+$/.test(h) || h.includes(':') || h.startsWith('[');
}

/** Closes idle keep-alive connections (tests, shutdown). */
export function closeWebhookConnections(): void {
  for (const a of agents.values()) a.destroy();
  agents.clear();
}
