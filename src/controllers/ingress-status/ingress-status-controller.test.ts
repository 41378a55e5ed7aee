/**
 * The Ingress status controller against an in-process API server, writing as its own service
 * account (kube-system/ingress-status-controller, bound to its bootstrap role): a node that goes
 * Unknown (died without withdrawing, as the node lifecycle controller marks it) or is deleted loses
 * its entry in the Bosun-class Ingresses' status, while Ready nodes' entries, hostnames and other
 * classes' Ingresses are left; an entry a node re-adds while its Node is not Ready is not fought
 * over (the controller acts on Node changes, not Ingress updates).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Node } from '../../api/kinds/core/node.js';
import type { Ingress } from '../../api/kinds/networking/ingress.js';
import { ComponentIdentities } from '../../cluster/component-identities.js';
import { KubeClient } from '../../client/kube-client.js';
import { resources } from '../../client/resource-ref.js';
import { Manager } from '../../controller-runtime/manager.js';
import { eventually } from '../../testing/eventually.js';
import { quietLogger } from '../../testing/quiet-logger.js';
import { startTestServer } from '../../testing/test-cluster.js';
import type { Controller } from '../../controller-runtime/controller.js';
import { addIngressStatusController } from './ingress-status-controller.js';

const NS = 'default';
let ts: Awaited<ReturnType<typeof startTestServer>>;
let client: KubeClient;
let mgr: Manager;
let identities: ComponentIdentities;
let ctl: Controller;

async function putNode(name: string, ip: string, ready: 'True' | 'Unknown'): Promise<void> {
  const api = client.resource<Node>(resources.nodes);
  const cur = await api.get(name).catch(() => api.create({ apiVersion: 'v1', kind: 'Node', metadata: { name } }));
  await api.updateStatus({ ...cur, status: { addresses: [{ type: 'InternalIP', address: ip }], conditions: [{ type: 'Ready', status: ready }] } });
}

async function putIngress(name: string, className: string, status: { ip?: string; hostname?: string }[]): Promise<void> {
  const api = client.resource<Ingress>(resources.ingresses, NS);
  const cur = await api.get(name).catch(() => api.create({
    apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name },
    spec: { ingressClassName: className, defaultBackend: { service: { name: 'web', port: { number: 80 } } } },
  }));
  // As a node's controller writes its entry: on the copy it has.
  await api.updateStatus({ ...cur, status: { loadBalancer: { ingress: status } } });
}

const addresses = async (name: string): Promise<string[]> =>
  ((await client.resource<Ingress>(resources.ingresses, NS).get(name)).status?.loadBalancer?.ingress ?? []).map((e) => e.ip ?? e.hostname ?? '');

describe('ingress-status controller', () => {
  before(async () => {
    ts = await startTestServer();
    client = KubeClient.fromKubeconfig(ts.kubeconfig);
    for (const [name, controller] of [['bosun', 'bosun.dev/ingress'], ['nginx', 'k8s.io/ingress-nginx']]) {
      await client.create(resources.ingressclasses, undefined, { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name }, spec: { controller } });
    }
    await putNode('n1', '192.0.2.1', 'True');
    await putNode('n2', '192.0.2.2', 'True');
    await putIngress('web', 'bosun', [{ ip: '192.0.2.1' }, { ip: '192.0.2.2' }, { hostname: 'lb.example' }]);
    await putIngress('other', 'nginx', [{ ip: '192.0.2.2' }]);
    await putIngress('stale', 'bosun', [{ ip: '203.0.113.1' }]);
    mgr = new Manager({ kubeconfig: ts.kubeconfig, logger: quietLogger });
    identities = new ComponentIdentities(ts.server);
    ctl = addIngressStatusController(identities.managerFor(mgr, 'ingress-status'));
    await mgr.start();
  });
  after(async () => {
    await mgr.stop();
    identities.close();
    client.close();
    await ts.stop();
  });

  it('keeps Ready nodes\' entries as they are; a stale one found at start goes', async () => {
    await eventually(async () => (await addresses('stale')).length === 0, 'the entry of a node that never existed out of stale');
    assert.deepEqual(await addresses('web'), ['192.0.2.1', '192.0.2.2', 'lb.example']);
  });

  it('a node gone Unknown loses its entry in its class\'s Ingresses only', async () => {
    await putNode('n2', '192.0.2.2', 'Unknown');
    await eventually(async () => (await addresses('web')).join() === '192.0.2.1,lb.example', 'n2 out of web');
    assert.deepEqual(await addresses('other'), ['192.0.2.2'], 'another class\'s Ingress is its controller\'s business');
  });

  it('an entry re-added while its node is not Ready stays (no write war); a deleted node loses its entry', async () => {
    const reconciles = ctl.reconciles;
    await putIngress('web', 'bosun', [{ ip: '192.0.2.1' }, { ip: '192.0.2.2' }, { hostname: 'lb.example' }]);
    // The informer hands an update to the handlers as it stores it: once the cache has it, a
    // reconcile it asked for would be queued, running or done.
    const cached = mgr.informers.informerFor<Ingress>(resources.ingresses);
    await eventually(() => cached.indexer.get(`${NS}/web`)?.status?.loadBalancer?.ingress?.length === 3, 'the re-add in the cache');
    assert.deepEqual([ctl.queue.len(), ctl.queue.processingCount(), ctl.reconciles], [0, 0, reconciles], 'an Ingress update enqueues nothing');
    assert.deepEqual(await addresses('web'), ['192.0.2.1', '192.0.2.2', 'lb.example']);
    await client.resource<Node>(resources.nodes).delete('n1');
    await eventually(async () => (await addresses('web')).join() === 'lb.example', 'n1 (deleted) and n2 (Unknown) out of web');
  });
});
