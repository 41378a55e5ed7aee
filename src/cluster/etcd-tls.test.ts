/**
 * The control plane on an etcd that serves TLS and requires client certificates (etcd's
 * --client-cert-auth), through --etcd-cafile/--etcd-certfile/--etcd-keyfile as k3s's
 * --datastore-cafile/-certfile/-keyfile: objects written through the API land in that etcd, and a
 * client without the certificate, or one that does not trust etcd's CA, gets nothing from it.
 * A real etcd (Debian's etcd-server) with certificates issued for this test.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../api/meta.js';
import { issueCertificate } from '../apiserver/pki/certs.js';
import { EtcdStore } from '../store/index.js';
import { ETCD_BIN, etcdAvailable, startEtcd, type EtcdServer, type EtcdServerTls } from '../store/testing/etcd-server.js';
import { startControlPlane, type ControlPlane } from './control-plane.js';

if (!etcdAvailable()) {
  describe('control plane on etcd with TLS', () => {
    it(`skipped: ${ETCD_BIN} is not installed (apt-get install etcd-server)`, { skip: true }, () => {});
  });
} else {
  describe('control plane on etcd with TLS', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bosun-etcd-tls-'));
    const file = (name: string, pem: string) => {
      const p = join(dir, name);
      writeFileSync(p, pem, { mode: 0o600 });
      return p;
    };
    const ca = issueCertificate({ commonName: 'etcd-ca', usage: 'ca', validDays: 1 });
    const otherCa = issueCertificate({ commonName: 'someone-else', usage: 'ca', validDays: 1 });
    const serving = issueCertificate({ commonName: 'etcd', usage: 'server', dnsNames: ['localhost'], ips: ['127.0.0.1'], validDays: 1 }, ca);
    const client = issueCertificate({ commonName: 'bosun', usage: 'client', validDays: 1 }, ca);
    const tls: EtcdServerTls = {
      caFile: file('ca.crt', ca.cert), certFile: file('etcd.crt', serving.cert), keyFile: file('etcd.key', serving.key),
      clientCertFile: file('client.crt', client.cert), clientKeyFile: file('client.key', client.key),
    };
    let etcd: EtcdServer;
    let cp: ControlPlane | undefined;

    before(async () => {
      etcd = await startEtcd({ tls });
    });
    after(async () => {
      await cp?.stop();
      await etcd?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('serves the API from etcd over TLS with a client certificate', async () => {
      assert.match(etcd.endpoint, /^https:\/\//);
      cp = await startControlPlane({
        dataDir: join(dir, 'server'), port: 0, bindAddress: '127.0.0.1', store: 'etcd', etcdEndpoints: [etcd.endpoint],
        etcdTls: { caFile: tls.caFile, certFile: tls.clientCertFile, keyFile: tls.clientKeyFile },
        disableControllerManager: true, disableScheduler: true,
      });
      await cp.client.configMaps('default').create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'over-tls' }, data: { a: 'b' } } as KubeObject);
      // Read back straight from etcd, as another client with the same credentials.
      const direct = new EtcdStore({ endpoints: [etcd.endpoint], prefix: '/bosun', tls: { ca: ca.cert, cert: client.cert, key: client.key }, revisionPollInterval: 0 });
      try {
        const kv = await direct.get('/registry/core/configmaps/default/over-tls');
        assert.equal((JSON.parse(kv!.value) as { data?: Record<string, string> }).data?.a, 'b');
      } finally {
        await direct.close();
      }
    });

    it('refuses a client without a certificate and one that does not trust etcd\'s CA', async () => {
      for (const bad of [{ ca: ca.cert }, { ca: otherCa.cert, cert: client.cert, key: client.key }]) {
        const store = new EtcdStore({ endpoints: [etcd.endpoint], prefix: '/bosun', tls: bad, revisionPollInterval: 0 });
        try {
          await assert.rejects(store.get('/registry/core/configmaps/default/over-tls'));
        } finally {
          await store.close();
        }
      }
    });

    it('a certificate without its key is a configuration error', async () => {
      await assert.rejects(startControlPlane({
        dataDir: join(dir, 'bad'), port: 0, store: 'etcd', etcdEndpoints: [etcd.endpoint], etcdTls: { caFile: tls.caFile, certFile: tls.clientCertFile },
        disableControllerManager: true, disableScheduler: true,
      }), /--etcd-certfile and --etcd-keyfile go together/);
    });
  });
}
