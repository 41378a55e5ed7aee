/**
 * Node failure end to end on three simulated nodes with short node lifecycle timings: a node whose
 * heartbeat stops (fleet.stop, or the pause annotation set with kubectl) goes NotReady with the
 * unreachable taint, and its pods are recreated on the other nodes within grace period + monitor
 * period + toleration (plus a few seconds for the controllers to react), never before the grace
 * period and toleration have run out; a stall shorter than the grace period evicts nothing.
 */
import { strict as assert } from 'node:assert';
import { after, before, describe, test } from 'node:test';
import type { Node, Pod } from '../../src/api/kinds/index.js';
import { PAUSED_ANNOTATION } from '../../src/simulated-nodes/index.js';
import { readyNodes, sleep, startSimCluster, waitFor, waitReadyPods, watchPods, type SimCluster } from './workloads-harness.js';

const NS = 'wl-fail';
const GRACE_MS = 6_000;
const MONITOR_MS = 1_000;
const TOLERATION_S = 3;
const HEARTBEAT_MS = 1_000;
const READY_DELAY_MS = 200;
/** What the configuration promises: silent for the grace period (seen within a monitor period), then the toleration. */
const CONFIGURED_MS = GRACE_MS + MONITOR_MS + TOLERATION_S * 1000 + READY_DELAY_MS;
/** Reaction time of the control loops on top (watch delivery, queues, API writes on a busy 2-core machine). */
const SLACK_MS = 5_000;
/**
 * The earliest an eviction may come: the last renewal can be one heartbeat before the stop, and the
 * taint's timeAdded has whole seconds (metav1.Time), so the toleration can end up to 1 s early.
 */
const EARLIEST_MS = GRACE_MS - HEARTBEAT_MS + TOLERATION_S * 1000 - 1000 - 250;

const deployment = JSON.stringify({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: NS },
  spec: {
    replicas: 6, selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'nginx:1.27', resources: { requests: { cpu: '100m' } } }] } },
  },
});

describe('workloads: node failure on simulated nodes', () => {
  let c: SimCluster;
  before(async () => {
    c = await startSimCluster({
      nodes: 3, heartbeatMs: HEARTBEAT_MS, readyDelayMs: READY_DELAY_MS,
      nodeLifecycle: { gracePeriodMs: GRACE_MS, monitorPeriodMs: MONITOR_MS, defaultTolerationSeconds: TOLERATION_S },
    });
    await c.ok(['create', 'namespace', NS]);
    await c.ok(['apply', '-f', '-'], { input: deployment });
    await c.ok(['-n', NS, 'rollout', 'status', 'deployment/web', '--timeout=60s']);
  });
  after(() => c?.stop());

  /**
   * Silences `node` with `silence`, then waits until 6 ready pods run elsewhere; checks the
   * node's state and the timing through a pod watch. Returns how long recovery took.
   */
  async function failNode(node: string, silence: () => Promise<void>, report: (msg: string) => void): Promise<number> {
    const before = await waitReadyPods(c.client, NS, 'app=web', 6);
    const victims = new Set(before.filter((p) => p.spec!.nodeName === node).map((p) => p.metadata.name!));
    assert.ok(victims.size > 0, `pods on ${node}`);
    let firstEvictionMs: number | undefined;
    let t0 = 0;
    const watch = await watchPods(c.client, NS, 'app=web', (pods) => {
      if (firstEvictionMs !== undefined || !t0) return;
      for (const name of victims) {
        const p = pods.get(name);
        if (!p || p.metadata.deletionTimestamp) firstEvictionMs = Date.now() - t0;
      }
    });
    t0 = Date.now();
    await silence();
    let elapsed: number;
    try {
      await waitFor(`6 ready pods off ${node}`, async () => {
        const pods = await waitReadyPods(c.client, NS, 'app=web', 6, 1_000).catch(() => []);
        return pods.length === 6 && pods.every((p) => p.spec!.nodeName !== node);
      }, CONFIGURED_MS + SLACK_MS + 5_000, 100);
      elapsed = Date.now() - t0;
    } finally {
      await watch.stop();
    }
    report(`${node}: first eviction after ${firstEvictionMs} ms, all pods running elsewhere after ${elapsed} ms (configured ${CONFIGURED_MS} ms)`);
    assert.ok(elapsed <= CONFIGURED_MS + SLACK_MS, `pods recreated after ${elapsed} ms (configured ${CONFIGURED_MS} ms + ${SLACK_MS} ms slack)`);
    assert.ok(firstEvictionMs !== undefined && firstEvictionMs >= EARLIEST_MS, `first eviction after ${firstEvictionMs} ms, not before ${EARLIEST_MS} ms`);

    const n = await c.client.nodes<Node>().get(node);
    assert.equal(n.status?.conditions?.find((x) => x.type === 'Ready')?.status, 'Unknown');
    assert.ok(n.spec?.taints?.some((t) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoExecute'));
    assert.ok(n.spec?.taints?.some((t) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoSchedule'));
    assert.match(await c.ok(['get', 'node', node]), new RegExp(`^${node}\\s+NotReady\\s`, 'm'));
    // The dead node's pods stay Terminating (nothing confirms they stopped), as upstream; the
    // ReplicaSet does not count them.
    const left = (await c.client.pods<Pod>(NS).list({ fieldSelector: `spec.nodeName=${node}` })).items;
    assert.ok(left.every((p) => p.metadata.deletionTimestamp), 'pods left on the dead node are terminating');
    assert.match(await c.ok(['-n', NS, 'get', 'deploy', 'web']), /^web\s+6\/6\s/m);
    return elapsed;
  }

  /** Waits until `node` is Ready and untainted again and its stale pods are gone. */
  async function recovered(node: string): Promise<void> {
    await waitFor(`${node} Ready and untainted`, async () => {
      const n = await c.client.nodes<Node>().get(node);
      return (await readyNodes(c.client)).includes(node) && !n.spec?.taints?.length;
    }, 20_000);
    await waitFor(`terminating pods on ${node} finalized`, async () =>
      (await c.client.pods(NS).list({ fieldSelector: `spec.nodeName=${node}` })).items.length === 0, 20_000);
  }

  test('a stall shorter than the grace period evicts nothing', async () => {
    const before = await waitReadyPods(c.client, NS, 'app=web', 6);
    c.cp.fleet!.stop('sim-0003');
    await sleep(GRACE_MS / 2);
    await c.cp.fleet!.resume('sim-0003');
    await sleep(MONITOR_MS * 2);
    assert.deepEqual((await readyNodes(c.client)).sort(), ['sim-0001', 'sim-0002', 'sim-0003']);
    const now = await waitReadyPods(c.client, NS, 'app=web', 6);
    assert.deepEqual(now.map((p) => p.metadata.name).sort(), before.map((p) => p.metadata.name).sort());
  });

  test('fleet.stop(node): its pods are recreated on other nodes within the configured time', async (t) => {
    await failNode('sim-0001', async () => c.cp.fleet!.stop('sim-0001'), (m) => t.diagnostic(m));
    await c.cp.fleet!.resume('sim-0001');
    await recovered('sim-0001');
  });

  test('kubectl annotate node (pause heartbeat): same, and removing the annotation brings the node back', async (t) => {
    await failNode('sim-0002', async () => {
      await c.ok(['annotate', 'node', 'sim-0002', `${PAUSED_ANNOTATION}=true`]);
    }, (m) => t.diagnostic(m));
    await c.ok(['annotate', 'node', 'sim-0002', `${PAUSED_ANNOTATION}-`]);
    await recovered('sim-0002');
    assert.match(await c.ok(['get', 'nodes']), /^sim-0002\s+Ready\s/m);
  });
});
