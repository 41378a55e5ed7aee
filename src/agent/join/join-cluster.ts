/**
 * Joining a cluster, agent side (k3s's flow): fetch the CA bundle from GET /cacerts without trusting
 * the connection, check its sha256 against the token's pin (refusing on mismatch), then, now over TLS
 * verified with that CA, ask POST /bosun/v1/node-credentials for the node's client and serving
 * certificates with the token secret and the node password. Writes under DATA_DIR/agent:
 *   kubeconfig.yaml        the node's API credential (user system:node:<name>)
 *   pki/ca.crt             the pinned cluster CA
 *   pki/client.{crt,key}   the node identity; pki/serving.{crt,key} the agent server's certificate
 *   pki/kube-proxy.{crt,key}, pki/dns.{crt,key}   the service proxy's and the cluster DNS's identities
 *   node-password          created once, kept: it proves this machine owns the node name
 * Each request is retried while the server cannot be reached or answers 5xx/429 (retry-transient.ts,
 * as a kubelet keeps trying its API server); a CA pin mismatch, 401/403 and other 4xx fail at once.
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { parseJoinToken } from './join-token.js';
import { parseRetryAfter } from '../../client/errors.js';
import { HttpAnswerError, retryTransient } from './retry-transient.js';

export interface JoinOptions {
  /** https://HOST:PORT of the server. */
  server: string;
  token: string;
  nodeName: string;
  /** The agent's DATA_DIR; files go to DATA_DIR/agent. */
  dataDir: string;
  /** Extra IPs and names for the agent's serving certificate (the node name is always in it). */
  addresses?: string[];
  /** Ask for the Ingress controller's certificate too (the node runs it). */
  ingress?: boolean;
  /**
   * Set by a renewal: when the server refuses the Ingress controller's certificate (403: it no
   * longer names this node in --agent-ingress-nodes), the join is asked again without it, so the
   * node's own, proxy's and DNS's certificates still renew, and this is told the server's refusal.
   * Unset (a start, which needs the credential to run the controller), the 403 fails the join.
   */
  onIngressRefused?: (message: string) => void;
  /** Per request, default 30 s. */
  timeoutMs?: number;
  /** Told of each retry (the server not reachable yet, or answering 5xx/429). */
  log?: (msg: string) => void;
  /** Stops the retries: the join rejects with the last failure. */
  signal?: AbortSignal;
}

export interface JoinResult {
  kubeconfigPath: string;
  caPath: string;
  servingCertPath: string;
  servingKeyPath: string;
  /** PEMs, for callers that serve without reading the files back. */
  caCert: string;
  client: KeyPair;
  serving: KeyPair;
  /** The service proxy's (system:kube-proxy) and the cluster DNS's (kube-system/kube-dns) client certificates. */
  proxy: KeyPair;
  dns: KeyPair;
  /** The Ingress controller's (kube-system/bosun-ingress), when `ingress` asked for it. */
  ingress?: KeyPair;
}

interface KeyPair { cert: string; key: string }
interface NodeCredentials { kind: string; caCert: string; client: KeyPair; serving: KeyPair; proxy: KeyPair; dns: KeyPair; ingress?: KeyPair }

/** Thrown when the server's CA does not match the token's pin: do not retry blindly. */
export class CaPinMismatchError extends Error {}

function call(url: URL, o: { method: string; ca?: string; headers?: Record<string, string>; body?: string; timeoutMs: number }): Promise<{ status: number; body: string; retryAfter?: number }> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: o.method,
      headers: { ...o.headers, ...(o.body !== undefined ? { 'Content-Length': String(Buffer.byteLength(o.body)) } : {}) },
      // Without a CA yet, the connection is not trusted; what it returns is checked against the pin.
      // An empty CA list, not none: without `ca` node loads its ~140 bundled root certificates into an
      // OpenSSL store that stays for the life of the process (~0.1 MiB RSS), to verify nothing.
      ...(o.ca ? { ca: o.ca, rejectUnauthorized: true } : { ca: [], rejectUnauthorized: false }),
      timeout: o.timeoutMs,
    }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => (text += d)).on('end', () => resolve({ status: res.statusCode ?? 0, body: text, retryAfter: parseRetryAfter(res.headers['retry-after']) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error(`${o.method} ${url.href} timed out after ${o.timeoutMs} ms`), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end(o.body);
  });
}

function statusMessage(body: string): string {
  try {
    return (JSON.parse(body) as { message?: string }).message ?? body;
  } catch {
    return body;
  }
}

/** Owner-only, whatever the umask or the mode an existing file had (keys, kubeconfig, password). */
function writePrivate(path: string, data: string): void {
  writeFileSync(path, data, { mode: 0o600 });
  chmodSync(path, 0o600);
}

function nodePassword(dir: string): string {
  const path = join(dir, 'node-password');
  if (existsSync(path)) {
    chmodSync(path, 0o600);
    return readFileSync(path, 'utf8').trim();
  }
  const pw = randomBytes(24).toString('hex');
  writePrivate(path, `${pw}\n`);
  return pw;
}

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

/** The node's kubeconfig, as JSON (which is YAML: kubectl reads it, and the agent needs no YAML parser). */
function renderKubeconfig(server: string, caCert: string, client: KeyPair, nodeName: string): string {
  const user = `system:node:${nodeName}`;
  return `${JSON.stringify({
    apiVersion: 'v1', kind: 'Config',
    clusters: [{ name: 'bosun', cluster: { server, 'certificate-authority-data': b64(caCert) } }],
    users: [{ name: user, user: { 'client-certificate-data': b64(client.cert), 'client-key-data': b64(client.key) } }],
    contexts: [{ name: 'bosun', context: { cluster: 'bosun', user } }],
    'current-context': 'bosun',
    preferences: {},
  }, null, 2)}\n`;
}

/** Joins the cluster at `o.server`; resolves once the node's credentials are written. */
export async function joinCluster(o: JoinOptions): Promise<JoinResult> {
  const { caHash, secret } = parseJoinToken(o.token);
  const base = new URL(o.server);
  if (base.protocol !== 'https:') throw new Error(`--server must be an https:// URL (got ${o.server})`);
  const timeoutMs = o.timeoutMs ?? 30_000;

  const retry = { log: o.log, signal: o.signal };

  const caUrl = new URL('/cacerts', base);
  const ca = await retryTransient(`GET ${caUrl.href}`, async () => {
    const r = await call(caUrl, { method: 'GET', timeoutMs });
    if (r.status !== 200) throw new HttpAnswerError(`GET ${caUrl.href} answered ${r.status}: ${statusMessage(r.body)}`, r.status, r.retryAfter);
    return r;
  }, retry);
  const seen = createHash('sha256').update(ca.body, 'utf8').digest('hex');
  if (seen !== caHash) {
    throw new CaPinMismatchError(`refusing to join ${base.origin}: its CA certificate has sha256 ${seen}, but the join token pins ${caHash} (wrong server, or a token from another cluster)`);
  }

  const dir = join(o.dataDir, 'agent');
  const pkiDir = join(dir, 'pki');
  mkdirSync(pkiDir, { recursive: true, mode: 0o700 });
  for (const d of [o.dataDir, dir, pkiDir]) chmodSync(d, 0o700);
  const password = nodePassword(dir);
  const credsUrl = new URL('/bosun/v1/node-credentials', base);
  const ask = (ingress: boolean) => retryTransient(`POST ${credsUrl.href}`, async () => {
    const body = JSON.stringify({ nodeName: o.nodeName, password, addresses: o.addresses ?? [], ...(ingress ? { ingress: true } : {}) });
    const r = await call(credsUrl, {
      method: 'POST', ca: ca.body, body, timeoutMs,
      headers: { Authorization: `Bearer ${secret}`, 'Content-Type': 'application/json', Accept: 'application/json' },
    });
    if (r.status !== 200) throw new HttpAnswerError(`the server refused node credentials for "${o.nodeName}" (${r.status}): ${statusMessage(r.body)}`, r.status, r.retryAfter);
    return r;
  }, retry);
  let ingress = o.ingress === true;
  let res: Awaited<ReturnType<typeof ask>>;
  try {
    res = await ask(ingress);
  } catch (err) {
    // A 403 for another reason (a node password mismatch) fails the second ask the same way.
    if (!ingress || !o.onIngressRefused || !(err instanceof HttpAnswerError) || err.httpStatus !== 403) throw err;
    ingress = false;
    res = await ask(false);
    o.onIngressRefused(err.message);
  }
  const creds = JSON.parse(res.body) as NodeCredentials;
  if (creds.kind !== 'NodeCredentials' || !creds.client?.cert || !creds.serving?.cert || !creds.proxy?.cert || !creds.dns?.cert || (ingress && !creds.ingress?.cert)) throw new Error('the server answered something that is not NodeCredentials');

  const caPath = join(pkiDir, 'ca.crt');
  const servingCertPath = join(pkiDir, 'serving.crt');
  const servingKeyPath = join(pkiDir, 'serving.key');
  writePrivate(caPath, ca.body);
  writePrivate(join(pkiDir, 'client.crt'), creds.client.cert);
  writePrivate(join(pkiDir, 'client.key'), creds.client.key);
  writePrivate(servingCertPath, creds.serving.cert);
  writePrivate(servingKeyPath, creds.serving.key);
  for (const [file, pair] of [['kube-proxy', creds.proxy], ['dns', creds.dns], ...(creds.ingress ? [['ingress', creds.ingress] as const] : [])] as const) {
    writePrivate(join(pkiDir, `${file}.crt`), pair.cert);
    writePrivate(join(pkiDir, `${file}.key`), pair.key);
  }
  const kubeconfigPath = join(dir, 'kubeconfig.yaml');
  writePrivate(kubeconfigPath, renderKubeconfig(base.origin, ca.body, creds.client, o.nodeName));
  return { kubeconfigPath, caPath, servingCertPath, servingKeyPath, caCert: ca.body, client: creds.client, serving: creds.serving, proxy: creds.proxy, dns: creds.dns, ingress: creds.ingress };
}
