/**
 * A tiny extension API server for tests, trusting the aggregator as a real one built on
 * k8s.io/apiserver does (DelegatingAuthenticationOptions' request-header authenticator): HTTPS on
 * loopback with a serving certificate from its own CA for <service>.<namespace>.svc; a client
 * certificate is required and must chain to requestheader-client-ca-file and carry a CN in
 * requestheader-allowed-names (both read from the extension-apiserver-authentication ConfigMap),
 * else 401 and the X-Remote-* headers are not believed. It serves one namespaced resource,
 * `flights` of <group>/<version>: discovery, list (JSON) and a watch that sends one ADDED event and
 * stays open. Every believed request is recorded with its user, groups and extras.
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { issueCertificate } from '../../pki/certs.js';

export interface SeenRequest {
  method: string;
  path: string;
  user: string;
  groups: string[];
  extra: Record<string, string[]>;
}

export interface TestExtensionServer {
  port: number;
  /** base64 of the serving CA's PEM, for APIService spec.caBundle. */
  caBundle: string;
  seen: SeenRequest[];
  /** Requests refused for a missing or untrusted client certificate. */
  refused: number;
  close(): Promise<void>;
}

export interface ExtensionOptions {
  group: string;
  version: string;
  /** <service>.<namespace>.svc: the name the aggregator verifies. */
  serverName: string;
  /** requestheader-client-ca-file and requestheader-allowed-names. */
  requestHeaderCa: string;
  allowedNames: string[];
  /** Names of the flights every list returns. */
  flights: string[];
}

export async function startExtensionServer(o: ExtensionOptions): Promise<TestExtensionServer> {
  const ca = issueCertificate({ commonName: 'extension-test-ca', usage: 'ca', validDays: 1 });
  const serving = issueCertificate({ commonName: o.serverName, usage: 'server', validDays: 1, dnsNames: [o.serverName] }, ca);
  const seen: SeenRequest[] = [];
  const state = { refused: 0 };
  const gv = `${o.group}/${o.version}`;
  const server: Server = createServer({ cert: serving.cert, key: serving.key, ca: o.requestHeaderCa, requestCert: true, rejectUnauthorized: false }, (req, res) => {
    const sock = req.socket as TLSSocket;
    const cn = sock.authorized ? sock.getPeerCertificate().subject?.CN : undefined;
    if (!cn || !o.allowedNames.includes(String(cn))) {
      state.refused++;
      res.writeHead(401).end('client certificate not from the front proxy');
      return;
    }
    const path = new URL(req.url ?? '/', 'https://x').pathname;
    seen.push({ method: req.method ?? '', path, user: String(req.headers['x-remote-user'] ?? ''), groups: req.headersDistinct['x-remote-group'] ?? [], extra: extras(req) });
    if (path === `/apis/${gv}`) return json(res, { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gv, resources: [{ name: 'flights', singularName: 'flight', namespaced: true, kind: 'Flight', verbs: ['get', 'list', 'watch'], shortNames: ['fl'] }] });
    const m = new RegExp(`^/apis/${gv.replace(/\./g, '\\.')}/(?:namespaces/([^/]+)/)?flights$`).exec(path);
    if (!m) return json(res, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 }, 404);
    const ns = m[1] ?? 'default';
    const item = (name: string) => ({ apiVersion: gv, kind: 'Flight', metadata: { name, namespace: ns, resourceVersion: '1', creationTimestamp: '2026-01-01T00:00:00Z' } });
    if (new URL(req.url ?? '/', 'https://x').searchParams.get('watch') === 'true') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write(`${JSON.stringify({ type: 'ADDED', object: item('watched-flight') })}\n`);
      return;
    }
    json(res, { kind: 'FlightList', apiVersion: gv, metadata: { resourceVersion: '1' }, items: o.flights.map(item) });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    caBundle: Buffer.from(ca.cert).toString('base64'),
    seen,
    get refused() { return state.refused; },
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

function extras(req: IncomingMessage): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(req.headersDistinct)) if (k.startsWith('x-remote-extra-') && v) out[decodeURIComponent(k.slice('x-remote-extra-'.length))] = v;
  return out;
}

function json(res: ServerResponse, body: unknown, code = 200): void {
  res.writeHead(code, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}
