/**
 * A joined node renews its client and serving certificates while it runs, when they come within 90
 * days of expiry (the daily check, run here with a clock 300 days ahead): it joins again with its
 * token and node password, the API client presents the new client certificate on new connections,
 * and its agent server serves the new certificate, without a restart.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import { connect } from 'node:tls';
import { KubeClient } from '../../client/kube-client.js';
import { startTestServer } from '../../testing/test-cluster.js';
import { FakeRuntime } from '../runtime/fake/fake-runtime.js';
import { startAgentServer, type AgentServer } from '../server/agent-server.js';
import { startCertRenewal, type NodeCertificates } from './cert-renewal.js';
import { joinCluster } from './join-cluster.js';

const DAY = 24 * 60 * 60 * 1000;
const P = `renew-${process.pid}-${Date.now().toString(36)}`;
let ts: Awaited<ReturnType<typeof startTestServer>>;
let server: AgentServer | undefined;
const dataDir = mkdtempSync(join(tmpdir(), 'bosun-node-renew-'));

before(async () => {
  ts = await startTestServer();
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
