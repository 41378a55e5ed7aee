/**
 * The ServiceLB controller against an in-process API server: a LoadBalancer Service gets the Ready
 * nodes' addresses, follows node and endpoint changes (externalTrafficPolicy Local), loses the
 * ingress when its type changes; with a pool each Service gets a distinct pool address.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Node } from '../../api/kinds/core/node.js';
import type { Service } from '../../api/kinds/core/service.js';
import type { EndpointSlice } from '../../api/kinds/discovery/endpoint-slice.js';
import { KubeClient } from '../../client/kube-client.js';
import { resources } from '../../client/resource-ref.js';
import { Manager } from '../../controller-runtime/manager.js';
import { startTestServer, type TestServer } from '../../testing/test-cluster.js';
import { addServiceLbController, type ServiceLbOptions } from './service-lb-controller.js';
import { quietLogger } from '../../testing/quiet-logger.js';
import { eventually } from '../../testing/eventually.js';

const NS = 'default';

async function setup(opts: ServiceLbOptions): Promise<{ ts: TestServer; client: KubeClient; mgr: Manager; stop(): Promise<void> }> {
  const ts = await startTestServer();
  const client = KubeClient.fromKubeconfig(ts.kubeconfig);
  const mgr = new Manager({ kubeconfig: ts.kubeconfig, logger: quietLogger });
  addServiceLbController(mgr, opts);
  await mgr.start();
  return { ts, client, mgr, async stop() { await mgr.stop(); client.close(); await ts.stop(); } };
}

const lb = (name: string, spec: Partial<NonNullable<Service['spec']>> = {}): Service => ({
  apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: NS },
  spec: { type: 'LoadBalancer', selector: { app: name }, ports: [{ port: 80, protocol: 'TCP' }], ...spec },
});

describe('service-lb controller, node addresses', () => {
  let env: Awaited<ReturnType<typeof setup>>;
  before(async () => { env = await setup({}); });
  after(async () => { await env.stop(); });

  const ingressOf = async (name: string): Promise<string[]> =>
    ((await env.client.resource<Service>(resources.services, NS).get(name)).status?.loadBalancer?.ingress ?? []).map((i) => i.ip!);

  async function putNode(name: string, ip: string, ready: boolean): Promise<void> {
    const api = env.client.resource<Node>(resources.nodes);
    const cur = await api.get(name).catch(() => api.create({ apiVersion: 'v1', kind: 'Node', metadata: { name } }));
    await api.updateStatus({ ...cur, status: { addresses: [{ type: 'InternalIP', address: ip }], conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] } });
  }

  it('follows Ready nodes, local endpoints, and a type change', async () => {
    await putNode('n1', '192.0.2.1', true);
    await putNode('n2', '192.0.2.2', false);
    const svcs = env.client.resource<Service>(resources.services, NS);
    await svcs.create(lb('web'));
    await svcs.create(lb('plain', { type: 'ClusterIP' }));
    await svcs.create(lb('other', { loadBalancerClass: 'example.com/lb' }));
    await eventually(async () => { const v = await ingressOf('web'); return v.join() === '192.0.2.1' && v; }, 'web on n1');
    await putNode('n2', '192.0.2.2', true);
    await eventually(async () => { const v = await ingressOf('web'); return v.join() === '192.0.2.1,192.0.2.2' && v; }, 'web on n1 and n2');

    // Local policy: only nodes with a ready endpoint.
    await svcs.create(lb('local', { externalTrafficPolicy: 'Local' }));
    const slices = env.client.resource<EndpointSlice>(resources.endpointslices, NS);
    await slices.create({
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', addressType: 'IPv4',
      metadata: { name: 'local-abc', namespace: NS, labels: { 'kubernetes.io/service-name': 'local' } },
      endpoints: [{ addresses: ['10.1.0.2'], nodeName: 'n2', conditions: { ready: true } }],
    });
    await eventually(async () => { const v = await ingressOf('local'); return v.join() === '192.0.2.2' && v; }, 'local on n2 only');

    const web = await svcs.get('web');
    await svcs.update({ ...web, spec: { ...web.spec, type: 'ClusterIP' } });
    await eventually(async () => { const v = await ingressOf('web'); return v.length === 0 && v; }, 'web ingress cleared');
    // Not ours: never given an ingress (checked after the others settled).
    assert.deepEqual(await ingressOf('plain'), []);
    assert.deepEqual(await ingressOf('other'), []);
  });
});

describe('service-lb controller, address pool', () => {
  let env: Awaited<ReturnType<typeof setup>>;
  before(async () => { env = await setup({ addressPool: ['198.51.100.10-198.51.100.11'] }); });
  after(async () => { await env.stop(); });

  it('gives each Service its own pool address until the pool runs out, and frees it on delete', async () => {
    const svcs = env.client.resource<Service>(resources.services, NS);
    const ingressOf = async (name: string): Promise<string[]> => ((await svcs.get(name)).status?.loadBalancer?.ingress ?? []).map((i) => i.ip!);
    await svcs.create(lb('a'));
    const a = await eventually(async () => { const v = await ingressOf('a'); return v.length === 1 && v; }, 'a gets an address');
    await svcs.create(lb('b'));
    const b = await eventually(async () => { const v = await ingressOf('b'); return v.length === 1 && v; }, 'b gets an address');
    assert.deepEqual([...a, ...b].sort(), ['198.51.100.10', '198.51.100.11']);
    await svcs.create(lb('c'));
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(await ingressOf('c'), [], 'pool exhausted');
    await svcs.delete('a');
    await eventually(async () => { const v = await ingressOf('c'); return v.join() === a.join() && v; }, 'c gets the freed address');
  });
});
