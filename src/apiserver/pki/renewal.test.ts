/**
 * Certificate renewal of the server, as k3s renews its certificates within 90 days of expiry: at
 * start (certificates made short-lived or expired in the test stand in for a year passing), and
 * while running (the daily check, run here with a clock 300 days ahead), where the new serving
 * certificate reaches new connections while an open watch carries on: no downtime.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:https';
import { connect } from 'node:tls';
import type { KubeObject } from '../../api/meta.js';
import { KubeClient } from '../../client/kube-client.js';
import { kubeletClientCertificate } from '../node-proxy/agent-client.js';
import { startApiServer } from '../server.js';
import { startCertRenewer } from './cert-renewer.js';
import { issueCertificate, type KeyPair } from './certs.js';
import { ensurePki } from './pki.js';

const DAY = 24 * 60 * 60 * 1000;
const validTo = (pem: string) => new Date(new X509Certificate(pem).validTo).getTime();

/** The certificate the server presents to a new connection. */
function servedCertificate(port: number, ca: string): Promise<X509Certificate> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port, ca, servername: 'localhost' }, () => {
      const cert = s.getPeerX509Certificate()!;
      s.end();
      resolve(cert);
    });
    s.once('error', reject);
  });
}

function replace(pkiDir: string, name: string, pair: KeyPair): void {
  writeFileSync(join(pkiDir, `${name}.crt`), pair.cert);
  writeFileSync(join(pkiDir, `${name}.key`), pair.key);
}

test('certificates within 90 days of expiry, or expired, are renewed at start from the same CA', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'bosun-renew-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const first = ensurePki(dataDir);
  // Ten days left on the serving and kubelet-client certificates; the admin one expired yesterday.
  replace(first.dir, 'server', issueCertificate({ commonName: 'kube-apiserver', usage: 'server', dnsNames: ['localhost'], ips: ['127.0.0.1'], validDays: 10 }, first.ca));
  replace(first.dir, 'admin', issueCertificate({ commonName: 'system:admin', organizations: ['system:masters'], usage: 'client', validDays: -1 }, first.ca));
  replace(first.dir, 'apiserver-kubelet-client', issueCertificate({ commonName: 'kube-apiserver-kubelet-client', organizations: ['system:masters'], usage: 'client', validDays: 10 }, first.ca));

  const api = await startApiServer({ dataDir, port: 0, bindAddress: '127.0.0.1', storeBackend: 'memory' });
  try {
    assert.equal(api.pki.ca.cert, first.ca.cert, 'the CA is kept');
    const served = await servedCertificate(api.port, first.ca.cert);
    assert.ok(new Date(served.validTo).getTime() > Date.now() + 300 * DAY, `served certificate valid until ${served.validTo}`);
    assert.ok(served.verify(new X509Certificate(first.ca.cert).publicKey));
    assert.ok(validTo(api.pki.admin.cert) > Date.now() + 300 * DAY);
    // The admin kubeconfig carries the renewed certificate, and it works.
    const admin = KubeClient.fromKubeconfig(api.kubeconfigPath);
    try {
      assert.ok((await admin.namespaces().list()).items.length > 0);
    } finally {
      admin.close();
    }
    assert.ok(validTo(kubeletClientCertificate(api.pki).cert) > Date.now() + 300 * DAY);
  } finally {
    await api.stop();
  }
});

test('a running server renews its certificates when the daily check finds them near expiry, without dropping a watch', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'bosun-renew-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const api = await startApiServer({ dataDir, port: 0, bindAddress: '127.0.0.1', storeBackend: 'memory' });
  const admin = KubeClient.fromKubeconfig(api.kubeconfigPath);
  try {
    const before = await servedCertificate(api.port, api.pki.ca.cert);
    const oldAdmin = api.pki.admin.cert;
    const watch = await admin.configMaps('default').watch();
    let renewedWith: string | undefined;
    api.certificates.onRenewed((pki) => (renewedWith = pki.admin.cert));

    assert.equal(api.certificates.renew(), false, 'nothing to do a year before expiry');
    // Leaf certificates are renewed from the CA; the CA itself (10 years) is left to the operator.
    const caBefore = api.pki.ca.cert;
    // 300 days on, 65 are left: inside the 90-day window.
    assert.equal(api.certificates.renew(Date.now() + 300 * DAY), true);
    const after = await servedCertificate(api.port, api.pki.ca.cert);
    assert.notEqual(after.serialNumber, before.serialNumber, 'new connections get the new certificate');
    assert.notEqual(api.pki.admin.cert, oldAdmin);
    assert.equal(api.pki.ca.cert, caBefore);
    assert.equal(renewedWith, api.pki.admin.cert);
    assert.match(readFileSync(api.kubeconfigPath, 'utf8'), new RegExp(Buffer.from(api.pki.admin.cert).toString('base64').slice(0, 60).replace(/[+/]/g, '\\$&')));

    // The watch opened before the renewal still delivers.
    await admin.configMaps('default').create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'after-renewal' } } as KubeObject);
    for await (const ev of watch) {
      if (ev.object.metadata.name === 'after-renewal') break;
    }
    watch.stop();
    const renewedClient = KubeClient.fromKubeconfig(api.kubeconfigPath);
    try {
      assert.equal((await renewedClient.configMaps('default').get('after-renewal')).metadata.name, 'after-renewal');
    } finally {
      renewedClient.close();
    }
  } finally {
    admin.close();
    await api.stop();
  }
});

test('a CA within 90 days of its expiry is not replaced but warned about, pointing at the rotation procedure', (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'bosun-renew-'));
  const server = createServer();
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const pki = ensurePki(dataDir);
  const ca = pki.ca.cert;
  const warnings: string[] = [];
  const renewer = startCertRenewer({ dataDir, extraSans: [], pki, server, kubeconfig: { path: join(dataDir, 'kubeconfig.yaml'), server: 'https://127.0.0.1:1' }, warn: (m) => warnings.push(m) });
  try {
    assert.deepEqual(warnings, [], 'a new CA has ten years');
    // 3,600 days on, the CA (3,650 days) has 50 left; the leaf certificates are renewed from it.
    assert.equal(renewer.renew(Date.now() + 3600 * DAY), true);
    assert.equal(pki.ca.cert, ca);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /the cluster CA \(.*ca\.crt\) expires within 90 days; rotate it as docs\/certificates\.md describes/);
  } finally {
    renewer.stop();
  }
});
