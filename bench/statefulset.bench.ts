/**
 * StatefulSet benchmark (issue 15): the whole control plane in this process (API server on the
 * memory store, controllers, scheduler) with simulated nodes that report a pod Ready
 * STS_BENCH_READY_MS after it is bound.
 *
 * 1. Floor, same run: one bare pod, create -> Ready (scheduler, node and watch latency included).
 * 2. A StatefulSet of STS_BENCH_REPLICAS scaling up OrderedReady from 0: create -> readyReplicas =
 *    replicas. Each pod is created only once its predecessor is Ready, so the time per pod is the
 *    ready delay plus the control plane's own cost per step; the table shows both.
 * 3. The same set with podManagementPolicy Parallel, for comparison.
 *
 * Run: BENCH=statefulset npm run bench  (STS_BENCH_REPLICAS=100 STS_BENCH_NODES=10 STS_BENCH_READY_MS=200)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Pod, StatefulSet } from '../src/api/kinds/index.js';
import type { KubeObject, WatchEvent } from '../src/api/meta.js';
import { KubeClient } from '../src/client/index.js';
import { resources, type ResourceRef } from '../src/client/resource-ref.js';
import { startControlPlane } from '../src/cluster/control-plane.js';
import { quietLogger } from '../src/testing/quiet-logger.js';

const REPLICAS = Number(process.env.STS_BENCH_REPLICAS ?? 100);
const NODES = Number(process.env.STS_BENCH_NODES ?? 10);
const READY_MS = Number(process.env.STS_BENCH_READY_MS ?? 200);
const TIMEOUT_MS = 600_000;

process.env.BOSUN_LOG_LEVEL ??= 'error';
const podSpec = { containers: [{ name: 'web', image: 'busybox:1.36', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] };

const dataDir = mkdtempSync(join(tmpdir(), 'bosun-bench-sts-'));
const cp = await startControlPlane({
  dataDir, port: 0, bindAddress: '127.0.0.1', store: 'memory',
  simulatedNodes: { count: NODES, cpu: '64', memory: '256Gi', pods: 1000, readyDelayMs: READY_MS, heartbeatMs: 5000, logger: quietLogger },
});
const client = KubeClient.fromKubeconfig(cp.api.kubeconfigPath);

/** Seconds from `t0` until `done` holds for the object named `name` (a watch on it). */
async function until<T extends KubeObject>(ref: ResourceRef, ns: string, name: string, t0: number, done: (o: T) => boolean): Promise<number | undefined> {
  const w = await client.resource(ref, ns).watch({ fieldSelector: `metadata.name=${name}` });
  const timer = setTimeout(() => w.stop(), TIMEOUT_MS);
  try {
    for await (const ev of w as AsyncIterable<WatchEvent<KubeObject>>) if (done(ev.object as T)) return (performance.now() - t0) / 1000;
    return undefined;
  } finally {
    clearTimeout(timer);
    w.stop();
  }
}

const podReady = (p: Pod) => !!p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
const statefulSet = (name: string, policy: 'OrderedReady' | 'Parallel'): StatefulSet => ({
  apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name },
  spec: {
    replicas: REPLICAS, serviceName: name, podManagementPolicy: policy, selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: podSpec },
  },
});

async function scaleUp(ns: string, name: string, policy: 'OrderedReady' | 'Parallel'): Promise<number | undefined> {
  const t0 = performance.now();
  const ready = until<StatefulSet>(resources.statefulsets, ns, name, t0, (s) => s.status?.readyReplicas === REPLICAS);
  await client.resource<StatefulSet>(resources.statefulsets, ns).create(statefulSet(name, policy));
  return ready;
}

interface Row { case: string; result: string; note: string }
const rows: Row[] = [];
const secs = (s: number | undefined) => (s === undefined ? 'not reached' : `${s.toFixed(2)} s`);
try {
  await client.namespaces().create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'sts' } });
  await new Promise((r) => setTimeout(r, 2000));

  const t0 = performance.now();
  const floor = until<Pod>(resources.pods, 'sts', 'solo', t0, podReady);
  await client.pods('sts').create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'solo' }, spec: podSpec });
  const floorS = await floor;
  rows.push({ case: 'floor: one bare pod, create -> Ready', result: secs(floorS), note: `simulated ready delay ${READY_MS} ms` });

  const ordered = await scaleUp('sts', 'ordered', 'OrderedReady');
  const perPod = ordered === undefined ? undefined : (ordered * 1000) / REPLICAS;
  rows.push({
    case: `StatefulSet of ${REPLICAS}, OrderedReady, on ${NODES} simulated nodes: create -> ${REPLICAS} ready`,
    result: secs(ordered),
    note: perPod === undefined ? '' : `${perPod.toFixed(0)} ms per pod = ready delay ${READY_MS} ms + ${(perPod - READY_MS).toFixed(0)} ms of control plane per step (floor: ${floorS === undefined ? '?' : (floorS * 1000).toFixed(0)} ms)`,
  });

  const parallel = await scaleUp('sts', 'parallel', 'Parallel');
  rows.push({ case: `StatefulSet of ${REPLICAS}, Parallel: create -> ${REPLICAS} ready`, result: secs(parallel), note: parallel === undefined ? '' : `${((parallel * 1000) / REPLICAS).toFixed(1)} ms per pod` });
} finally {
  client.close();
  await cp.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
console.table(rows);
