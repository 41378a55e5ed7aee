/**
 * One configuration reaches every part of the control plane: the API server's Service ranges
 * (--service-cidr, --service-node-port-range: ClusterIPs, node ports and the kubernetes/kube-dns
 * addresses) and each controller's part of ControllerConfig (node IPAM's cluster CIDR, ServiceLB's
 * pool), with no module-level state: a second control plane in the same process keeps the defaults.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Node } from '../api/kinds/core/node.js';
import type { Service } from '../api/kinds/core/service.js';
import { eventually } from '../testing/eventually.js';
import { startControlPlane, type ControlPlane, type ControlPlaneOptions } from './control-plane.js';

const planes: ControlPlane[] = [];
const dirs: string[] = [];
after(async () => {
  for (const cp of planes) await cp.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function start(o: Partial<ControlPlaneOptions> = {}): Promise<ControlPlane> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bosun-cp-config-'));
  dirs.push(dataDir);
  const cp = await startControlPlane({ dataDir, port: 0, bindAddress: '127.0.0.1', store: 'memory', disableScheduler: true, ...o });
  planes.push(cp);
  return cp;
}

const service = (name: string, type: string): Service => ({
  apiVersion: 'v1', kind: 'Service', metadata: { name },
  spec: { type, selector: { app: name }, ports: [{ port: 80, protocol: 'TCP' }] },
} as Service);

test('service ranges and controller options given to one control plane apply to it alone', async () => {
  const cp = await start({
    serviceRanges: { serviceCidr: '10.77.0.0/16', nodePortRange: '31000-31010' },
    controllers: { nodeIpam: { clusterCidr: '10.99.0.0/16' }, serviceLb: { addressPool: ['192.0.2.5'] } },
  });
  const other = await start();

  assert.equal((await cp.client.services('default').get('kubernetes')).spec?.clusterIP, '10.77.0.1');
  assert.equal((await cp.client.services('kube-system').get('kube-dns')).spec?.clusterIP, '10.77.0.10');
  const np = await cp.client.services('default').create(service('np', 'NodePort'));
  assert.match(np.spec!.clusterIP!, /^10\.77\./);
  const nodePort = np.spec!.ports![0]!.nodePort!;
  assert.ok(nodePort >= 31000 && nodePort <= 31010, `nodePort ${nodePort}`);

  await cp.client.services('default').create(service('lb', 'LoadBalancer'));
  await eventually(async () => (await cp.client.services('default').get('lb')).status?.loadBalancer?.ingress?.[0]?.ip === '192.0.2.5', 'the pool address on the LoadBalancer Service');

  await cp.client.nodes<Node>().create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'cfg-n1' } } as Node);
  const cidr = await eventually(async () => (await cp.client.nodes<Node>().get('cfg-n1')).spec?.podCIDR, 'a pod CIDR for the node');
  assert.match(cidr, /^10\.99\.\d+\.0\/24$/);

  // The other control plane in this process has the defaults.
  assert.equal((await other.client.services('default').get('kubernetes')).spec?.clusterIP, '10.43.0.1');
  const np2 = await other.client.services('default').create(service('np', 'NodePort'));
  assert.match(np2.spec!.clusterIP!, /^10\.43\./);
});
