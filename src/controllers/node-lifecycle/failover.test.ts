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
import type { KubeClient } from '../../client/kube-client.js';
import { Scheduler } from '../../scheduler/scheduler.js';
import { startSimulatedNodes, type SimulatedFleet } from '../../simulated-nodes/index.js';
import { startControllerEnv, type ControllerEnv } from '../../testing/controller-env.js';
import { eventuallyWith } from '../../testing/eventually.js';
import { quietLogger } from '../../testing/quiet-logger.js';
import { addGarbageCollector } from '../garbage-collector/garbage-collector.js';
import { addReplicaSetController } from '../replicaset/replicaset-controller.js';
import { addNodeLifecycleController } from './node-lifecycle-controller.js';

const P = `fo${process.pid % 1000}`;
const NS = `${P}-ns`;
let env: ControllerEnv;
let client: KubeClient;
let fleet: SimulatedFleet;
let scheduler: Scheduler;

before(async () => {
  env = await startControllerEnv({
    namespace: NS,
    prepare: async (c) => {
      fleet = await startSimulatedNodes(c, { count: 3, prefix: `${P}-`, logger: quietLogger });
      return () => fleet.close();
    },
    add: (mgr) => {
      addReplicaSetController(mgr);
      addGarbageCollector(mgr);
      addNodeLifecycleController(mgr);
    },
  });
  ({ client } = env);
  scheduler = new Scheduler({ client, informers: env.mgr.informers, logger: quietLogger });
  await scheduler.start();
});
after(async () => {
  await scheduler?.stop();
  await env?.stop();
});

const eventually = eventuallyWith({ intervalMs: 100 });

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
