/**
 * The simulated fleet against an in-process API server: nodes register Ready with leases owned by
 * them and keep renewing; a bound pod becomes Running and Ready with an IP from its node's CIDR; a
 * deleted pod is confirmed; a stopped node stops renewing and leaves its pods alone; the pause
 * annotation does the same; a node marked Unknown by someone else is reported Ready again.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Lease, Node, Pod } from '../api/kinds/index.js';
import { isNotFound } from '../client/errors.js';
import type { KubeClient } from '../client/kube-client.js';
import { startClientEnv, type ClientEnv } from '../testing/controller-env.js';
import { eventually } from '../testing/eventually.js';
import { quietLogger } from '../testing/quiet-logger.js';
import { PodIPAllocator, podCIDR, hostIP } from './addresses.js';
import { HeartbeatWheel } from './heartbeat-wheel.js';
import { Limiter } from './limiter.js';
import { PAUSED_ANNOTATION, startSimulatedNodes, UNREADY_ANNOTATION, type SimulatedFleet } from './index.js';
import { FakeClock } from '../controller-runtime/clock/fake-clock.js';
import { SharedInformerFactory } from '../controller-runtime/informer/informer-factory.js';
import { resources } from '../client/resource-ref.js';

const P = `simf${process.pid % 1000}`;
const NS = `${P}-ns`;
let env: ClientEnv;
let client: KubeClient;
let fleet: SimulatedFleet;

before(async () => {
  env = await startClientEnv({ namespace: NS });
  ({ client } = env);
  fleet = await startSimulatedNodes(client, { count: 3, prefix: `${P}-`, heartbeatMs: 200, readyDelayMs: 100, cpu: '4', memory: '8Gi', pods: 20, logger: quietLogger, labels: { 'topology.kubernetes.io/zone': 'z1' }, unpullableImages: ['missing:404'],
    images: [{ names: ['docker.io/library/nginx:1.27'], sizeBytes: 72_000_000 }] });
});
after(async () => {
  await fleet?.close({ deleteNodes: true });
  await env?.stop();
});

const podSpec = { containers: [{ name: 'app', image: 'nginx:1.27' }], initContainers: [{ name: 'init', image: 'busybox' }] };

test('addresses and IP allocation', () => {
  assert.equal(hostIP(1), '172.16.0.1');
  assert.equal(hostIP(300), '172.16.1.44');
  assert.equal(podCIDR(1), '10.128.1.0/24');
  assert.equal(podCIDR(300), '10.129.44.0/24');
  const a = new PodIPAllocator('10.128.1.0/24');
  assert.equal(a.allocate('u1'), '10.128.1.2');
  assert.equal(a.allocate('u1'), '10.128.1.2', 'stable per pod');
  assert.equal(a.claim('u2', '10.128.1.2'), false, 'taken by another pod');
  assert.equal(a.claim('u2', '10.128.1.9'), true);
  a.release('u1');
  const ips = new Set<string | undefined>();
  for (let i = 0; i < 252; i++) ips.add(a.allocate(`x${i}`));
  assert.equal(ips.size, 252);
  assert.equal(ips.has('10.128.1.9'), false, 'claimed IP not handed out again');
  assert.equal(a.allocate('one-too-many'), undefined);
});

test('limiter caps concurrency and reports idle', async () => {
  const lim = new Limiter(2);
  let active = 0;
  let peak = 0;
  const job = () => lim.run(async () => {
    peak = Math.max(peak, ++active);
    await new Promise((r) => setTimeout(r, 5));
    active--;
  });
  const all = Promise.all(Array.from({ length: 7 }, job));
  assert.equal(lim.pending, 7);
  await lim.idle();
  await all;
  assert.equal(peak, 2);
  assert.equal(lim.pending, 0);
});

test('heartbeat wheel visits every member once per period', () => {
  const clock = new FakeClock();
  const beats = new Map<string, number>();
  const wheel = new HeartbeatWheel(1000, (m) => beats.set(m, (beats.get(m) ?? 0) + 1), clock, 10);
  for (let i = 0; i < 50; i++) wheel.add(`n${i}`);
  wheel.start();
  clock.advance(3000);
  assert.deepEqual(new Set(beats.values()), new Set([3]));
  wheel.remove('n0');
  clock.advance(1000);
  assert.equal(beats.get('n0'), 3);
  assert.equal(beats.get('n1'), 4);
  wheel.stop();
  assert.equal(clock.pendingTimers, 0);
});

test('nodes register Ready with capacity, labels, CIDR, images and an owned lease that keeps renewing', async () => {
  assert.deepEqual(fleet.nodeNames, [`${P}-0001`, `${P}-0002`, `${P}-0003`]);
  const node = await client.nodes<Node>().get(`${P}-0002`);
  assert.equal(node.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
  assert.equal(node.status?.capacity?.cpu, '4');
  assert.equal(node.status?.allocatable?.pods, '20');
  assert.equal(node.metadata.labels?.['kubernetes.io/hostname'], `${P}-0002`);
  assert.equal(node.metadata.labels?.['topology.kubernetes.io/zone'], 'z1');
  assert.equal(node.spec?.podCIDR, '10.128.2.0/24');
  assert.deepEqual(node.status?.images, [{ names: ['docker.io/library/nginx:1.27'], sizeBytes: 72_000_000 }]);
  const lease = await client.leases<Lease>('kube-node-lease').get(`${P}-0002`);
  assert.deepEqual(lease.metadata.ownerReferences?.map((o) => [o.kind, o.uid]), [['Node', node.metadata.uid]]);
  const first = lease.spec?.renewTime;
  await eventually(async () => (await client.leases<Lease>('kube-node-lease').get(`${P}-0002`)).spec?.renewTime !== first, 'a renewal');
});

test('a pod bound to a simulated node runs, and its deletion is confirmed', async () => {
  await client.pods(NS).create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: podSpec });
  await client.pods(NS).bind('web', `${P}-0001`);
  const pod = await eventually(async () => {
    const p = await client.pods<Pod>(NS).get('web');
    return p.status?.phase === 'Running' ? p : undefined;
  }, 'pod Running');
  assert.equal(pod.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
  assert.match(pod.status?.podIP ?? '', /^10\.128\.1\.\d+$/);
  assert.equal(pod.status?.hostIP, '172.16.0.1');
  assert.equal(pod.status?.containerStatuses?.[0]?.state?.running !== undefined, true);
  assert.equal(pod.status?.initContainerStatuses?.[0]?.state?.terminated?.exitCode, 0);
  assert.equal(fleet.podsOn(`${P}-0001`), 1);

  await client.pods(NS).delete('web');
  await eventually(() => client.pods(NS).get('web').then(() => false, (e) => isNotFound(e)), 'pod gone');
});

test('the unready annotation reports a running pod not Ready until it goes; an unpullable image stays Pending in ErrImagePull', async () => {
  const ready = (p: Pod) => p.status?.conditions?.find((c) => c.type === 'Ready')?.status;
  await client.pods(NS).create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'probe', annotations: { [UNREADY_ANNOTATION]: 'true' } }, spec: podSpec });
  await client.pods(NS).bind('probe', `${P}-0002`);
  const unready = await eventually(async () => {
    const p = await client.pods<Pod>(NS).get('probe');
    return p.status?.phase === 'Running' && p;
  }, 'pod Running');
  assert.equal(ready(unready), 'False');
  assert.equal(unready.status?.containerStatuses?.[0]?.ready, false);
  await client.pods(NS).patch('probe', 'merge', { metadata: { annotations: { [UNREADY_ANNOTATION]: null } } });
  await eventually(async () => ready(await client.pods<Pod>(NS).get('probe')) === 'True', 'pod Ready once the annotation is gone');

  await client.pods(NS).create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'nopull' }, spec: { containers: [{ name: 'app', image: 'missing:404' }] } });
  await client.pods(NS).bind('nopull', `${P}-0002`);
  const pending = await eventually(async () => {
    const p = await client.pods<Pod>(NS).get('nopull');
    return p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ErrImagePull' && p;
  }, 'ErrImagePull');
  assert.equal(pending.status?.phase, 'Pending');
  assert.equal(ready(pending), 'False');
  for (const name of ['probe', 'nopull']) await client.pods(NS).delete(name);
});

test('a stopped node stops renewing and leaves its pods; resume picks them up', async () => {
  const name = `${P}-0003`;
  fleet.stop(name);
  assert.equal(fleet.isRunning(name), false);
  await new Promise((r) => setTimeout(r, 300)); // let an in-flight renewal land
  const before = (await client.leases<Lease>('kube-node-lease').get(name)).spec?.renewTime;
  await client.pods(NS).create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'stuck' }, spec: podSpec });
  await client.pods(NS).bind('stuck', name);
  await new Promise((r) => setTimeout(r, 600));
  assert.equal((await client.leases<Lease>('kube-node-lease').get(name)).spec?.renewTime, before, 'no renewals while stopped');
  assert.equal((await client.pods<Pod>(NS).get('stuck')).status?.phase, 'Pending');

  await fleet.resume(name);
  await eventually(async () => (await client.pods<Pod>(NS).get('stuck')).status?.phase === 'Running', 'pod Running after resume');
  await client.pods(NS).delete('stuck');
});

test('the pause annotation stops a node; a Ready=Unknown written by others is corrected', async () => {
  const name = `${P}-0002`;
  const node = await client.nodes<Node>().get(name);
  await client.nodes().patch(name, 'merge', { metadata: { annotations: { [PAUSED_ANNOTATION]: 'true' } } });
  await eventually(async () => !fleet.isRunning(name), 'paused');
  await client.nodes().patch(name, 'merge', { metadata: { annotations: { [PAUSED_ANNOTATION]: null } } });
  await eventually(async () => fleet.isRunning(name), 'unpaused');

  const cur = await client.nodes<Node>().get(name);
  cur.status!.conditions = cur.status!.conditions!.map((c) => ({ ...c, status: 'Unknown', reason: 'NodeStatusUnknown' }));
  await client.nodes<Node>().updateStatus(cur);
  await eventually(async () => (await client.nodes<Node>().get(name)).status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True', 'Ready again');
  assert.equal((await client.nodes<Node>().get(name)).metadata.uid, node.metadata.uid);
});

test('a deleted Node goes quiet; resume registers it again and takes its lease over', async () => {
  const name = `${P}-0003`;
  const old = await client.nodes<Node>().get(name);
  await client.nodes().delete(name);
  await eventually(async () => !fleet.isRunning(name), 'fleet noticed the deletion');
  await fleet.resume(name);
  const again = await client.nodes<Node>().get(name);
  assert.notEqual(again.metadata.uid, old.metadata.uid);
  const lease = await client.leases<Lease>('kube-node-lease').get(name);
  assert.equal(lease.metadata.ownerReferences?.[0]?.uid, again.metadata.uid);
});

test('a fleet given a process\'s informers uses its pod and node informers and leaves them running on close', async () => {
  const factory = new SharedInformerFactory(client, { logger: quietLogger });
  try {
    const other = await startSimulatedNodes(client, { count: 1, prefix: `${P}-shared-`, heartbeatMs: 200, readyDelayMs: 0, logger: quietLogger, informers: factory });
    try {
      assert.deepEqual(factory.list().map((i) => i.ref.resource).sort(), ['nodes', 'pods'], 'no informers of its own');
      await client.pods(NS).create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'shared' }, spec: podSpec });
      await client.pods(NS).bind('shared', `${P}-shared-0001`);
      await eventually(async () => (await client.pods<Pod>(NS).get('shared')).status?.phase === 'Running', 'pod Running');
      assert.equal(other.podsOn(`${P}-shared-0001`), 1);
    } finally {
      await other.close({ deleteNodes: true });
    }
    assert.ok(factory.list().every((i) => i.hasSynced()), 'shared informers still there');
    const pods = factory.informerFor<Pod>(resources.pods);
    await client.pods(NS).delete('shared', { gracePeriodSeconds: 0 });
    await eventually(async () => pods.indexer.get(`${NS}/shared`) === undefined, 'shared pod informer still watching');
  } finally {
    await factory.stop();
  }
});
