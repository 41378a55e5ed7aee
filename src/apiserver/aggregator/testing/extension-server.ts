/**
 * A tiny extension API server for tests, trusting the aggregator as a real one built on
 * k8s.io/apiserver does (DelegatingAuthenticationOptions' request-header authenticator): HTTPS on
 * loopback with a serving certificate from its own CA for <service>.<namespace>.svc; a client
 * certificate is required and must chain to requestheader-client-ca-file and carry a CN in
 * requestheader-allowed-names (both read from the extension-apiserver-authentication ConfigMap),
 * else 401 and the X-Remote-* headers are not believed. It answers discovery of its group/version
 * from `resources` and every other path from `answer`; every believed request is recorded with its
 * user, groups and extras. Upgrade requests (as exec's) are believed the same way and recorded with
 * their Upgrade header: a WebSocket is accepted with the first subprotocol offered and answers each
 * message `pong:<message>`; any other protocol (SPDY/3.1) gets a 101 naming it (and the
 * X-Stream-Protocol-Version asked for) and then the same `pong:` echo of the raw bytes; a path
 * `upgradeAnswer` answers gets that raw answer instead.
 * `extensionManifests` registers it: a Service without selector, an EndpointSlice to
 * 127.0.0.1:<port> and an APIService with its caBundle.
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { WebSocketServer } from 'ws';
import { kubectlOk } from '../../../testing/kubectl-ok.js';
import type { TestServer } from '../../../testing/test-cluster.js';
import { issueCertificate } from '../../pki/certs.js';
import type { ApiResource } from '../discovery-check.js';

export interface SeenRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  user: string;
  groups: string[];
  extra: Record<string, string[]>;
  /** Whether the request carried credentials of its own (the proxy must drop them). */
  authorization: boolean;
  /** An upgrade request's Upgrade header and offered WebSocket subprotocols. */
  upgrade?: string;
  protocols?: string;
}

/** An answer: a JSON body (status 200 unless given), or `stream`: one watch event written and the response left open. */
export type Answer = { status?: number; body?: unknown; stream?: unknown } | undefined;

export interface TestExtensionServer {
  port: number;
  /** base64 of the serving CA's PEM, for APIService spec.caBundle. */
  caBundle: string;
  seen: SeenRequest[];
  /** Requests refused for a missing or untrusted client certificate. */
  readonly refused: number;
  close(): Promise<void>;
}

export interface ExtensionOptions {
  group: string;
  version: string;
  /** Service namespace and name: the certificate is for <name>.<namespace>.svc, the name the aggregator verifies. */
  namespace: string;
  service: string;
  /** The extension-apiserver-authentication ConfigMap's data. */
  authentication: Record<string, string>;
  resources: ApiResource[];
  answer(path: string, query: URLSearchParams): Answer;
  /**
   * Its OpenAPI, served as k8s.io/apiserver does: `v2` at /openapi/v2, `v3` at
   * /openapi/v3/apis/<group>/<version>, listed in the /openapi/v3 index. Absent: those paths are 404.
   */
  openapi?: { v2?: object; v3?: object };
  /** A raw HTTP answer an upgrade request for `path` gets instead of switching protocols (a refusal, a server ignoring Upgrade). */
  upgradeAnswer?(path: string): string | undefined;
}

export async function startExtensionServer(o: ExtensionOptions): Promise<TestExtensionServer> {
  const serverName = `${o.service}.${o.namespace}.svc`;
  const ca = issueCertificate({ commonName: 'extension-test-ca', usage: 'ca', validDays: 1 });
  const serving = issueCertificate({ commonName: serverName, usage: 'server', validDays: 1, dnsNames: [serverName] }, ca);
  const allowedNames = JSON.parse(o.authentication['requestheader-allowed-names'] ?? '[]') as string[];
  const seen: SeenRequest[] = [];
  const state = { refused: 0 };
  const gv = `${o.group}/${o.version}`;
  /** The request's URL once its client certificate is the front proxy's (recorded), else undefined (refused). */
  const believe = (req: IncomingMessage): URL | undefined => {
    const sock = req.socket as TLSSocket;
    const cn = sock.authorized ? sock.getPeerCertificate().subject?.CN : undefined;
    if (!cn || !allowedNames.includes(String(cn))) {
      state.refused++;
      return undefined;
    }
    const url = new URL(req.url ?? '/', 'https://x');
    const upgrade = req.headers.upgrade === undefined ? {} : { upgrade: req.headers.upgrade, protocols: req.headers['sec-websocket-protocol'] };
    seen.push({ method: req.method ?? '', path: url.pathname, query: url.searchParams, user: String(req.headers['x-remote-user'] ?? ''), groups: req.headersDistinct['x-remote-group'] ?? [], extra: extras(req), authorization: req.headers.authorization !== undefined, ...upgrade });
    return url;
  };
  const server: Server = createServer({ cert: serving.cert, key: serving.key, ca: o.authentication['requestheader-client-ca-file'], requestCert: true, rejectUnauthorized: false }, (req, res) => {
    const url = believe(req);
    if (!url) {
      res.writeHead(401).end('client certificate not from the front proxy');
      return;
    }
    if (url.pathname === `/apis/${gv}`) return json(res, { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gv, resources: o.resources });
    const spec = openApiAnswer(url.pathname, gv, o.openapi);
    if (spec) return json(res, spec);
    const a = o.answer(url.pathname, url.searchParams);
    if (!a) return json(res, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 }, 404);
    if (a.stream !== undefined) {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write(`${JSON.stringify(a.stream)}\n`);
      return;
    }
    json(res, a.body, a.status ?? 200);
  });
  const wss = new WebSocketServer({ noServer: true, handleProtocols: (offered) => [...offered][0] ?? false });
  const upgraded = new Set<Duplex>();
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    upgraded.add(socket.once('close', () => upgraded.delete(socket)));
    const url = believe(req);
    if (!url) return socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    const answer = o.upgradeAnswer?.(url.pathname);
    if (answer !== undefined) return socket.end(answer);
    if (String(req.headers.upgrade).toLowerCase() === 'websocket') {
      return wss.handleUpgrade(req, socket, head, (ws) => ws.on('message', (m: Buffer) => ws.send(`pong:${m.toString('utf8')}`)));
    }
    const version = req.headers['x-stream-protocol-version'];
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: ${String(req.headers.upgrade)}\r\n${version ? `X-Stream-Protocol-Version: ${String(version)}\r\n` : ''}\r\n`);
    socket.on('data', (d: Buffer) => socket.write(`pong:${d.toString('utf8')}`));
    if (head.length > 0) socket.emit('data', head);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  let closed: Promise<void> | undefined;
  return {
    port: (server.address() as AddressInfo).port,
    caBundle: Buffer.from(ca.cert).toString('base64'),
    seen,
    get refused() { return state.refused; },
    close: () => (closed ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
      for (const sock of upgraded) sock.destroy();
    })),
  };
}

/**
 * Starts an extension trusting what `s` publishes for it (the extension-apiserver-authentication
 * ConfigMap, as k8s.io/apiserver reads it) and registers it: its namespace, then extensionManifests.
 */
export async function startRegisteredExtension(s: Pick<TestServer, 'kubectl'>, o: Omit<ExtensionOptions, 'authentication'>): Promise<TestExtensionServer> {
  const cm = JSON.parse(await kubectlOk(s, ['get', 'configmap', '-n', 'kube-system', 'extension-apiserver-authentication', '-o', 'json'])) as { data: Record<string, string> };
  const ext = await startExtensionServer({ ...o, authentication: cm.data });
  try {
    await kubectlOk(s, ['create', 'namespace', o.namespace]);
    await kubectlOk(s, ['apply', '-f', '-'], { input: extensionManifests(o, ext) });
  } catch (err) {
    await ext.close();
    throw err;
  }
  return ext;
}

/** An APIService `v1.<group>` whose Service does not exist (Available False, ServiceNotFound), as YAML for kubectl apply. */
export function missingServiceApiService(group: string, namespace: string): string {
  return `
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: { name: v1.${group} }
spec: { group: ${group}, version: v1, service: { namespace: ${namespace}, name: absent }, insecureSkipTLSVerify: true, groupPriorityMinimum: 1000, versionPriority: 15 }
`;
}

/** The Service, EndpointSlice and APIService that put the extension behind the aggregator (YAML for kubectl apply). */
export function extensionManifests(o: Pick<ExtensionOptions, 'group' | 'version' | 'namespace' | 'service'>, ext: Pick<TestExtensionServer, 'port' | 'caBundle'>): string {
  return `
apiVersion: v1
kind: Service
metadata: { name: ${o.service}, namespace: ${o.namespace} }
spec: { ports: [{ name: https, port: 443, targetPort: ${ext.port} }] }
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: ${o.service}-1, namespace: ${o.namespace}, labels: { kubernetes.io/service-name: ${o.service} } }
addressType: IPv4
endpoints: [{ addresses: [127.0.0.1], conditions: { ready: true } }]
ports: [{ name: https, port: ${ext.port}, protocol: TCP }]
---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: { name: ${o.version}.${o.group} }
spec:
  group: ${o.group}
  version: ${o.version}
  service: { namespace: ${o.namespace}, name: ${o.service} }
  caBundle: ${ext.caBundle}
  groupPriorityMinimum: 1000
  versionPriority: 15
`;
}

function openApiAnswer(path: string, gv: string, openapi: ExtensionOptions['openapi']): object | undefined {
  if (path === '/openapi/v2') return openapi?.v2;
  if (path === `/openapi/v3/apis/${gv}`) return openapi?.v3;
  if (path === '/openapi/v3' && openapi?.v3) return { paths: { [`apis/${gv}`]: { serverRelativeURL: `/openapi/v3/apis/${gv}?hash=EXTENSION0HASH` } } };
  return undefined;
}

function extras(req: IncomingMessage): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(req.headersDistinct)) if (k.startsWith('x-remote-extra-') && v) out[decodeURIComponent(k.slice('x-remote-extra-'.length))] = v;
  return out;
}

function json(res: ServerResponse, body: unknown, code = 200): void {
  res.writeHead(code, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}
