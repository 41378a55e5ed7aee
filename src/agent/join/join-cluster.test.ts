/**
 * Joining against an in-process API server: the token pins the CA, the agent gets a node credential
 * that the node authorizer confines to its own Node, a wrong pin or secret is refused before any
 * credential is written, and a node name cannot be taken over by another machine.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../../api/meta.js';
import { StatusError } from '../../api/status.js';
import { KubeClient } from '../../client/kube-client.js';
import { startTestServer } from '../../testing/test-cluster.js';
import { applyTo, startCertRenewal } from './cert-renewal.js';
import { CaPinMismatchError, joinCluster } from './join-cluster.js';
import { parseJoinToken } from './join-token.js';

const P = `join-${process.pid}-${Date.now().toString(36)}`;
let ts: Awaited<ReturnType<typeof startTestServer>>;
const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'bosun-join-'));
  dirs.push(d);
  return d;
};

before(async () => {
  // Only the node of the first join test may run the Ingress controller (--agent-ingress-nodes).
  ts = await startTestServer({ agentIngressNodes: [`${P}-a`] });
});
after(async () => {
  await ts?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test('parseJoinToken: the k3s secure format, nothing else', () => {
  const hash = 'ab'.repeat(32);
  assert.deepEqual(parseJoinToken(`K10${hash}::server:s3cret-value`), { caHash: hash, secret: 's3cret-value' });
  assert.deepEqual(parseJoinToken(` K10${hash.toUpperCase()}::node:x:y \n`), { caHash: hash, secret: 'x:y' });
  for (const bad of ['s3cret-value', `K10${hash.slice(2)}::server:x`, `K11${hash}::server:x`, `K10${hash}:server:x`, `K10${hash}::server:`]) {
    assert.throws(() => parseJoinToken(bad), /invalid join token/, bad);
  }
});

test('the server keeps its token in DATA_DIR/token, pinned to its CA', () => {
  const token = ts.server.joinToken!;
  assert.equal(readFileSync(join(ts.dataDir, 'token'), 'utf8').trim(), token);
  assert.match(token, /^K10[0-9a-f]{64}::server:[0-9a-f]{48}$/);
});

test('an agent joins, and its credential is a node identity', async () => {
  const dataDir = tmp();
  const name = `${P}-a`;
  const r = await joinCluster({ server: ts.url, token: ts.server.joinToken!, nodeName: name, dataDir, addresses: ['127.0.0.1'] });
  assert.equal(r.kubeconfigPath, join(dataDir, 'agent', 'kubeconfig.yaml'));
  assert.equal(readFileSync(r.caPath, 'utf8'), ts.server.pki.ca.cert);

  const serving = new X509Certificate(readFileSync(r.servingCertPath));
  assert.ok(serving.verify(new X509Certificate(ts.server.pki.ca.cert).publicKey), 'serving certificate signed by the cluster CA');
  assert.match(serving.subject, new RegExp(`CN=system:node:${name}`));
  // The node's name, and the address it joined from.
  assert.equal(serving.subjectAltName, `DNS:${name}, IP Address:127.0.0.1`);
  // The proxy's and DNS's own client certificates (as k3s's client-kube-proxy.crt), written 0600 beside the node's.
  for (const [file, cn] of [['kube-proxy', 'system:kube-proxy'], ['dns', 'system:serviceaccount:kube-system:kube-dns']]) {
    const crt = new X509Certificate(readFileSync(join(dataDir, 'agent', 'pki', `${file}.crt`)));
    assert.match(crt.subject, new RegExp(`^CN=${cn}$`, 'm'), file);
    assert.ok(crt.verify(new X509Certificate(ts.server.pki.ca.cert).publicKey));
    assert.equal(statSync(join(dataDir, 'agent', 'pki', `${file}.key`)).mode & 0o777, 0o600);
  }

  const client = KubeClient.fromKubeconfig(r.kubeconfigPath);
  try {
    await client.nodes().create({ apiVersion: 'v1', kind: 'Node', metadata: { name } } as KubeObject);
    await assert.rejects(client.nodes().patch('someone-else', 'merge', { metadata: { labels: { a: 'b' } } }), (e: StatusError) => e.code === 403);
    await assert.rejects(client.namespaces().create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: `${P}-ns` } } as KubeObject), (e: StatusError) => e.code === 403);
  } finally {
    client.close();
  }
  assert.equal(r.ingress, undefined, 'no Ingress controller certificate unless asked for');
  assert.equal(existsSync(join(dataDir, 'agent', 'pki', 'ingress.crt')), false);
  // Joining again from the same machine (same node password) works: restarts rejoin; with
  // --ingress-http-port the node also gets the Ingress controller's certificate.
  const again = await joinCluster({ server: ts.url, token: ts.server.joinToken!, nodeName: name, dataDir, ingress: true });
  const ingressCrt = new X509Certificate(readFileSync(join(dataDir, 'agent', 'pki', 'ingress.crt')));
  assert.match(ingressCrt.subject, /^CN=system:serviceaccount:kube-system:bosun-ingress$/m);
  assert.equal(ingressCrt.toString(), new X509Certificate(again.ingress!.cert).toString());
  assert.equal(statSync(join(dataDir, 'agent', 'pki', 'ingress.key')).mode & 0o777, 0o600);

  // Another node asking for it is refused: the credential reads every Secret, so only the nodes the
  // server's operator named get it; the refused join writes nothing.
  const otherDir = tmp();
  await assert.rejects(joinCluster({ server: ts.url, token: ts.server.joinToken!, nodeName: `${P}-noingress`, dataDir: otherDir, ingress: true }),
    /\(403\): node "[^"]+-noingress" may not run the Ingress controller: its credential reads every Secret in the cluster; start the server with --agent-ingress-nodes=/);
  assert.equal(existsSync(join(otherDir, 'agent', 'pki', 'client.crt')), false);
});

test('a renewal after the server stopped naming the node in --agent-ingress-nodes renews every other certificate and reports the refusal', async () => {
  // The node ran the controller once (its ingress.crt is on disk); the server no longer lists it.
  const dataDir = tmp();
  const name = `${P}-renew`;
  const first = await joinCluster({ server: ts.url, token: ts.server.joinToken!, nodeName: name, dataDir });
  const oldIngress = { cert: 'old-ingress-cert', key: 'old-ingress-key' };
  const refusals: string[] = [];
  const applied: { who: string; cert: string }[] = [];
  const user = (who: string) => ({ setClientCertificate: (cert: string) => void applied.push({ who, cert }) });
  const renewal = startCertRenewal({
    current: { ...first, ingress: oldIngress },
    // As the agent's renewal: the join asks for the ingress credential again, tolerating a refusal.
    renew: (signal) => joinCluster({ server: ts.url, token: ts.server.joinToken!, nodeName: name, dataDir, ingress: true, signal, onIngressRefused: (m) => refusals.push(m) }),
    apply: applyTo({ client: user('client'), proxy: user('proxy'), dns: user('dns'), ingress: user('ingress') }),
    windowDays: 400, // the fresh 365-day certificates count as expiring: check() renews
  });
  try {
    assert.equal(await renewal.check(), true);
  } finally {
    renewal.stop();
  }
  assert.deepEqual(applied.map((a) => a.who), ['client', 'proxy', 'dns'], 'the ingress client keeps its certificate');
  for (const a of applied) assert.notEqual(a.cert, a.who === 'client' ? first.client.cert : a.who === 'proxy' ? first.proxy.cert : first.dns.cert, `${a.who} renewed`);
  assert.equal(new X509Certificate(readFileSync(join(dataDir, 'agent', 'pki', 'client.crt'))).toString(), new X509Certificate(applied[0]!.cert).toString());
  assert.equal(refusals.length, 1);
  assert.match(refusals[0]!, /\(403\): node "[^"]+-renew" may not run the Ingress controller/);
  // Without the tolerance (an agent's start), the same join is refused as before.
  await assert.rejects(joinCluster({ server: ts.url, token: ts.server.joinToken!, nodeName: name, dataDir, ingress: true }), /\(403\)/);
});

test('a CA that does not match the pin is refused before anything is sent or written', async () => {
  const dataDir = tmp();
  const { secret } = parseJoinToken(ts.server.joinToken!);
  const wrong = `K10${'0'.repeat(64)}::server:${secret}`;
  await assert.rejects(joinCluster({ server: ts.url, token: wrong, nodeName: `${P}-b`, dataDir }), (e: Error) => {
    assert.ok(e instanceof CaPinMismatchError);
    assert.match(e.message, /^refusing to join https:\/\/127\.0\.0\.1:\d+: its CA certificate has sha256 [0-9a-f]{64}/);
    assert.match(e.message, /pins 0{64}/);
    return true;
  });
  assert.equal(existsSync(join(dataDir, 'agent')), false);
});

test('a wrong secret gets 401, a registered node name 403 until its Node is deleted', async () => {
  const { caHash } = parseJoinToken(ts.server.joinToken!);
  await assert.rejects(
    joinCluster({ server: ts.url, token: `K10${caHash}::server:not-the-secret-at-all`, nodeName: `${P}-c`, dataDir: tmp() }),
    /refused node credentials .*\(401\)/,
  );
  const name = `${P}-d`;
  await joinCluster({ server: ts.url, token: ts.server.joinToken!, nodeName: name, dataDir: tmp() });
  // The name is held once its Node exists (before that, the first machine to register keeps it).
  const admin = KubeClient.fromKubeconfig(ts.kubeconfig);
  try {
    await admin.nodes().create({ apiVersion: 'v1', kind: 'Node', metadata: { name } } as KubeObject);
    await assert.rejects(joinCluster({ server: ts.url, token: ts.server.joinToken!, nodeName: name, dataDir: tmp() }), /\(403\).*node password mismatch/);
    // Deleting the Node frees the name for another machine, as k3s does.
    await admin.nodes().delete(name);
    await joinCluster({ server: ts.url, token: ts.server.joinToken!, nodeName: name, dataDir: tmp() });
  } finally {
    admin.close();
  }
  await assert.rejects(joinCluster({ server: ts.url, token: ts.server.joinToken!, nodeName: 'Not_A_Name', dataDir: tmp() }), /\(400\)/);
});

test('the serving certificate names only the node: not kubernetes, not another node\'s name or address', async () => {
  const admin = KubeClient.fromKubeconfig(ts.kubeconfig);
  const [a, b] = [`${P}-sa`, `${P}-sb`];
  const addresses = (ip: string) => ({ addresses: [{ type: 'InternalIP', address: ip }, { type: 'Hostname', address: 'h' }] });
  try {
    await admin.nodes().create({ apiVersion: 'v1', kind: 'Node', metadata: { name: b }, status: addresses('10.1.1.2') } as KubeObject);
    const ask = ['kubernetes', 'kubernetes.default.svc', 'localhost', b, '10.1.1.2', '10.43.0.1', '10.9.8.7', '::1', '127.0.0.1'];
    const dataDir = tmp();
    const first = await joinCluster({ server: ts.url, token: ts.server.joinToken!, nodeName: a, dataDir, addresses: ask });
    const cert = new X509Certificate(readFileSync(first.servingCertPath));
    assert.equal(cert.subjectAltName, `DNS:${a}, IP Address:127.0.0.1`);
    for (const host of ['kubernetes', 'kubernetes.default.svc', 'localhost', b]) assert.equal(cert.checkHost(host), undefined, host);
    for (const ip of ['10.1.1.2', '10.43.0.1', '10.9.8.7', '::1']) assert.equal(cert.checkIP(ip), undefined, ip);
    // Once its Node reports an InternalIP, a rejoin may have it signed (upstream's approver: the node's own addresses).
    await admin.nodes().create({ apiVersion: 'v1', kind: 'Node', metadata: { name: a }, status: addresses('10.9.8.7') } as KubeObject);
    const again = await joinCluster({ server: ts.url, token: ts.server.joinToken!, nodeName: a, dataDir, addresses: ask });
    assert.equal(new X509Certificate(readFileSync(again.servingCertPath)).subjectAltName, `DNS:${a}, IP Address:10.9.8.7, IP Address:127.0.0.1`);
  } finally {
    admin.close();
  }
});
