/**
 * The built-in Ingress controller on real pods (`bosun server --ingress-http-port P
 * --ingress-https-port Q`, kubectl 1.32): two Deployments behind two Services (one by port number,
 * one by port name), one Ingress with host and path rules, a wildcard host and a TLS host, created
 * without a class so that the DefaultIngressClass admission gives it the `bosun` class the
 * controller creates at start (as k3s's Traefik chart creates `traefik`, marked default). Requests go
 * from this process to the node's IP with Host headers: each reaches its Service's pods
 * (round-robin), unknown hosts and paths get 404, a backend scaled to 0 gets 503, the TLS host
 * answers with the Secret's certificate (made here with openssl), the proxy's X-Forwarded-* replace
 * a client's forged ones, and `kubectl get ing` shows the node's IP as ADDRESS.
 * Needs root; `npm run build` and scripts/build-test-images.sh first.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import { waitFor } from '../../src/testing/node-server.js';
import { freeDnsPort, startServicesNode, stopServicesNode, WHO_CONTAINER, whoDeployment, type ServicesNode } from './services-harness.js';

let node: ServicesNode;
let nodeIP: string;
let httpPort: number;
let httpsPort: number;
let certDir: string | undefined;

/** WHO_CONTAINER that also serves /alpha/ and /beta/ (its hostname) and /cgi-bin/hdr (the X-Forwarded-* it received). */
const SITE_CONTAINER = WHO_CONTAINER.replace('hostname > /www/index.html', `hostname > /www/index.html
          for d in alpha beta; do mkdir -p /www/$d; hostname > /www/$d/index.html; done
          cat > /www/cgi-bin/hdr <<'EOF'
          #!/bin/sh
          printf 'Content-Type: text/plain\\r\\n\\r\\n'
          echo "$HTTP_X_FORWARDED_FOR|$HTTP_X_REAL_IP|$HTTP_X_FORWARDED_PROTO|$HTTP_X_FORWARDED_HOST|$HTTP_X_FORWARDED_PORT"
          EOF
          chmod +x /www/cgi-bin/hdr`);

/** whoDeployment's pods, serving SITE_CONTAINER's pages. */
const deployment = (name: string, replicas: number): string => whoDeployment(name, replicas).replace(WHO_CONTAINER, SITE_CONTAINER);

const BACKENDS = `${deployment('alpha', 2)}---${deployment('beta', 1)}---
apiVersion: v1
kind: Service
metadata: {name: alpha}
spec: {selector: {app: alpha}, ports: [{port: 80, targetPort: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: beta}
spec: {selector: {app: beta}, ports: [{name: other, port: 81, targetPort: 9999}, {name: web, port: 8000, targetPort: 8080}]}
`;

/** No ingressClassName: the DefaultIngressClass admission names the controller's default class. */
const INGRESS = `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: site}
spec:
  tls: [{hosts: [secure.test], secretName: secure-tls}]
  rules:
  - host: app.test
    http:
      paths:
      - {path: /alpha, pathType: Prefix, backend: {service: {name: alpha, port: {number: 80}}}}
      - {path: /beta, pathType: Prefix, backend: {service: {name: beta, port: {name: web}}}}
      - {path: /cgi-bin/hdr, pathType: Exact, backend: {service: {name: alpha, port: {number: 80}}}}
  - host: '*.wild.test'
    http:
      paths: [{path: /, pathType: Prefix, backend: {service: {name: beta, port: {name: web}}}}]
  - host: secure.test
    http:
      paths: [{path: /, pathType: Prefix, backend: {service: {name: alpha, port: {number: 80}}}}]
`;

interface Answer { status: number; body: string; cert?: PeerCertificate; location?: string }

function collect(res: IncomingMessage, cert?: PeerCertificate): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let body = '';
    res.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => resolve({ status: res.statusCode ?? 0, body: body.trim(), cert, ...(res.headers.location ? { location: res.headers.location } : {}) })).on('error', reject);
  });
}

/** GET through the ingress's HTTP port with `host` as the Host header. */
function viaIngress(host: string, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: nodeIP, port: httpPort, path, agent: false, timeout: 5000, headers: { host, ...headers } }, (res) => void collect(res).then(resolve, reject));
    req.on('timeout', () => req.destroy(new Error('timeout'))).on('error', reject).end();
  });
}

/** GET through the HTTPS port, SNI and Host `host`, trusting only `ca`. */
function viaIngressTls(host: string, path: string, ca: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: nodeIP, port: httpsPort, path, servername: host, ca, agent: false, timeout: 5000, headers: { host } }, (res) => {
      void collect(res, (res.socket as TLSSocket).getPeerCertificate()).then(resolve, reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout'))).on('error', reject).end();
  });
}

async function readyPods(app: string): Promise<string[]> {
  const out = await node.k('get', 'pods', '-l', `app=${app}`, '-o', 'jsonpath={range .items[*]}{.metadata.name} {.metadata.deletionTimestamp} {.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}');
  return out.split('\n').map((l) => l.split(' ')).filter((f) => f[1] === '' && f[2] === 'True').map(([n]) => n!);
}

describe('ingress: the built-in controller routes real traffic', { timeout: 240_000 }, () => {
  before(async () => {
    httpPort = await freeDnsPort();
    do httpsPort = await freeDnsPort(); while (httpsPort === httpPort);
    // The TLS Secret made below is also the default certificate (ingress-nginx's --default-ssl-certificate).
    node = await startServicesNode({ extraArgs: ['--ingress-http-port', String(httpPort), '--ingress-https-port', String(httpsPort), '--ingress-default-ssl-certificate', 'default/secure-tls'] });
    nodeIP = await node.k('get', 'node', node.nodeName, '-o', 'jsonpath={.status.addresses[?(@.type=="InternalIP")].address}');
    certDir = mkdtempSync(join(tmpdir(), 'bosun-ingress-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
      '-subj', '/CN=secure.test', '-addext', 'subjectAltName=DNS:secure.test',
      '-keyout', join(certDir, 'tls.key'), '-out', join(certDir, 'tls.crt')], { stdio: 'ignore' });
    await node.k('create', 'secret', 'tls', 'secure-tls', '--cert', join(certDir, 'tls.crt'), '--key', join(certDir, 'tls.key'));
    await node.kubectl(['apply', '-f', '-'], { input: BACKENDS });
    await node.kubectl(['apply', '-f', '-'], { input: INGRESS });
    await waitFor('2 ready alpha pods and 1 beta', async () => (await readyPods('alpha')).length === 2 && (await readyPods('beta')).length === 1, 90_000, 500);
  });
  after(async () => {
    if (certDir) rmSync(certDir, { recursive: true, force: true });
    await stopServicesNode(node);
  });

  it('the controller created the default class bosun, and the Ingress got it and the node IP as ADDRESS', async () => {
    assert.equal(await node.k('get', 'ingressclass', 'bosun', '-o', 'jsonpath={.spec.controller}'), 'bosun.dev/ingress');
    assert.equal(await node.k('get', 'ing', 'site', '-o', 'jsonpath={.spec.ingressClassName}'), 'bosun');
    await waitFor('the node IP in the Ingress status', async () => (await node.k('get', 'ing', 'site', '-o', 'jsonpath={.status.loadBalancer.ingress[*].ip}')) === nodeIP, 15_000);
    // kubectl's columns: NAME CLASS HOSTS ADDRESS PORTS AGE.
    assert.match(await node.k('get', 'ing', 'site'), new RegExp(`^site\\s+bosun\\s+app\\.test,\\*\\.wild\\.test,secure\\.test\\s+${nodeIP.replace(/\./g, '\\.')}\\s+80, 443\\s`, 'm'));
  });

  it('host and path rules reach their Service\'s pods, round-robin; by port number and by port name', async () => {
    const alpha = await readyPods('alpha');
    const beta = await readyPods('beta');
    await waitFor('the ingress to route app.test/alpha', async () => (await viaIngress('app.test', '/alpha/')).status === 200, 15_000);
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const a = await viaIngress('app.test', '/alpha/');
      assert.equal(a.status, 200, a.body);
      seen.add(a.body);
    }
    assert.deepEqual([...seen].sort(), [...alpha].sort(), 'six requests to /alpha/ reach both alpha pods');
    assert.deepEqual(await viaIngress('app.test:80', '/beta/'), { status: 200, body: beta[0], cert: undefined });
    assert.equal((await viaIngress('x.wild.test', '/beta/')).body, beta[0], 'a wildcard host matches one label');
  });

  it('plain HTTP for the TLS host is a 308 to https (ingress-nginx\'s default ssl-redirect)', async () => {
    const a = await viaIngress('secure.test', '/alpha/?q=1');
    assert.equal(a.status, 308);
    assert.equal(a.location, `https://secure.test:${httpsPort}/alpha/?q=1`);
  });

  it('an unknown host, a path no rule has, and two labels under a wildcard get 404', async () => {
    for (const [host, path] of [['unknown.test', '/alpha/'], ['app.test', '/alphabet'], ['app.test', '/'], ['a.b.wild.test', '/beta/']] as const) {
      const a = await viaIngress(host, path);
      assert.equal(a.status, 404, `${host}${path}: ${a.status} ${a.body}`);
    }
  });

  it('the pod sees the X-Forwarded-* the ingress sets, not the client\'s forged ones', async () => {
    const a = await viaIngress('app.test', '/cgi-bin/hdr', { 'x-forwarded-for': '6.6.6.6', 'x-forwarded-proto': 'gopher', 'x-real-ip': '6.6.6.6' });
    assert.equal(a.status, 200, a.body);
    // From this process to the node's IP, the client address is the node's own.
    assert.equal(a.body, `${nodeIP}|${nodeIP}|http|app.test|${httpPort}`);
  });

  it('the TLS host answers on the https port with the Secret\'s certificate', async () => {
    const pem = readFileSync(join(certDir!, 'tls.crt'), 'utf8');
    const a = await waitFor('https to secure.test', () => viaIngressTls('secure.test', '/alpha/', pem), 15_000);
    assert.equal(a.status, 200);
    assert.ok((await readyPods('alpha')).includes(a.body), a.body);
    assert.equal(a.cert?.fingerprint256, new X509Certificate(pem).fingerprint256);
    const hdr = await viaIngressTls('secure.test', '/cgi-bin/hdr', pem);
    assert.equal(hdr.status, 200, hdr.body);
    assert.equal(hdr.body, `${nodeIP}|${nodeIP}|https|secure.test|${httpsPort}`, 'X-Forwarded-Proto https on the https port');
    // No certificate for another name: the default one, the Secret --ingress-default-ssl-certificate
    // names (without it, a self-signed one: src/ingress/ingress-tls.test.ts), not valid for that name.
    await assert.rejects(viaIngressTls('app.test', '/alpha/', pem), /does not match certificate's altnames/);
  });

  it('a backend scaled to 0 answers 503, and routes again once a pod is ready', async () => {
    await node.k('scale', 'deployment', 'beta', '--replicas', '0');
    await waitFor('503 for app.test/beta', async () => (await viaIngress('app.test', '/beta/')).status === 503, 30_000);
    assert.match((await viaIngress('app.test', '/beta/')).body, /no ready endpoints for service "default\/beta"/);
    assert.equal((await viaIngress('app.test', '/alpha/')).status, 200, 'alpha is untouched');
    await node.k('scale', 'deployment', 'beta', '--replicas', '1');
    await waitFor('app.test/beta back', async () => (await viaIngress('app.test', '/beta/')).status === 200, 60_000, 500);
  });
});
