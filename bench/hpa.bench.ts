/**
 * HPA benchmark (issue 16): 1,000 HorizontalPodAutoscalers reconciled within one 15 s sync period.
 *
 * A control plane in this process (memory store, HPA controller with upstream's 5 workers and 15 s
 * sync period) with 20 simulated nodes; 1,000 one-replica Deployments whose pods report 50m CPU
 * through the metrics.bosun.dev/cpu annotation against 100m requested, each with an HPA at 50%
 * (at target, so nothing rescales and every pass is the same work). Measured:
 *   - first pass: from the last HPA's create until every HPA has status (currentMetrics), seen
 *     through a watch on HPAs;
 *   - a full pass: the time for every HPA's status to be written again, with the HPAs' target
 *     changed to 40% so each pass writes a new currentMetrics/desiredReplicas;
 * beside a baseline in the same run: the same number of plain GETs of the Deployments' scale
 * subresource, 5 at a time (what one pass must at least do per HPA).
 * Target: a full pass under 15 s.
 * Run: node --import tsx bench/hpa.bench.ts (HPA_BENCH_N=1000 HPA_BENCH_NODES=20)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { HorizontalPodAutoscaler } from '../src/api/kinds/index.js';
import type { WatchEvent } from '../src/api/meta.js';
import { KubeClient } from '../src/client/index.js';
import { resources } from '../src/client/resource-ref.js';
import { startControlPlane } from '../src/cluster/control-plane.js';
import { quietLogger } from '../src/testing/quiet-logger.js';

process.env.BOSUN_LOG_LEVEL ??= 'error';
const N = Number(process.env.HPA_BENCH_N ?? 1000);
const NODES = Number(process.env.HPA_BENCH_NODES ?? 20);
const NS = 'default';

async function pool<T>(items: readonly T[], width: number, fn: (t: T) => Promise<unknown>): Promise<void> {
  let i = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (i < items.length) await fn(items[i++]!);
  }));
}

function deployment(i: number) {
  const name = `hb-${i}`;
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: NS },
    spec: {
      replicas: 1, selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name }, annotations: { 'metrics.bosun.dev/cpu': '50m' } },
        spec: { containers: [{ name: 'c', image: 'busybox', resources: { requests: { cpu: '100m' } } }] },
      },
    },
  };
}

function hpa(i: number, target: number): HorizontalPodAutoscaler {
  return {
    apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: `hb-${i}`, namespace: NS },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: `hb-${i}` }, minReplicas: 1, maxReplicas: 1,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: target } } }],
    },
  };
}

/** Resolves when `done(hpa)` has held for all N HPAs, following a watch from `rv`. */
async function allHpas(client: KubeClient, done: (h: HorizontalPodAutoscaler) => boolean): Promise<number> {
  const api = client.resource<HorizontalPodAutoscaler>(resources.horizontalpodautoscalers, NS);
  const list = await api.list();
  const ok = new Set(list.items.filter(done).map((h) => h.metadata.name!));
  if (ok.size >= N) return performance.now();
  const w = await api.watch({ resourceVersion: list.metadata.resourceVersion });
  try {
    for await (const ev of w as AsyncIterable<WatchEvent<HorizontalPodAutoscaler>>) {
      if (ev.type !== 'ADDED' && ev.type !== 'MODIFIED') continue;
      if (done(ev.object)) ok.add(ev.object.metadata.name!);
      if (ok.size >= N) return performance.now();
    }
  } finally {
    w.stop();
  }
  throw new Error('watch ended');
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bosun-bench-hpa-'));
  const cp = await startControlPlane({
    dataDir, port: 0, bindAddress: '127.0.0.1', store: 'memory',
    simulatedNodes: { count: NODES, cpu: '64', memory: '256Gi', pods: 200, readyDelayMs: 100, heartbeatMs: 5000, logger: quietLogger },
  });
  const client = KubeClient.fromKubeconfig(cp.api.kubeconfigPath);
  try {
    const idx = Array.from({ length: N }, (_, i) => i);
    await pool(idx, 32, (i) => client.resource(resources.deployments, NS).create(deployment(i) as never));
    // Wait until every Deployment has its pod Running (the metrics API reports Running pods only).
    for (;;) {
      const pods = await client.pods(NS).list();
      if (pods.items.filter((p) => (p as { status?: { phase?: string } }).status?.phase === 'Running').length >= N) break;
      await new Promise((r) => setTimeout(r, 500));
    }

    const getStart = performance.now();
    await pool(idx, 5, (i) => client.resource(resources.deployments, NS).getScale(`hb-${i}`));
    const getMs = performance.now() - getStart;

    const api = client.resource<HorizontalPodAutoscaler>(resources.horizontalpodautoscalers, NS);
    const t0 = performance.now();
    await pool(idx, 32, (i) => api.create(hpa(i, 50)));
    const created = performance.now();
    const firstDone = await allHpas(client, (h) => (h.status?.currentMetrics?.length ?? 0) > 0);

    // A full steady pass: every HPA re-read on its 15 s resync; the target change (50% -> 40%)
    // wakes each at once, as a resync would, and makes each pass write a new status.
    const t1 = performance.now();
    await pool(idx, 32, (i) => api.patch(`hb-${i}`, 'merge', { spec: { metrics: hpa(i, 40).spec!.metrics } }));
    const passDone = await allHpas(client, (h) => h.status?.conditions?.some((c) => c.type === 'ScalingLimited' && c.status === 'True') === true);

    const row = (what: string, ms: number) => console.log(`${what.padEnd(58)} ${(ms / 1000).toFixed(2).padStart(7)} s  ${(ms / N).toFixed(2).padStart(6)} ms/HPA`);
    console.log(`HPA benchmark: ${N} HPAs, ${N} Deployments (1 pod each) on ${NODES} simulated nodes`);
    row('baseline: GET scale subresource x N (5 at a time)', getMs);
    row('first pass: last create -> every HPA has currentMetrics', firstDone - created);
    row('  (creates of the N HPAs, 32 at a time)', created - t0);
    row('full pass: target patched -> every HPA rewritten', passDone - t1);
    console.log(`target: a full pass under 15 s: ${passDone - t1 < 15_000 ? 'met' : 'NOT met'}`);
  } finally {
    client.close();
    await cp.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
