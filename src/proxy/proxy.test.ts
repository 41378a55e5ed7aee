/**
 * The proxy end to end against an in-process API server, applying inside a throwaway network
 * namespace: Services and EndpointSlices written through the API show up in `nft list`, endpoint
 * changes and deletions follow, and stop() removes the table unless asked to keep it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { EndpointSlice } from '../api/kinds/discovery/endpoint-slice.js';
import type { KubeObject } from '../api/meta.js';
import { StatusError } from '../api/status.js';
import { issueClientCertificate } from '../apiserver/pki/pki.js';
import type { ApiServer } from '../apiserver/server.js';
import { KubeClient } from '../client/kube-client.js';
import { resources } from '../client/resource-ref.js';
import { startTestServer, type TestServer } from '../testing/test-cluster.js';
import { ep, slice } from './render/fixtures.js';
import { startProxy, type Proxy } from './proxy.js';
import { createNetns, netnsUnavailable } from './testing/netns.js';
import { quietLogger } from '../testing/quiet-logger.js';
import { eventually } from '../testing/eventually.js';

describe('proxy', { skip: netnsUnavailable() }, () => {
  let ts: TestServer & { server: ApiServer };
  let client: KubeClient;
  let ns: ReturnType<typeof createNetns>;
  let proxy: Proxy | undefined;
  const list = (): string => {
    try {
      return ns.exec('nft', ['list', 'table', 'ip', 'bosun']);
    } catch {
      return '';
    }
  };

  before(async () => {
    ts = await startTestServer();
    client = KubeClient.fromKubeconfig(ts.kubeconfig);
    ns = createNetns();
  });
  after(async () => {
    await proxy?.stop();
    ns.remove();
    client.close();
    await ts.stop();
  });

  it('follows Services and EndpointSlices and removes its table on stop', async () => {
    await client.nodes().create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-a' }, status: { addresses: [{ type: 'InternalIP', address: '192.168.77.10' }] } } as KubeObject);
    proxy = await startProxy({ client, nodeName: 'node-a', netns: ns.name, logger: quietLogger, checkIntervalMs: 100 });
    // The kubernetes Service is there from the start.
    assert.match(list(), /10\.43\.0\.1 \. tcp \. 443 : goto service-/);
    assert.match(list(), /192\.168\.77\.10/);

    const svc = await client.services('default').create({
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' },
      spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ name: 'http', port: 80 }] },
    });
    const ip = svc.spec!.clusterIP!;
    const nodePort = svc.spec!.ports![0]!.nodePort!;
    await eventually(() => list().includes(`${ip} . tcp . 80 : goto reject-chain`), 'reject while no endpoints');
    assert.ok(list().includes(`tcp . ${nodePort} : goto reject-chain`));

    const slices = client.resource<EndpointSlice>(resources.endpointslices, 'default');
    const s = await slices.create(slice('web', [{ name: 'http', port: 8080, protocol: 'TCP' }], [ep('10.42.0.5', 'node-a'), ep('10.42.1.5', 'node-b')], 'default', 'web-1'));
    await eventually(() => list().includes('10.42.0.5 . 8080') && list().includes('10.42.1.5 . 8080'), 'both endpoints live');
    assert.ok(list().includes(`${ip} . tcp . 80 : goto service-`));

    // One endpoint turns not ready: it leaves the rules.
    await slices.update({ ...s, endpoints: [ep('10.42.0.5', 'node-a'), ep('10.42.1.5', 'node-b', { ready: false, serving: false, terminating: false })] } as EndpointSlice);
    await eventually(() => !list().includes('10.42.1.5') && list().includes('10.42.0.5 . 8080'), 'not-ready endpoint removed');

    // A firewall reload flushes everything: the proxy puts its table back.
    ns.exec('nft', ['flush', 'ruleset']);
    await eventually(() => list().includes('10.42.0.5 . 8080'), 'table reinstalled after a flush');

    await client.services('default').delete('web');
    await eventually(() => !list().includes(ip) && !list().includes('10.42.0.5'), 'service rules removed');

    await proxy.stop();
    proxy = undefined;
    assert.equal(list(), '');
  });

  // kube-proxy leaves its rules on exit: Services keep working while the proxy (or its node's
  // agent) is stopped, until the next start replaces them.
  it('stop({ keepRules: true }) leaves the last rules in the kernel', async () => {
    const slices = client.resource<EndpointSlice>(resources.endpointslices, 'default');
    const svc = await client.services('default').create({
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'kept' }, spec: { selector: { app: 'kept' }, ports: [{ name: 'http', port: 80 }] },
    } as KubeObject);
    await slices.create(slice('kept', [{ name: 'http', port: 8080, protocol: 'TCP' }], [ep('10.42.0.9', 'node-a')], 'default', 'kept-1'));
    proxy = await startProxy({ client, nodeName: 'node-a', netns: ns.name, logger: quietLogger, checkIntervalMs: 100 });
    assert.ok(list().includes('10.42.0.9 . 8080'));
    await proxy.stop({ keepRules: true });
    proxy = undefined;
    assert.ok(list().includes('10.42.0.9 . 8080'), 'endpoint rule kept');
    assert.ok(list().includes(`${svc.spec!.clusterIP!} . tcp . 80 : goto service-`), 'service rule kept');
    ns.exec('nft', ['delete', 'table', 'ip', 'bosun']);
  });

  // Issue 13 #2 on a real node: a node's credential writes nft syntax where the proxy reads
  // addresses. The API refuses what upstream validates (the DNS slice, 422); the Node's own status
  // addresses are not validated upstream, so the renderer refuses that one: the table is unchanged.
  it('hostile addresses from a node leave the nftables table as it was', async () => {
    const pair = issueClientCertificate(ts.server.pki, 'system:node:node-a', ['system:nodes']);
    const nodeA = new KubeClient({ server: ts.url, ca: ts.server.pki.ca.cert, cert: pair.cert, key: pair.key });
    try {
      const slices = client.resource<EndpointSlice>(resources.endpointslices, 'default');
      await client.services('default').create({
        apiVersion: 'v1', kind: 'Service', metadata: { name: 'calm' }, spec: { type: 'NodePort', selector: { app: 'calm' }, ports: [{ name: 'http', port: 80 }] },
      } as KubeObject);
      await slices.create(slice('calm', [{ name: 'http', port: 8080, protocol: 'TCP' }], [ep('10.42.0.21', 'node-a')], 'default', 'calm-1'));
      proxy = await startProxy({ client, nodeName: 'node-a', netns: ns.name, logger: quietLogger, checkIntervalMs: 100 });
      await eventually(() => list().includes('10.42.0.21 . 8080'), 'calm endpoint live');
      const before = list();

      const dns = nodeA.resource<EndpointSlice>(resources.endpointslices, 'kube-system');
      const evil = slice('kube-dns', [{ name: 'dns', port: 53, protocol: 'UDP' }], [ep('10.43.0.10 } ; flush ruleset ; add table ip x {', 'node-a')], 'kube-system', 'kube-dns-node-a');
      await assert.rejects(dns.create(evil), (err: StatusError) => err.code === 422 && /endpoints\[0\]\.addresses\[0\]/.test(err.message));

      await nodeA.nodes().patchStatus('node-a', 'merge', { status: { addresses: [
        { type: 'InternalIP', address: '192.168.77.10' }, { type: 'ExternalIP', address: '192.168.77.12 } ; flush ruleset ; add table ip x {' },
      ] } });
      // A harmless change after the hostile one: once it shows, the proxy has rendered past the attack.
      await nodeA.nodes().patchStatus('node-a', 'merge', { status: { addresses: [{ type: 'InternalIP', address: '192.168.77.11' }] } });
      await eventually(() => list().includes('192.168.77.11'), 'the later address rendered');
      assert.equal(list(), before.replace('192.168.77.10', '192.168.77.11'));
      assert.doesNotMatch(ns.exec('nft', ['list', 'tables']), /table ip x/);
    } finally {
      nodeA.close();
      await proxy?.stop();
      proxy = undefined;
    }
  });
});
