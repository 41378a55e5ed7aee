/**
 * The Ingress controller's https side against an API server in this process, with real requests on
 * loopback: a TLS host whose Secret does not exist, an unknown name and a client without SNI get the
 * default certificate (ingress-nginx's self-signed "Kubernetes Ingress Controller Fake Certificate",
 * or the Secret --default-ssl-certificate names) instead of a failed handshake, and are still
 * routed; plain HTTP for a host under spec.tls is answered 308 to https (ingress-nginx's default
 * ssl-redirect), except where the Ingress says nginx.ingress.kubernetes.io/ssl-redirect: "false".
 */
import assert from 'node:assert/strict';
import { request, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import type { Ingress } from '../api/kinds/networking/ingress.js';
import { issueCertificate } from '../apiserver/pki/certs.js';
import type { KubeClient } from '../client/index.js';
import { resources } from '../client/resource-ref.js';
import { eventually } from '../testing/eventually.js';
import { quietLogger } from '../testing/quiet-logger.js';
import { startIngressTestEnv, type IngressTestEnv } from './fixtures.js';
import { startIngressController, type IngressController } from './ingress-controller.js';

let env: IngressTestEnv;
let admin: KubeClient;
let identity: KubeClient;
const controllers: IngressController[] = [];

type Answer = { status: number; body: string; headers: IncomingHttpHeaders; certCN?: string };

function collect(resolve: (a: Answer) => void, certCN?: () => string | undefined) {
  return (res: IncomingMessage) => {
    let body = '';
    res.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers, certCN: certCN?.() }));
  };
}

function get(port: number, host: string, path = '/x'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path, headers: { host }, agent: false }, collect(resolve)).on('error', reject).end();
  });
}

/** An https request to 127.0.0.1 with `sni` as the TLS server name (none: no SNI), the certificate not checked. */
function getTls(port: number, host: string, sni: string | undefined): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port, path: '/x', headers: { host }, agent: false, rejectUnauthorized: false, servername: sni ?? '' }, collect(resolve, () => cn));
    let cn: string | undefined;
    req.on('socket', (s) => s.once('secureConnect', () => (cn = String((s as TLSSocket).getPeerCertificate().subject?.CN ?? ''))));
    req.on('error', reject).end();
  });
}

const ingress = (name: string, o: { tls?: string[]; secretName?: string; annotations?: Record<string, string> } = {}): Ingress => ({
  apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name, annotations: o.annotations },
  spec: {
    ingressClassName: 'bosun',
    ...(o.tls ? { tls: [{ hosts: o.tls, secretName: o.secretName ?? `${name}-missing` }] } : {}),
    rules: [{ host: `${name}.test`, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }],
  },
});

async function start(defaultCertificate?: string): Promise<IngressController> {
  const ctl = await startIngressController({ client: identity, nodeIP: '192.0.2.8', httpPort: 0, httpsPort: 0, host: '127.0.0.1', defaultCertificate, logger: quietLogger });
  controllers.push(ctl);
  return ctl;
}

describe('ingress controller: default certificate and HTTPS redirect (in-process API server, loopback)', () => {
  before(async () => {
    env = await startIngressTestEnv('ing-tls-node', (req, res) => res.end(`backend ${req.headers['x-forwarded-proto'] ?? ''} ${req.headers['x-forwarded-host'] ?? ''}`));
    ({ admin, identity } = env);
    await admin.create(resources.ingresses, 'default', ingress('secure', { tls: ['secure.test'] }));
    await admin.create(resources.ingresses, 'default', ingress('nohttps', { tls: ['nohttps.test'], annotations: { 'nginx.ingress.kubernetes.io/ssl-redirect': 'false' } }));
    await admin.create(resources.ingresses, 'default', ingress('plain'));
  });
  after(async () => {
    for (const c of controllers) await c.stop();
    await env.stop();
  });

  it('a TLS host without its Secret, an unknown name and no SNI get the self-signed default certificate, and are routed', async () => {
    const ctl = await start();
    for (const [host, sni] of [['secure.test', 'secure.test'], ['plain.test', 'unknown.example'], ['secure.test', undefined]] as const) {
      const a = await getTls(ctl.httpsPort!, host, sni);
      assert.equal(a.certCN, 'Kubernetes Ingress Controller Fake Certificate', `${host} with SNI ${sni ?? '(none)'}`);
      assert.deepEqual([a.status, a.body], [200, `backend https ${host}`]);
    }
  });

  it('plain HTTP for a TLS host is a 308 to https on the https port; ssl-redirect "false" and hosts without TLS are proxied', async () => {
    const ctl = controllers[0]!;
    const r = await get(ctl.httpPort!, 'secure.test:8080', '/x?a=1');
    assert.equal(r.status, 308);
    assert.equal(r.headers.location, `https://secure.test:${ctl.httpsPort!}/x?a=1`);
    assert.deepEqual([(await get(ctl.httpPort!, 'nohttps.test')).status, (await get(ctl.httpPort!, 'plain.test')).body], [200, 'backend http plain.test']);
    // The ACME HTTP-01 path stays on http (ingress-nginx's no-tls-redirect-locations).
    assert.equal((await get(ctl.httpPort!, 'secure.test', '/.well-known/acme-challenge/t')).status, 200);
    // Turned off on a running controller: the next request is proxied.
    await admin.patch(resources.ingresses, 'default', 'secure', 'merge', { metadata: { annotations: { 'nginx.ingress.kubernetes.io/ssl-redirect': 'false' } } });
    await eventually(async () => (await get(ctl.httpPort!, 'secure.test')).status === 200, 'secure.test proxied over http');
  });

  it('the Secret named as default certificate is served where no Ingress certificate is, also without SNI, once it exists', async () => {
    const ctl = await start('kube-system/ingress-default-cert');
    assert.equal((await getTls(ctl.httpsPort!, 'secure.test', 'secure.test')).certCN, 'Kubernetes Ingress Controller Fake Certificate', 'self-signed until the Secret exists');
    const pair = issueCertificate({ commonName: 'default.example', usage: 'server', validDays: 1, dnsNames: ['default.example'] });
    await admin.create(resources.secrets, 'kube-system', {
      apiVersion: 'v1', kind: 'Secret', metadata: { name: 'ingress-default-cert' }, type: 'kubernetes.io/tls',
      data: { 'tls.crt': Buffer.from(pair.cert).toString('base64'), 'tls.key': Buffer.from(pair.key).toString('base64') },
    });
    await eventually(async () => (await getTls(ctl.httpsPort!, 'secure.test', 'secure.test')).certCN === 'default.example', 'the Secret served by SNI');
    assert.equal((await getTls(ctl.httpsPort!, 'secure.test', undefined)).certCN, 'default.example', 'and without SNI');
  });
});
