/**
 * Route programming for real, inside a test host's network namespace: routes to other nodes' pod
 * CIDRs appear as Nodes do, carry traffic to a "pod" address on the other host, follow changes,
 * leave foreign routes alone, and are all removed on stop.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/meta.js';
import { KubeClient } from '../../client/kube-client.js';
import { startTestServer, type TestServer } from '../../testing/test-cluster.js';
import { createTestHosts, type TestHosts } from '../../testing/test-hosts.js';
import { RouteApplier, type IpRunner } from './route-applier.js';
import { RouteController } from './route-controller.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {}, child() { return quiet; } };
let th: TestHosts;
let ts: TestServer;
let admin: KubeClient;
const P = `rt-${process.pid}-${Date.now().toString(36)}`;

before(async () => {
  th = await createTestHosts({ hosts: ['n1', 'n2'] });
  ts = await startTestServer();
  admin = KubeClient.fromKubeconfig(ts.kubeconfig);
});
after(async () => {
  admin?.close();
  await ts?.stop();
  await th?.teardown();
});

const ipIn = (host: string): IpRunner => async (args) => {
  const r = await th.runInHost(host, ['ip', ...args]);
  if (r.code !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr.trim()}`);
  return r.stdout;
};
const routesIn = async (host: string): Promise<string> => (await th.runInHost(host, ['ip', '-4', 'route', 'show'])).stdout;

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

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

  const rc = new RouteController({ client: admin, nodeName: n1, ip: ipIn('n1'), resyncMs: 200, logger: quiet });
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
