/**
 * The node lifecycle controller against an in-process API server and a simulated fleet (short
 * periods: heartbeat 200 ms, grace 1.5 s, default toleration 1 s). Stopping a node's heartbeat makes
 * it Unknown with the unreachable taints, marks its pods not Ready, and evicts the pods whose
 * tolerations run out while a pod tolerating forever stays; resuming removes the taints. A node
 * reporting Ready=False gets the not-ready taints, swapped for unreachable once it falls silent.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod, Taint } from '../../api/kinds/index.js';
import { isNotFound } from '../../client/errors.js';
import type { KubeClient } from '../../client/kube-client.js';
import { startSimulatedNodes, type SimulatedFleet } from '../../simulated-nodes/index.js';
import { startControllerEnv, type ControllerEnv } from '../../testing/controller-env.js';
import { eventuallyWith } from '../../testing/eventually.js';
import { quietLogger } from '../../testing/quiet-logger.js';
import { addNodeLifecycleController } from './node-lifecycle-controller.js';
import { TAINT_NOT_READY, TAINT_UNREACHABLE } from './taints.js';

const P = `nlc${process.pid % 1000}`;
const NS = `${P}-ns`;
let env: ControllerEnv;
let client: KubeClient;
let fleet: SimulatedFleet;

before(async () => {
  env = await startControllerEnv({
    namespace: NS,
    prepare: async (c) => {
      fleet = await startSimulatedNodes(c, { count: 2, prefix: `${P}-`, heartbeatMs: 200, readyDelayMs: 50, logger: quietLogger });
      return () => fleet.close();
    },
    add: (mgr) => addNodeLifecycleController(mgr, { gracePeriodMs: 1500, monitorPeriodMs: 100, defaultTolerationSeconds: 1 }),
  });
  ({ client } = env);
});
after(() => env?.stop());

const eventually = eventuallyWith({ timeoutMs: 15_000 });

const ready = (n: Node | Pod) => (n.status?.conditions as { type: string; status: string }[] | undefined)?.find((c) => c.type === 'Ready')?.status;
const taintKeys = (n: Node) => (n.spec?.taints ?? []).map((t: Taint) => `${t.key}:${t.effect}`).sort();

async function runningPod(name: string, node: string, tolerations?: NonNullable<Pod['spec']>['tolerations']): Promise<void> {
  await client.pods(NS).create({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'busybox' }], ...(tolerations ? { tolerations } : {}) } });
  await client.pods(NS).bind(name, node);
  await eventually(async () => ready(await client.pods<Pod>(NS).get(name)) === 'True', `${name} Ready`);
}

test('a silent node goes Unknown and tainted, its pods not Ready and evicted per toleration; it recovers on resume', async () => {
  const name = `${P}-0001`;
  await runningPod('evictee', name);
  await runningPod('stayer', name, [{ key: TAINT_UNREACHABLE, operator: 'Exists', effect: 'NoExecute' }]);
  // Healthy nodes carry no managed taints.
  assert.deepEqual(taintKeys(await client.nodes<Node>().get(name)), []);

  fleet.stop(name);
  const dead = await eventually(async () => {
    const n = await client.nodes<Node>().get(name);
    return ready(n) === 'Unknown' && taintKeys(n).length === 2 ? n : undefined;
  }, 'node Unknown and tainted');
  const cond = dead.status!.conditions!.find((c) => c.type === 'Ready')!;
  assert.equal(cond.reason, 'NodeStatusUnknown');
  assert.equal(cond.message, 'Kubelet stopped posting node status.');
  assert.deepEqual(taintKeys(dead), [`${TAINT_UNREACHABLE}:NoExecute`, `${TAINT_UNREACHABLE}:NoSchedule`]);
  assert.ok(dead.spec!.taints!.find((t) => t.effect === 'NoExecute')!.timeAdded);

  await eventually(async () => ready(await client.pods<Pod>(NS).get('stayer')) === 'False', 'pods marked not Ready');
  // The default toleration (1 s) runs out: the pod is deleted; it stays Terminating as its node is dead.
  const evicted = await eventually(async () => {
    const p = await client.pods<Pod>(NS).get('evictee');
    return p.metadata.deletionTimestamp ? p : undefined;
  }, 'evictee marked for deletion');
  assert.ok(evicted);
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal((await client.pods<Pod>(NS).get('stayer')).metadata.deletionTimestamp, undefined, 'tolerating forever keeps the pod');

  await fleet.resume(name);
  await eventually(async () => {
    const n = await client.nodes<Node>().get(name);
    return ready(n) === 'True' && taintKeys(n).length === 0;
  }, 'node Ready and untainted');
  await eventually(() => client.pods(NS).get('evictee').then(() => false, (e) => isNotFound(e)), 'eviction confirmed by the node');
  await eventually(async () => ready(await client.pods<Pod>(NS).get('stayer')) === 'True', 'stayer Ready again');
  await client.pods(NS).delete('stayer');
});

test('a node reporting Ready=False is tainted not-ready, then unreachable when it falls silent', async () => {
  const name = `${P}-manual`;
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  await client.nodes().create({
    apiVersion: 'v1', kind: 'Node', metadata: { name },
    spec: { taints: [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }] },
    status: { conditions: [{ type: 'Ready', status: 'False', reason: 'KubeletNotReady', lastHeartbeatTime: now, lastTransitionTime: now }] },
  });
  const notReady = await eventually(async () => {
    const n = await client.nodes<Node>().get(name);
    return taintKeys(n).includes(`${TAINT_NOT_READY}:NoExecute`) ? n : undefined;
  }, 'not-ready taints');
  assert.deepEqual(taintKeys(notReady), ['dedicated:NoSchedule', `${TAINT_NOT_READY}:NoExecute`, `${TAINT_NOT_READY}:NoSchedule`]);

  const silent = await eventually(async () => {
    const n = await client.nodes<Node>().get(name);
    return taintKeys(n).includes(`${TAINT_UNREACHABLE}:NoExecute`) ? n : undefined;
  }, 'unreachable taints after the grace period');
  assert.deepEqual(taintKeys(silent), ['dedicated:NoSchedule', `${TAINT_UNREACHABLE}:NoExecute`, `${TAINT_UNREACHABLE}:NoSchedule`]);
  assert.equal(ready(silent), 'Unknown');
  await client.nodes().delete(name);
});

test('when every node is down at once nothing is evicted (full disruption): NoSchedule taints only', async () => {
  const [a, b] = [`${P}-0001`, `${P}-0002`];
  // A 5 s toleration leaves time to resume the second node once its NoExecute clock restarts.
  await runningPod('survivor', b, [{ key: TAINT_UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 5 }]);
  fleet.stop(a);
  fleet.stop(b);
  await eventually(async () => {
    const nodes = await Promise.all([a, b].map((n) => client.nodes<Node>().get(n)));
    return nodes.every((n) => ready(n) === 'Unknown' && taintKeys(n).join() === `${TAINT_UNREACHABLE}:NoSchedule`);
  }, 'both nodes Unknown with only the NoSchedule taint');
  await new Promise((r) => setTimeout(r, 5500)); // longer than the toleration
  const pod = await client.pods<Pod>(NS).get('survivor');
  assert.equal(pod.metadata.deletionTimestamp, undefined, 'not evicted');
  assert.equal(ready(pod), 'False', 'but marked not Ready');
  await fleet.resume(a);
  await eventually(async () => ready(await client.nodes<Node>().get(a)) === 'True', `${a} back`);
  // Out of full disruption, the node still down gets its NoExecute taint with a fresh clock.
  const still = await eventually(async () => {
    const n = await client.nodes<Node>().get(b);
    return n.spec?.taints?.find((t) => t.effect === 'NoExecute');
  }, `${b} NoExecute-tainted again`);
  assert.ok(Date.parse(still.timeAdded!) >= Date.now() - 3000, 'timeAdded is fresh');
  await fleet.resume(b);
  await eventually(async () => ready(await client.pods<Pod>(NS).get('survivor')) === 'True', 'survivor Ready again');
  await client.pods(NS).delete('survivor');
});
