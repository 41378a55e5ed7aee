/**
 * Route programming for real, inside a test host's network namespace: routes to other nodes' pod
 * CIDRs appear as Nodes do, carry traffic to a "pod" address on the other host, follow changes,
 * leave foreign routes alone, and are all removed on stop.
 *
 * And the attack of issue 13 #1: nodes holding their own credentials (system:node:<name>, issued by
 * the cluster CA as join does) try to pull the cluster's pod traffic to themselves. A node with an
 * assigned pod CIDR cannot change it (422, upstream's ValidateNodeUpdate message); a fresh node may set
 * one (upstream allows "" -> valid), but another node's route controller does not route 0.0.0.0/0, a
 * block outside the cluster CIDR, or a block another node claimed first: `ip route` on the honest
 * node is exactly what it was.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/meta.js';
import { StatusError } from '../../api/status.js';
import { issueClientCertificate } from '../../apiserver/pki/pki.js';
import type { ApiServer } from '../../apiserver/server.js';
import { KubeClient } from '../../client/kube-client.js';
import { eventually, eventuallyWith } from '../../testing/eventually.js';
import { quietLogger } from '../../testing/quiet-logger.js';
import { startTestServer, type TestServer } from '../../testing/test-cluster.js';
import { createTestHosts, type TestHosts } from '../../testing/test-hosts.js';
import { RouteApplier, type IpRunner } from './route-applier.js';
import { RouteController } from './route-controller.js';

let th: TestHosts;
let ts: TestServer & { server: ApiServer };
let admin: KubeClient;
const clients: KubeClient[] = [];
const P = `rt-${process.pid}-${Date.now().toString(36)}`;

before(async () => {
  th = await createTestHosts({ hosts: ['n1', 'n2'] });
  ts = await startTestServer();
  admin = KubeClient.fromKubeconfig(ts.kubeconfig);
});
after(async () => {
  for (const c of [admin, ...clients]) c?.close();
  await ts?.stop();
  await th?.teardown();
});

const ipIn = (host: string): IpRunner => async (args) => {
  const r = await th.runInHost(host, ['ip', ...args]);
  if (r.code !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr.trim()}`);
  return r.stdout;
};
const routesIn = async (host: string): Promise<string> => (await th.runInHost(host, ['ip', '-4', 'route', 'show'])).stdout;

const until = eventuallyWith({ intervalMs: 50 });

async function makeNode(name: string, podCIDR: string, ip: string): Promise<void> {
  await admin.nodes().create({ apiVersion: 'v1', kind: 'Node', metadata: { name }, spec: { podCIDR, podCIDRs: [podCIDR] } } as KubeObject);
  await admin.nodes().patchStatus(name, 'merge', { status: { addresses: [{ type: 'InternalIP', address: ip }, { type: 'Hostname', address: name }] } });
}

test('the applier installs, replaces and removes only its own routes', async () => {
  const a = new RouteApplier(ipIn('n1'));
  const n2 = th.host('n2').ip;
  await th.runInHost('n1', ['ip', 'route', 'add', '10.99.0.0/24', 'via', n2, 'proto', 'static']);
  const r = await a.sync([
    { cidr: '10.42.7.0/24', via: n2, node: 'x' },
    { cidr: '10.42.8.0/24', via: '192.0.2.1', node: 'far' }, // not on this L2 network
  ]);
  assert.deepEqual(r.added.map((x) => x.cidr), ['10.42.7.0/24']);
  assert.deepEqual(r.failed.map((x) => x.route.cidr), ['10.42.8.0/24']);
  assert.match(await routesIn('n1'), new RegExp(`10\\.42\\.7\\.0/24 via ${n2.replace(/\./g, '\\.')} dev eth0 proto 66`));
  assert.deepEqual(await a.installed(), [{ cidr: '10.42.7.0/24', via: n2 }]);
  const again = await a.sync([{ cidr: '10.42.7.0/24', via: n2, node: 'x' }]);
  assert.deepEqual([again.added, again.removed, again.failed], [[], [], []], 'nothing to do the second time');
  await a.removeAll();
  assert.deepEqual(await a.installed(), []);
  assert.match(await routesIn('n1'), /10\.99\.0\.0\/24 .*proto static/, 'foreign routes are left alone');
});

test('the route controller follows Nodes and carries pod traffic across hosts', async () => {
  const [h1, h2] = [th.host('n1'), th.host('n2')];
  const [n1, n2, n3] = [`${P}-n1`, `${P}-n2`, `${P}-n3`];
  await makeNode(n1, '10.42.11.0/24', h1.ip);
  await makeNode(n2, '10.42.12.0/24', h2.ip);
  // A "pod" on n2: an address from its pod CIDR (the CNI bridge's job in a real node).
  await th.runInHost('n2', ['ip', 'addr', 'add', '10.42.12.5/32', 'dev', 'lo']);
  const pingPod = () => th.runInHost('n1', ['busybox', 'ping', '-c', '1', '-W', '1', '10.42.12.5']);
  assert.notEqual((await pingPod()).code, 0, 'without the route the pod is unreachable');

  const rc = new RouteController({ client: admin, nodeName: n1, ip: ipIn('n1'), resyncMs: 200, logger: quietLogger });
  await rc.start();
  try {
    assert.match(await routesIn('n1'), /10\.42\.12\.0\/24 via .* proto 66/);
    assert.equal((await pingPod()).code, 0, 'pod on n2 reachable from n1 through the route');

    await makeNode(n3, '10.42.13.0/24', h2.ip.replace(/\.\d+$/, '.200'));
    await until(async () => /10\.42\.13\.0\/24/.test(await routesIn('n1')), 'route to the new node');
    await admin.nodes().delete(n3);
    await until(async () => !/10\.42\.13\.0\/24/.test(await routesIn('n1')), 'route to the deleted node removed');

    // Someone flushes the route: the periodic resync puts it back.
    await th.runInHost('n1', ['ip', 'route', 'del', '10.42.12.0/24']);
    await until(async () => /10\.42\.12\.0\/24/.test(await routesIn('n1')), 'route restored by resync');
  } finally {
    await rc.stop();
  }
  assert.doesNotMatch(await routesIn('n1'), /proto 66/, 'stop removes every route');
});

function nodeClient(name: string): KubeClient {
  const pair = issueClientCertificate(ts.server.pki, `system:node:${name}`, ['system:nodes']);
  const c = new KubeClient({ server: ts.url, ca: ts.server.pki.ca.cert, cert: pair.cert, key: pair.key });
  clients.push(c);
  return c;
}

/** A node registering itself with its own credential, as the agent does; `podCIDR` as the agent's --pod-cidr would set it. */
async function register(name: string, ip: string, podCIDR?: string): Promise<KubeClient> {
  const c = nodeClient(name);
  await c.nodes().create({ apiVersion: 'v1', kind: 'Node', metadata: { name }, ...(podCIDR ? { spec: { podCIDR } } : {}) } as KubeObject);
  await c.nodes().patchStatus(name, 'merge', { status: { addresses: [{ type: 'InternalIP', address: ip }, { type: 'Hostname', address: name }] } });
  return c;
}

test('nodes cannot make other nodes route the pod network (or the world) to them', async () => {
  const [h1, h2] = [th.host('n1'), th.host('n2')];
  const Q = `${P}-atk`;
  const honest = `${Q}-x-honest`;
  const victim = `${Q}-x-victim`;
  const later = `${Q}-z-later`;
  await register(honest, h1.ip);
  await admin.nodes().patch(honest, 'merge', { spec: { podCIDR: '10.42.21.0/24' } });
  const victimClient = await register(victim, h2.ip);
  await admin.nodes().patch(victim, 'merge', { spec: { podCIDR: '10.42.22.0/24' } });

  const rc = new RouteController({ client: admin, nodeName: honest, clusterCidr: '10.42.0.0/16', ip: ipIn('n1'), resyncMs: 60_000, logger: quietLogger });
  await rc.start();
  try {
    await eventually(async () => /10\.42\.22\.0\/24 via .* proto 66/.test(await routesIn('n1')), 'route to the victim\'s pods');
    const before = await routesIn('n1');

    // 1. The victim's own credential cannot re-point its assigned CIDR (ValidateNodeUpdate).
    await assert.rejects(victimClient.nodes().patch(victim, 'merge', { spec: { podCIDR: '0.0.0.0/0' } }), (err: StatusError) => {
      assert.equal(err.code, 422);
      assert.equal(err.message, `Node "${victim}" is invalid: spec.podCIDRs: Forbidden: node updates may not change podCIDR except from "" to valid`);
      return true;
    });
    // 2. Fresh nodes claim what they like before IPAM assigns them anything: the whole IPv4 space,
    //    the victim's CIDR, a block outside the cluster CIDR, the honest node's own CIDR's supernet.
    const nextHop = h2.ip.replace(/\.\d+$/, '.201');
    await register(`${Q}-a-world`, nextHop, '0.0.0.0/0');
    await register(`${Q}-a-steal`, nextHop, '10.42.22.0/24');
    await register(`${Q}-a-outside`, nextHop, '192.168.77.0/24');
    await register(`${Q}-a-super`, nextHop, '10.42.20.0/22');
    // A legitimate node registered after them: once its route is there, the controller has seen all of the above.
    await register(later, nextHop);
    await admin.nodes().patch(later, 'merge', { spec: { podCIDR: '10.42.23.0/24' } });
    await eventually(async () => /10\.42\.23\.0\/24 via .* proto 66/.test(await routesIn('n1')), 'route to the later node');
    await rc.syncNow();

    const afterAttack = (await routesIn('n1')).split('\n').filter((l) => !l.startsWith('10.42.23.0/24')).join('\n');
    assert.equal(afterAttack, before, 'only the later node\'s route was added');
    assert.doesNotMatch(await routesIn('n1'), /^default .*proto 66|^0\.0\.0\.0|192\.168\.77|10\.42\.20\.0/m);
    assert.deepEqual(rc.current.filter((r) => r.node.startsWith(Q)).map((r) => [r.cidr, r.node]), [['10.42.22.0/24', victim], ['10.42.23.0/24', later]]);
  } finally {
    await rc.stop();
  }
  assert.doesNotMatch(await routesIn('n1'), /proto 66/, 'stop removes every route it made');
});
