/**
 * Disruption budgets and priorities with the real kubectl against a control plane with simulated
 * nodes (a control-plane test: what matters is the API server, the disruption controller and the
 * scheduler; no containers are involved):
 *   - `kubectl drain` of a node holding all three pods of a Deployment under a PDB with
 *     minAvailable 2 evicts one pod at a time: it is told 429 (kubectl retries every 5 s, as on
 *     Kubernetes), a watch never sees fewer than 2 ready pods, and it completes once the
 *     replacements run on the other nodes;
 *   - a high-priority pod on a full cluster preempts a low-priority one (DisruptionTarget with
 *     reason PreemptionByScheduler, a Preempted event, nominatedNodeName) and runs;
 *   - the printer columns of PDBs and PriorityClasses, the system classes, and the Priority
 *     admission refusing an unknown class.
 */
import { after, before, describe, test } from 'node:test';
import { strict as assert } from 'node:assert';
import type { Pod, PodDisruptionBudget } from '../../src/api/kinds/index.js';
import { podReady, readyNodes, startSimCluster, waitFor, waitReadyPods, watchPods, type SimCluster } from './workloads-harness.js';

const NS = 'e2e-disrupt';

describe('disruption budgets, drain and preemption on simulated nodes', () => {
  let c: SimCluster;
  before(async () => {
    c = await startSimCluster({ nodes: 3, cpu: '2' });
    await c.ok(['create', 'namespace', NS]);
  });
  after(() => c?.stop());

  test('kubectl drain evicts no more than the budget allows and completes once replacements run elsewhere', async (t) => {
    const nodes = (await readyNodes(c.client)).sort();
    // The next test needs every node schedulable and empty, whatever happened here.
    t.after(async () => {
      for (const n of nodes) await c.kubectl(['uncordon', n]);
      await c.kubectl(['-n', NS, 'delete', 'deployment', 'web', '--wait']);
      await c.kubectl(['-n', NS, 'delete', 'pdb', 'web']);
    });
    const target = nodes[0]!;
    // Every pod starts on the node to drain: the others are cordoned while the Deployment comes up.
    for (const n of nodes.slice(1)) await c.ok(['cordon', n]);
    await c.ok(['-n', NS, 'create', 'deployment', 'web', '--image=registry.local/web:1', '--replicas=3']);
    const first = await waitReadyPods(c.client, NS, 'app=web', 3);
    assert.deepEqual([...new Set(first.map((p) => p.spec?.nodeName))], [target]);
    for (const n of nodes.slice(1)) await c.ok(['uncordon', n]);
    await c.ok(['-n', NS, 'create', 'poddisruptionbudget', 'web', '--selector=app=web', '--min-available=2']);
    const table = await waitFor('the controller allows 1 disruption', async () => {
      const out = await c.ok(['-n', NS, 'get', 'pdb', 'web']);
      return /^web\s+2\s+N\/A\s+1\s+\S+$/m.test(out) ? out : false;
    });
    assert.match(table, /^NAME\s+MIN AVAILABLE\s+MAX UNAVAILABLE\s+ALLOWED DISRUPTIONS\s+AGE$/m);

    let fewest = Infinity;
    const w = await watchPods(c.client, NS, 'app=web', (pods) => {
      const ready = [...pods.values()].filter(podReady);
      fewest = Math.min(fewest, ready.length);
    });
    let drain: Awaited<ReturnType<SimCluster['kubectl']>> | undefined;
    try {
      drain = await c.kubectl(['drain', target, '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=120s']);
      // drain returns once the last evicted pod is gone; its replacement may still be starting.
      await waitReadyPods(c.client, NS, 'app=web', 3);
    } finally {
      await w.stop();
    }
    assert.ok(drain);
    assert.equal(drain.code, 0, drain.stderr + drain.stdout);
    // kubectl saw the budget refuse (as upstream's drain prints a 429 it retries).
    assert.match(drain.stderr + drain.stdout, /Cannot evict pod as it would violate the pod's disruption budget\./);
    assert.match(drain.stdout, new RegExp(`node/${target} drained`));
    assert.equal(fewest, 2, 'never fewer than minAvailable ready pods, and the budget was used');
    const last = await waitReadyPods(c.client, NS, 'app=web', 3);
    assert.ok(last.every((p) => p.spec?.nodeName !== target), 'the replacements run on the other nodes');
    assert.ok(last.every((p) => !first.some((f) => f.metadata.name === p.metadata.name)), 'all three pods were replaced');
    await waitFor('budget back to 1 disruption', async () => {
      const cur = await c.client.resource<PodDisruptionBudget>({ group: 'policy', version: 'v1', resource: 'poddisruptionbudgets', namespaced: true }, NS).get('web');
      return cur.status?.disruptionsAllowed === 1 && cur.status.currentHealthy === 3 && cur.status.desiredHealthy === 2 && cur.status.expectedPods === 3
        && cur.status.conditions?.some((x) => x.type === 'DisruptionAllowed' && x.status === 'True' && x.reason === 'SufficientPods');
    });
  });

  test('a high-priority pod on a full cluster preempts a low-priority one and runs', async () => {
    const out = await c.ok(['get', 'priorityclasses']);
    assert.match(out, /^NAME\s+VALUE\s+GLOBAL-DEFAULT\s+AGE\s+PREEMPTIONPOLICY$/m);
    assert.match(out, /^system-node-critical\s+2000001000\s+false\s+\S+\s+PreemptLowerPriority$/m);
    assert.match(out, /^system-cluster-critical\s+2000000000\s+false\s+\S+\s+PreemptLowerPriority$/m);
    await c.ok(['create', 'priorityclass', 'e2e-high', '--value=1000']);
    const unknown = await c.kubectl(['-n', NS, 'run', 'nope', '--image=registry.local/web:1', '--overrides={"spec":{"priorityClassName":"e2e-missing"}}']);
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /pods "nope" is forbidden: no PriorityClass with name e2e-missing was found/);

    // Fill every node's 2 CPUs with low-priority pods.
    const fill = (name: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { tier: 'low' } }, spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'c', image: 'registry.local/web:1', resources: { requests: { cpu: '2' } } }] } });
    for (const n of ['low-0', 'low-1', 'low-2']) await c.ok(['-n', NS, 'apply', '-f', '-'], { input: JSON.stringify(fill(n)) });
    const lows = await waitReadyPods(c.client, NS, 'tier=low', 3);
    assert.ok(lows.every((p) => p.spec?.priority === 0 && p.spec.preemptionPolicy === 'PreemptLowerPriority'), 'no class: priority 0');

    const victims = new Map<string, Pod>();
    const w = await watchPods(c.client, NS, 'tier=low', (pods) => {
      for (const p of pods.values()) if (p.status?.conditions?.some((x) => x.type === 'DisruptionTarget')) victims.set(p.metadata.name!, p);
    });
    const high = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'high', labels: { tier: 'high' } }, spec: { priorityClassName: 'e2e-high', containers: [{ name: 'c', image: 'registry.local/web:1', resources: { requests: { cpu: '2' } } }] } };
    await c.ok(['-n', NS, 'apply', '-f', '-'], { input: JSON.stringify(high) });
    const [running] = await waitReadyPods(c.client, NS, 'tier=high', 1);
    await w.stop();
    assert.equal(running!.spec?.priority, 1000);
    assert.equal(running!.status?.nominatedNodeName, running!.spec?.nodeName, 'nominated to the node it now runs on');
    assert.equal(victims.size, 1, 'one victim is enough');
    const [victim] = [...victims.values()];
    const cond = victim!.status!.conditions!.find((x) => x.type === 'DisruptionTarget')!;
    assert.deepEqual([cond.status, cond.reason, cond.message], ['True', 'PreemptionByScheduler', 'default-scheduler: preempting to accommodate a higher priority pod']);
    assert.equal(victim!.spec?.nodeName, running!.spec?.nodeName);
    const evs = await waitFor('Preempted event', async () => {
      const o = await c.ok(['-n', NS, 'get', 'events', '--field-selector', `reason=Preempted,involvedObject.name=${victim!.metadata.name}`]);
      return /Preempted by pod .* on node sim-/.test(o) ? o : false;
    });
    assert.ok(evs);
    assert.equal((await c.kubectl(['-n', NS, 'get', 'pod', victim!.metadata.name!])).code, 1, 'the victim is gone');
    assert.equal((await c.client.pods<Pod>(NS).list({ labelSelector: 'tier=low' })).items.length, 2);

    // preemptionPolicy Never: waits instead of preempting.
    await c.ok(['create', 'priorityclass', 'e2e-polite', '--value=1000', '--preemption-policy=Never']);
    await c.ok(['-n', NS, 'apply', '-f', '-'], { input: JSON.stringify({ ...high, metadata: { name: 'polite', labels: { tier: 'polite' } }, spec: { ...high.spec, priorityClassName: 'e2e-polite' } }) });
    const pending = await waitFor('polite pod unschedulable', async () => {
      const p = await c.client.pods<Pod>(NS).get('polite');
      const sc = p.status?.conditions?.find((x) => x.type === 'PodScheduled');
      return sc?.status === 'False' ? sc : false;
    });
    assert.match(pending.message!, /preemption: not eligible due to preemptionPolicy=Never\.$/);
    assert.equal((await c.client.pods<Pod>(NS).list({ labelSelector: 'tier=low' })).items.length, 2, 'nothing preempted');
  });
  test('a maxUnavailable budget follows the Deployment scale, found through the pods ReplicaSet', async () => {
    const pdbs = c.client.resource<PodDisruptionBudget>({ group: 'policy', version: 'v1', resource: 'poddisruptionbudgets', namespaced: true }, NS);
    await c.ok(['-n', NS, 'create', 'deployment', 'api', '--image=registry.local/web:1', '--replicas=2']);
    await c.ok(['-n', NS, 'create', 'pdb', 'api', '--selector=app=api', '--max-unavailable=50%']);
    await waitReadyPods(c.client, NS, 'app=api', 2);
    const status = async (want: [number, number, number, number]) => waitFor(`api budget ${want}`, async () => {
      const s = (await pdbs.get('api')).status;
      const got = [s?.expectedPods, s?.desiredHealthy, s?.currentHealthy, s?.disruptionsAllowed];
      return JSON.stringify(got) === JSON.stringify(want) ? got : false;
    });
    await status([2, 1, 2, 1]);
    await c.ok(['-n', NS, 'scale', 'deployment', 'api', '--replicas=4']);
    await waitReadyPods(c.client, NS, 'app=api', 4);
    await status([4, 2, 4, 2]);
    assert.match(await c.ok(['-n', NS, 'get', 'pdb', 'api']), /^api\s+N\/A\s+50%\s+2\s+\S+$/m);
    await c.ok(['-n', NS, 'delete', 'deployment', 'api']);
    await c.ok(['-n', NS, 'delete', 'pdb', 'api']);
  });
});
