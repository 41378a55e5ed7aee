/**
 * The proxy end to end against an in-process API server, applying inside a throwaway network
 * namespace: Services and EndpointSlices written through the API show up in `nft list`, endpoint
 * changes and deletions follow, and stop() removes the table unless asked to keep it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { EndpointSlice } from '../api/kinds/discovery/endpoint-slice.js';
import type { KubeObject } from '../api/meta.js';
import { KubeClient } from '../client/kube-client.js';
import { resources } from '../client/resource-ref.js';
import { startTestServer, type TestServer } from '../testing/test-cluster.js';
import { ep, slice } from './render/fixtures.js';
import { startProxy, type Proxy } from './proxy.js';
import { createNetns, netnsUnavailable } from './testing/netns.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {}, child() { return quiet; } };

async function eventually(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('proxy', { skip: netnsUnavailable() }, () => {
  let ts: TestServer;
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
    proxy = await startProxy({ client, nodeName: 'node-a', netns: ns.name, logger: quiet, checkIntervalMs: 100 });
    // The kubernetes Service is there from the start.
    assert.match(list(), /10\.43\.0\.1 \. tcp \. 443 : goto service-/);
    assert.match(list(), /192\.168\.77\.10/);

    const svc = await client.services('default').create({
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' },
      spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ name: 'http', port: 80 }] },
    } as KubeObject);
    const ip = svc.spec.clusterIP as string;
    const nodePort = svc.spec.ports[0].nodePort as number;
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
    proxy = await startProxy({ client, nodeName: 'node-a', netns: ns.name, logger: quiet, checkIntervalMs: 100 });
    assert.ok(list().includes('10.42.0.9 . 8080'));
    await proxy.stop({ keepRules: true });
    proxy = undefined;
    assert.ok(list().includes('10.42.0.9 . 8080'), 'endpoint rule kept');
    assert.ok(list().includes(`${svc.spec.clusterIP as string} . tcp . 80 : goto service-`), 'service rule kept');
    ns.exec('nft', ['delete', 'table', 'ip', 'bosun']);
  });
});
