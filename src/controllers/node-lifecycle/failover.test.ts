/**
 * The promise, with Bosun's default timings (heartbeat 5 s, grace 20 s, default toleration
 * 15 s): when a node dies, its ReplicaSet's pod is Running and Ready on another node within 60 s.
 * Runs the real pieces together against an in-process API server: simulated fleet, scheduler,
 * ReplicaSet controller, node lifecycle controller and garbage collector. The 60 s bound is the
 * issue's functional requirement, not a speed measurement; the elapsed time is printed.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod } from '../../api/kinds/index.js';
import { KubeClient } from '../../client/kube-client.js';
import { Manager } from '../../controller-runtime/manager.js';
import { Scheduler } from '../../scheduler/scheduler.js';
import { startSimulatedNodes, type SimulatedFleet } from '../../simulated-nodes/index.js';
import { startTestServer, type TestServer } from '../../testing/test-cluster.js';
import { addGarbageCollector } from '../garbage-collector/garbage-collector.js';
import { addReplicaSetController } from '../replicaset/replicaset-controller.js';
import { addNodeLifecycleController } from './node-lifecycle-controller.js';

const P = `fo${process.pid % 1000}`;
const NS = `${P}-ns`;
const quiet = { debug() {}, info() {}, warn() {}, error() {}, child() { return quiet; } };
let ts: TestServer;
let client: KubeClient;
let mgr: Manager;
let fleet: SimulatedFleet;
let scheduler: Scheduler;

before(async () => {
  ts = await startTestServer();
  client = KubeClient.fromKubeconfig(ts.kubeconfig);
  await client.namespaces().create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  fleet = await startSimulatedNodes(client, { count: 3, prefix: `${P}-`, logger: quiet });
  mgr = new Manager({ kubeconfig: ts.kubeconfig, logger: quiet });
  addReplicaSetController(mgr);
  addGarbageCollector(mgr);
  addNodeLifecycleController(mgr);
  await mgr.start();
  scheduler = new Scheduler({ client, informers: mgr.informers, logger: quiet });
  await scheduler.start();
});
after(async () => {
  await scheduler?.stop();
  await mgr?.stop();
  await fleet?.close();
  client?.close();
  await ts?.stop();
});

async function eventually<T>(check: () => Promise<T | undefined | false>, what: string, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const isReady = (p: Pod) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

test('a dead node\'s pod is Running elsewhere within 60 s with the default timings', async (t) => {
  await client.replicaSets(NS).create({
    apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web' },
    spec: {
      replicas: 1, selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
    },
  });
  const first = await eventually(async () => (await client.pods<Pod>(NS).list()).items.find((p) => isReady(p)), 'first pod Ready', 30_000);
  const dead = first.spec!.nodeName!;

  const t0 = Date.now();
  fleet.stop(dead);
  const replacement = await eventually(async () => (await client.pods<Pod>(NS).list()).items
    .find((p) => p.spec?.nodeName !== dead && !p.metadata.deletionTimestamp && isReady(p)), 'replacement Ready on another node', 60_000);
  const seconds = (Date.now() - t0) / 1000;
  t.diagnostic(`replacement ${replacement.metadata.name} Ready on ${replacement.spec!.nodeName} ${seconds.toFixed(1)} s after ${dead} died`);
  assert.notEqual(replacement.metadata.name, first.metadata.name);

  const node = await client.nodes<Node>().get(dead);
  assert.equal(node.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'Unknown');
  assert.equal((await client.pods<Pod>(NS).get(first.metadata.name!)).metadata.deletionTimestamp !== undefined, true, 'the old pod was evicted');
});
