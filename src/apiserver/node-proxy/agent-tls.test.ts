/**
 * The API server verifies the agent it proxies `kubectl logs` (and exec, attach, port-forward) to,
 * as kube-apiserver with --kubelet-certificate-authority: the agent's serving certificate must chain
 * to the cluster CA and name the node. A listener at the Node's address with a self-signed
 * certificate, or with a cluster certificate of another node, gets no request at all (the handshake
 * fails first), and kubectl logs errors without printing what it served. A fake agent (a plain HTTPS
 * server that records requests) stands in for the node. Through nodes/proxy, its HTML pages' and
 * redirects' links come back under the proxy prefix (link-rewriting.ts).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { gunzipSync, gzipSync } from 'node:zlib';
import { RawClient } from '../../testing/raw-client.js';
import type { KubeObject } from '../../api/meta.js';
import { selfSignedServingCertificate } from '../../agent/server/serving-cert.js';
import { startTestServer, type TestServer } from '../../testing/test-cluster.js';
import { issueCertificate, type KeyPair } from '../pki/certs.js';
import { systemContext, type ApiServer } from '../server.js';

const P = `agenttls-${process.pid}-${Date.now().toString(36)}`;
const SECRET = `log line only the real agent may show ${P}`;
let ts: TestServer & { server: ApiServer };
let agent: Server;
let requests = 0;

before(async () => {
  ts = await startTestServer();
  agent = createServer({ ...selfSignedServingCertificate('impostor', [`${P}-n1`], ['127.0.0.1']) }, (req, res) => {
    requests++;
    // A gzip-encoded HTML page and a redirect, each linking to the agent's own address.
    const self = `127.0.0.1:${(agent.address() as AddressInfo).port}`;
    if (req.url === '/px-page') return res.writeHead(200, { 'Content-Type': 'text/html', 'Content-Encoding': 'gzip' }).end(gzipSync(`<a href="/logs/">logs</a><script src="http://${self}/app.js"></script>`));
    if (req.url === '/px-redirect') return res.writeHead(302, { Location: `http://${self}/logs/` }).end();
    res.writeHead(200, { 'Content-Type': 'text/plain' }).end(`${SECRET}\n`);
  });
  await new Promise<void>((r) => agent.listen(0, '127.0.0.1', r));
  const port = (agent.address() as AddressInfo).port;
  const ctx = systemContext();
  for (const n of ['n1', 'n2']) {
    await ts.server.storage('', 'v1', 'nodes')!.create(ctx, undefined, {
      apiVersion: 'v1', kind: 'Node', metadata: { name: `${P}-${n}` },
      status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: port } } },
    } as KubeObject);
  }
  await ts.server.storage('', 'v1', 'pods')!.create(ctx, 'default', {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: `${P}-p`, namespace: 'default' },
    spec: { nodeName: `${P}-n1`, containers: [{ name: 'c', image: 'busybox' }] },
  } as KubeObject);
});
after(async () => {
  agent?.closeAllConnections();
  await new Promise((r) => agent?.close(r));
  await ts?.stop();
});

const useCert = (pair: KeyPair) => agent.setSecureContext({ cert: pair.cert, key: pair.key });
const serving = (names: string[], ips: string[] = ['127.0.0.1']) =>
  issueCertificate({ commonName: `system:node:${names[0]}`, organizations: ['system:nodes'], usage: 'server', dnsNames: names, ips, validDays: 1 }, ts.server.pki.ca);

test('a self-signed agent certificate is refused: kubectl logs fails, nothing was requested or shown', async () => {
  requests = 0;
  const r = await ts.kubectl(['logs', `${P}-p`]);
  assert.notEqual(r.code, 0);
  assert.doesNotMatch(r.stdout + r.stderr, new RegExp(SECRET));
  // LocationStreamer's client.Do error, a plain *url.Error: no reason, so kubectl names none.
  assert.match(r.stderr, /Error from server: Get "https:\/\/[^"]+\/containerLogs\/[^"]+": .*(self-signed|unable to verify|certificate)/i);
  assert.equal(requests, 0, 'no request reached the impostor');
});

test("a cluster certificate of another node is refused as well (the name must be the pod's node)", async () => {
  useCert(serving([`${P}-n2`]));
  requests = 0;
  const r = await ts.kubectl(['logs', `${P}-p`]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, new RegExp(`Hostname/IP does not match certificate's altnames: Host: ${P}-n1`));
  assert.equal(requests, 0);
});

test("the node's own certificate from the cluster CA is accepted", async () => {
  useCert(serving([`${P}-n1`]));
  requests = 0;
  const r = await ts.kubectl(['logs', `${P}-p`]);
  assert.equal(r.stdout, `${SECRET}\n`);
  assert.equal(requests, 1);
});

test("nodes/proxy of the real server: a gzip HTML page's links and a redirect to the agent come back under the proxy prefix (upstream's proxy transport)", async () => {
  const prefix = `/api/v1/nodes/${P}-n1/proxy`;
  // The real kubectl asks for gzip and reads the page decoded.
  const page = await ts.kubectl(['get', '--raw', `${prefix}/px-page`]);
  assert.equal(page.stdout, `<a href="${prefix}/logs/">logs</a><script src="${prefix}/app.js"></script>`);
  const admin = new RawClient(ts.url, ts.dataDir);
  try {
    const encoded = await admin.request(`${prefix}/px-page`, { headers: { 'Accept-Encoding': 'gzip' } });
    assert.equal(encoded.headers['content-encoding'], 'gzip');
    assert.equal(encoded.headers['content-length'], undefined, 'the rewritten length is not the agent\'s');
    assert.equal(gunzipSync(encoded.bytes).toString(), page.stdout);
    const moved = await admin.request(`${prefix}/px-redirect`);
    assert.equal(moved.status, 302);
    assert.equal(moved.headers.location, `${prefix}/logs/`);
  } finally {
    admin.close();
  }
});
