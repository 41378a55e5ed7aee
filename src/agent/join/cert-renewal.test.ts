/**
 * A joined node renews its client and serving certificates while it runs, when they come within 90
 * days of expiry (the daily check, run here with a clock 300 days ahead): it joins again with its
 * token and node password, the API client presents the new client certificate on new connections,
 * and its agent server serves the new certificate, without a restart.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import { connect } from 'node:tls';
import { KubeClient } from '../../client/kube-client.js';
import { startTestServer } from '../../testing/test-cluster.js';
import { FakeRuntime } from '../runtime/fake/fake-runtime.js';
import { startAgentServer, type AgentServer } from '../server/agent-server.js';
import { resources } from '../../client/resource-ref.js';
import { applyTo, startCertRenewal, type NodeCertificates } from './cert-renewal.js';
import { joinCluster } from './join-cluster.js';

const DAY = 24 * 60 * 60 * 1000;
const P = `renew-${process.pid}-${Date.now().toString(36)}`;
let ts: Awaited<ReturnType<typeof startTestServer>>;
let server: AgentServer | undefined;
const dataDir = mkdtempSync(join(tmpdir(), 'bosun-node-renew-'));

before(async () => {
  // The node of the ingress test may ask for the Ingress controller's credential (--agent-ingress-nodes).
  ts = await startTestServer({ agentIngressNodes: [`${P}-ing`] });
});
after(async () => {
  await server?.close();
  await ts?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

function servedSerial(port: number, ca: string, name: string): Promise<string> {
  return new Promise((resolve, reject) => {
    // The agent server asks for a client certificate; the handshake completes without one.
    const s = connect({ host: '127.0.0.1', port, ca, servername: name }, () => {
      const serial = s.getPeerX509Certificate()!.serialNumber;
      s.destroy();
      resolve(serial);
    });
    s.once('error', reject);
  });
}

test('a joined node renews its certificates within 90 days of expiry, while running', async () => {
  const nodeName = `${P}-n`;
  const join1 = () => joinCluster({ server: ts.url, token: ts.server.joinToken!, nodeName, dataDir, addresses: ['127.0.0.1'] });
  const joined = await join1();
  const client = KubeClient.fromKubeconfig(joined.kubeconfigPath);
  server = await startAgentServer({ runtime: new FakeRuntime({ images: [] }), port: 0, host: '127.0.0.1', tls: { ...joined.serving, clientCa: joined.caCert } });
  let clock = Date.now();
  const applied: NodeCertificates[] = [];
  const renewal = startCertRenewal({
    current: joined,
    renew: join1,
    apply: (c) => {
      applied.push(c);
      client.setClientCertificate(c.client.cert, c.client.key);
      server!.setTls({ cert: c.serving.cert, key: c.serving.key, clientCa: c.caCert });
    },
    now: () => clock,
  });
  try {
    const before = await servedSerial(server.port, joined.caCert, nodeName);
    assert.equal(await renewal.check(), false, 'a year before expiry nothing happens');
    clock += 300 * DAY;
    assert.equal(await renewal.check(), true);
    assert.equal(applied.length, 1);
    const fresh = applied[0]!;
    assert.notEqual(fresh.client.cert, joined.client.cert);
    assert.notEqual(fresh.serving.cert, joined.serving.cert);
    // What the node keeps on disk is the new credential, and the agent server presents the new certificate.
    assert.equal(readFileSync(join(dataDir, 'agent', 'pki', 'serving.crt'), 'utf8'), fresh.serving.cert);
    const after = await servedSerial(server.port, joined.caCert, nodeName);
    assert.notEqual(after, before);
    assert.equal(after, new X509Certificate(fresh.serving.cert).serialNumber);
    // The API client goes on working with the renewed certificate on a new connection.
    client.transport.agent.destroy();
    assert.equal((await client.nodes().list()).kind, 'NodeList');
  } finally {
    renewal.stop();
    client.close();
  }
});

// A node running the Ingress controller (`bosun agent --ingress-http-port`) renews with the
// same join, which asks for the controller's certificate again: the renewal carries a new one, the
// node keeps it on disk (0600), the controller's client is handed it, and the server takes it as
// kube-system/bosun-ingress (which may list Secrets, as no node identity may).
test('a node running the Ingress controller renews its ingress certificate and its ingress client takes it', async () => {
  const nodeName = `${P}-ing`;
  const ingDir = mkdtempSync(join(tmpdir(), 'bosun-node-renew-ing-'));
  const joinIng = () => joinCluster({ server: ts.url, token: ts.server.joinToken!, nodeName, dataDir: ingDir, addresses: ['127.0.0.1'], ingress: true });
  let clock = Date.now();
  const handed = new Map<string, string>();
  const user = (name: string) => ({ setClientCertificate: (cert: string) => void handed.set(name, cert) });
  try {
    const joined = await joinIng();
    assert.ok(joined.ingress, 'the first join carries the ingress certificate');
    const renewal = startCertRenewal({
      current: joined, renew: joinIng, now: () => clock,
      apply: applyTo({ client: user('client'), proxy: user('proxy'), dns: user('dns'), ingress: user('ingress') }),
    });
    try {
      clock += 300 * DAY;
      assert.equal(await renewal.check(), true);
    } finally {
      renewal.stop();
    }
    const fresh = handed.get('ingress');
    assert.ok(fresh, 'the ingress client is handed a certificate');
    assert.notEqual(fresh, joined.ingress.cert, 'a new one');
    const crt = new X509Certificate(fresh);
    assert.match(crt.subject, /^CN=system:serviceaccount:kube-system:bosun-ingress$/m);
    assert.ok(crt.checkIssued(new X509Certificate(joined.caCert)), 'issued by the cluster CA');
    assert.equal(readFileSync(join(ingDir, 'agent', 'pki', 'ingress.crt'), 'utf8'), fresh);
    assert.equal(statSync(join(ingDir, 'agent', 'pki', 'ingress.key')).mode & 0o777, 0o600);
    // The renewed certificate with the key kept beside it is a working ingress credential.
    const ingress = new KubeClient({ server: ts.url, ca: joined.caCert, cert: fresh, key: readFileSync(join(ingDir, 'agent', 'pki', 'ingress.key'), 'utf8') });
    try {
      assert.equal((await ingress.list(resources.secrets, undefined)).kind, 'SecretList');
    } finally {
      ingress.close();
    }
    // The other users are handed theirs as on any node.
    assert.deepEqual([...handed.keys()].sort(), ['client', 'dns', 'ingress', 'proxy']);
  } finally {
    rmSync(ingDir, { recursive: true, force: true });
  }
});

test('stopping the renewal abandons a renewal that is waiting out an unreachable server', async () => {
  const nodeName = `${P}-gone`;
  const joined = await joinCluster({ server: ts.url, token: ts.server.joinToken!, nodeName, dataDir, addresses: ['127.0.0.1'] });
  // A port nobody listens on: the join's requests are refused, and the join retries (join-retry.test.ts).
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const deadPort = (probe.address() as AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
  let retried!: () => void;
  const firstRetry = new Promise<void>((r) => (retried = r));
  const renewal = startCertRenewal({
    current: joined,
    now: () => Date.now() + 400 * DAY,
    renew: (signal) => joinCluster({ server: `https://127.0.0.1:${deadPort}`, token: ts.server.joinToken!, nodeName, dataDir, addresses: ['127.0.0.1'], signal, log: () => retried() }),
    apply: () => assert.fail('nothing to apply: the server was never reached'),
  });
  const pending = renewal.check();
  await firstRetry;
  renewal.stop();
  // The renewal gives up with the last network error (retry-transient.ts); without stop() it would retry for good.
  await assert.rejects(pending, (err: NodeJS.ErrnoException) => err.code === 'ECONNREFUSED');
});
