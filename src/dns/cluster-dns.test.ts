/** Cluster DNS against an in-process API server: answers follow Services as they are created and deleted. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { EndpointSlice } from '../api/kinds/discovery/endpoint-slice.js';
import { KubeClient } from '../client/kube-client.js';
import { resources } from '../client/resource-ref.js';
import { startTestServer, type TestServer } from '../testing/test-cluster.js';
import { queryDns } from './client.js';
import { startClusterDns } from './cluster-dns.js';
import type { DnsServer } from './server.js';
import { quietLogger } from '../testing/quiet-logger.js';
import { eventually } from '../testing/eventually.js';

/** dns-packet's types omit the decoded `rcode` and the `data` of some answer types. */
type Reply = { rcode?: string; answers?: { type: string; data?: unknown }[] };

describe('cluster dns', () => {
  let ts: TestServer;
  let client: KubeClient;
  let dns: DnsServer;
  before(async () => {
    ts = await startTestServer();
    client = KubeClient.fromKubeconfig(ts.kubeconfig);
    dns = await startClusterDns({ client, port: 0, upstreams: [], logger: quietLogger, publish: { nodeName: 'node-a', address: '127.0.0.1' } });
  });
  after(async () => {
    await dns.stop();
    client.close();
    await ts.stop();
  });

  async function aRecords(name: string): Promise<{ rcode: string; ips: string[] }> {
    const res = (await queryDns(dns.port, name, 'A')) as Reply;
    return { rcode: res.rcode ?? '', ips: (res.answers ?? []).filter((a) => a.type === 'A').map((a) => a.data as string) };
  }

  it('resolves the kubernetes Service and follows Service changes', async () => {
    assert.deepEqual(await aRecords('kubernetes.default.svc.cluster.local'), { rcode: 'NOERROR', ips: ['10.43.0.1'] });
    assert.equal((await aRecords('api.default.svc.cluster.local')).rcode, 'NXDOMAIN');
    const svc = await client.services('default').create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'api' }, spec: { selector: { app: 'api' }, ports: [{ port: 80 }] } });
    await eventually(async () => (await aRecords('api.default.svc.cluster.local')).ips[0] === svc.spec?.clusterIP, 'api resolvable');
    await client.services('default').delete('api');
    await eventually(async () => (await aRecords('api.default.svc.cluster.local')).rcode === 'NXDOMAIN', 'api gone');
    // Without upstreams, names outside the zone fail instead of hanging.
    assert.equal(((await queryDns(dns.port, 'example.com', 'A')) as Reply).rcode, 'SERVFAIL');
  });

  it('publishes itself as a kube-dns endpoint and withdraws on stop', async () => {
    assert.deepEqual(await aRecords('kube-dns.kube-system.svc.cluster.local'), { rcode: 'NOERROR', ips: ['10.43.0.10'] });
    // The apex's NS names ns.dns.<zone>, which is the kube-dns Service's address (CoreDNS nsAddrs).
    const ns = (await queryDns(dns.port, 'cluster.local', 'NS')) as Reply & { additionals?: { type: string; data?: unknown }[] };
    assert.deepEqual(ns.answers?.map((a) => `${a.type} ${String(a.data)}`), ['NS ns.dns.cluster.local']);
    assert.deepEqual(ns.additionals?.map((a) => `${a.type} ${String(a.data)}`), ['A 10.43.0.10']);
    assert.deepEqual(await aRecords('ns.dns.cluster.local'), { rcode: 'NOERROR', ips: ['10.43.0.10'] });
    const slices = client.resource<EndpointSlice>(resources.endpointslices, 'kube-system');
    const s = await slices.get('kube-dns-node-a');
    assert.deepEqual(s.endpoints.map((e) => [e.addresses[0], e.nodeName]), [['127.0.0.1', 'node-a']]);
    assert.equal(s.ports?.[0]?.port, dns.port);
    const second = await startClusterDns({ client, port: 0, upstreams: [], logger: quietLogger, publish: { nodeName: 'node-b', address: '127.0.0.2' } });
    await second.stop();
    await assert.rejects(slices.get('kube-dns-node-b'), /not found/);
  });
});
