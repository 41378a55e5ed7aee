/**
 * Jobs benchmark (issue 15): the whole control plane in this process (API server on the memory
 * store, controllers, scheduler) with simulated nodes whose Job pods exit 0 shortly after they run
 * (the fleet's runToCompletionMs, as kwok's pod-complete stage).
 *
 * 1. Baseline, same run: a ReplicaSet of JOB_BENCH_COMPLETIONS replicas — time from its create until
 *    the ReplicaSet controller has created every pod (a pod watch), i.e. its pod creation rate.
 * 2. A Job of JOB_BENCH_COMPLETIONS completions at parallelism JOB_BENCH_PARALLELISM: time from its
 *    create until the Job is Complete with status.succeeded = completions, i.e. completions per
 *    second, each of which is a pod created, scheduled, run, finished, counted in status and
 *    released from the tracking finalizer.
 *
 * Target: Job completions/s >= 0.8 x the ReplicaSet controller's pod creations/s.
 * Two layouts, each with its own baseline (JOB_BENCH_LAYOUT=in-process|split|both, default both):
 * - in-process: control plane and simulated nodes in this process (what earlier runs reported);
 * - split: a `bosun server` child process (dist/, memory store) and the simulated nodes in this
 *   process, as kwok's fake nodes run beside a real control plane: the kubelets' own work (decoding
 *   their watch, building status patches) is then off the control plane's thread, as on a real
 *   cluster. CPU per item is the server process's (from /proc), the fleet's beside it.
 * Both rows also give this process's CPU time per pod (per completion) and the API requests per pod
 * by verb and resource (the server's apiserver_request_total): everything runs in this one process,
 * so on a shared machine the CPU ratio is the steadier reading of the two rates.
 * Run: BENCH=jobs npm run bench  (JOB_BENCH_COMPLETIONS=5000 JOB_BENCH_PARALLELISM=500
 *   JOB_BENCH_NODES=100 JOB_BENCH_READY_MS=100 JOB_BENCH_RUN_MS=100)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Job, Pod } from '../src/api/kinds/index.js';
import type { WatchEvent } from '../src/api/meta.js';
import { KubeClient } from '../src/client/index.js';
import { resources } from '../src/client/resource-ref.js';
import { startControlPlane } from '../src/cluster/control-plane.js';
import { startSimulatedNodes } from '../src/simulated-nodes/index.js';
import { quietLogger } from '../src/testing/quiet-logger.js';
import { spawnServer } from '../src/testing/test-cluster.js';
import { processCpuMs } from './proc-stats.js';

const COMPLETIONS = Number(process.env.JOB_BENCH_COMPLETIONS ?? 5000);
const PARALLELISM = Number(process.env.JOB_BENCH_PARALLELISM ?? 500);
const NODES = Number(process.env.JOB_BENCH_NODES ?? 100);
const READY_MS = Number(process.env.JOB_BENCH_READY_MS ?? 100);
const RUN_MS = Number(process.env.JOB_BENCH_RUN_MS ?? 100);
const TIMEOUT_MS = 600_000;
const LAYOUT = process.env.JOB_BENCH_LAYOUT ?? 'both';

process.env.BOSUN_LOG_LEVEL ??= 'error';
const podSpec = { containers: [{ name: 'work', image: 'busybox:1.36', command: ['true'], resources: { requests: { cpu: '10m', memory: '16Mi' } } }] };

const fleetOptions = { count: NODES, cpu: '64', memory: '256Gi', pods: 1000, readyDelayMs: READY_MS, runToCompletionMs: RUN_MS, heartbeatMs: 5000, logger: quietLogger };

/** A control plane to measure: its client, the CPU milliseconds it has used, and its teardown. */
interface Layout { name: string; client: KubeClient; cpuMs(): number; fleetCpuMs?(): number; stop(): Promise<void> }

const ownCpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

async function inProcess(): Promise<Layout> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bosun-bench-jobs-'));
  const cp = await startControlPlane({ dataDir, port: 0, bindAddress: '127.0.0.1', store: 'memory', simulatedNodes: fleetOptions });
  const c = KubeClient.fromKubeconfig(cp.api.kubeconfigPath);
  return {
    name: 'in-process', client: c, cpuMs: ownCpuMs,
    async stop() {
      c.close();
      await cp.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

const procCpuMs = processCpuMs;

async function split(): Promise<Layout> {
  const srv = await spawnServer({ store: 'memory', useDist: true });
  const c = KubeClient.fromKubeconfig(srv.kubeconfig);
  const fleet = await startSimulatedNodes(c, fleetOptions).catch(async (e: unknown) => {
    c.close();
    await srv.stop();
    throw e;
  });
  const pid = srv.child.pid!;
  return {
    name: 'split', client: c, cpuMs: () => procCpuMs(pid), fleetCpuMs: ownCpuMs,
    async stop() {
      await fleet.close();
      c.close();
      await srv.stop();
    },
  };
}

let client: KubeClient;

/** Seconds from `start()` until `n` distinct pods were seen ADDED in `ns`. */
async function countCreations(ns: string, n: number): Promise<{ start(): void; done: Promise<number | undefined> }> {
  const w = await client.pods<Pod>(ns).watch({});
  const seen = new Set<string>();
  let t0 = 0;
  const done = (async () => {
    const timer = setTimeout(() => w.stop(), TIMEOUT_MS);
    try {
      for await (const ev of w as AsyncIterable<WatchEvent<Pod>>) {
        if (ev.type === 'ADDED') seen.add(ev.object.metadata.name!);
        if (seen.size >= n) return (performance.now() - t0) / 1000;
      }
      return undefined;
    } finally {
      clearTimeout(timer);
      w.stop();
    }
  })();
  return { start: () => { t0 = performance.now(); }, done };
}

/** Seconds from `t0` until the Job is Complete (a watch on the Job). */
async function untilComplete(ns: string, name: string, t0: number): Promise<{ s?: number; job?: Job }> {
  const w = await client.resource<Job>(resources.jobs, ns).watch({ fieldSelector: `metadata.name=${name}` });
  const timer = setTimeout(() => w.stop(), TIMEOUT_MS);
  let last: Job | undefined;
  try {
    for await (const ev of w as AsyncIterable<WatchEvent<Job>>) {
      last = ev.object;
      if (last.status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True')) return { s: (performance.now() - t0) / 1000, job: last };
    }
    return { job: last };
  } finally {
    clearTimeout(timer);
    w.stop();
  }
}

/** apiserver_request_total summed by `VERB resource[/subresource]`. */
async function requestCounts(): Promise<Map<string, number>> {
  const res = await client.transport.request({ method: 'GET', path: '/metrics' });
  const out = new Map<string, number>();
  for (const line of String(res.body).split('\n')) {
    if (!line.startsWith('apiserver_request_total{')) continue;
    const l = Object.fromEntries([...line.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    const k = `${l.verb} ${l.resource}${l.subresource ? `/${l.subresource}` : ''}`;
    out.set(k, (out.get(k) ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1)));
  }
  return out;
}

/** Starts counting CPU time and API requests; `stop(n)` reads them per item. */
interface Cost { text: string; cpuMs: number; requests: number }
async function meter(layout: Layout): Promise<{ stop(n: number): Promise<Cost> }> {
  const before = await requestCounts();
  const cpu0 = layout.cpuMs();
  const fleet0 = layout.fleetCpuMs?.() ?? 0;
  return {
    async stop(n) {
      const cpu = layout.cpuMs() - cpu0;
      const fleet = layout.fleetCpuMs ? `, simulated nodes ${((layout.fleetCpuMs() - fleet0) / n).toFixed(2)} ms` : '';
      const after = await requestCounts();
      const delta = [...after].map(([k, v]) => [k, v - (before.get(k) ?? 0)] as const).filter(([, d]) => d > 0).sort((a, b) => b[1] - a[1]);
      const total = delta.reduce((a, [, d]) => a + d, 0);
      const top = delta.filter(([, d]) => d / n >= 0.01).map(([k, d]) => `${k} ${(d / n).toFixed(2)}`).join(', ');
      return { text: `CPU ${(cpu / n).toFixed(2)} ms${fleet}; ${(total / n).toFixed(2)} requests (${top})`, cpuMs: cpu / n, requests: total / n };
    },
  };
}

interface Row { case: string; result: string; target: string; note: string }
const rows: Row[] = [];

async function measure(layout: Layout): Promise<void> {
  client = layout.client;
  for (const ns of ['rs', 'jobs']) await client.namespaces().create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  await new Promise((r) => setTimeout(r, 2000));

  // 1. ReplicaSet pod creation rate.
  const rsWatch = await countCreations('rs', COMPLETIONS);
  const rsMeter = await meter(layout);
  rsWatch.start();
  await client.replicaSets('rs').create({
    apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'base' },
    spec: { replicas: COMPLETIONS, selector: { matchLabels: { app: 'base' } }, template: { metadata: { labels: { app: 'base' } }, spec: podSpec } },
  });
  const rsS = await rsWatch.done;
  const rsCost = await rsMeter.stop(COMPLETIONS);
  const rsRate = rsS === undefined ? 0 : COMPLETIONS / rsS;
  rows.push({ case: `${layout.name} baseline: ReplicaSet of ${COMPLETIONS} replicas, create -> all pods created`, result: rsS === undefined ? 'not reached' : `${rsS.toFixed(2)} s`, target: '', note: `${Math.round(rsRate)} pods/s created by the ReplicaSet controller; per pod: ${rsCost.text}` });
  // The baseline's pods go before the Job starts: a teardown of COMPLETIONS pods (a graceful
  // delete by the garbage collector and a final one by the simulated node, each with its watch
  // events) running beside the Job would charge the Job for the baseline's cleanup.
  await client.replicaSets('rs').delete('base', { propagationPolicy: 'Background' });
  const drained = performance.now() + TIMEOUT_MS;
  while ((await client.pods<Pod>('rs').list({ limit: 1 })).items.length > 0 && performance.now() < drained) await new Promise((r) => setTimeout(r, 500));
  await new Promise((r) => setTimeout(r, 1000));

  // 2. Job completions.
  const jobMeter = await meter(layout);
  const t0 = performance.now();
  const job = untilComplete('jobs', 'work', t0);
  await client.resource<Job>(resources.jobs, 'jobs').create({
    apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'work' },
    spec: { completions: COMPLETIONS, parallelism: PARALLELISM, template: { spec: { ...podSpec, restartPolicy: 'Never' } } },
  } as Job);
  const done = await job;
  const jobCost = await jobMeter.stop(COMPLETIONS);
  const jobRate = done.s === undefined ? 0 : COMPLETIONS / done.s;
  const ratio = rsRate > 0 ? jobRate / rsRate : 0;
  rows.push({
    case: `${layout.name}: Job of ${COMPLETIONS} completions at parallelism ${PARALLELISM} on ${NODES} simulated nodes: create -> Complete`,
    result: done.s === undefined ? `${done.job?.status?.succeeded ?? 0}/${COMPLETIONS} at ${TIMEOUT_MS / 1000} s` : `${done.s.toFixed(2)} s`,
    target: '>= 0.8x baseline rate',
    note: `${Math.round(jobRate)} completions/s = ${ratio.toFixed(2)}x the ReplicaSet rate; succeeded ${done.job?.status?.succeeded}, failed ${done.job?.status?.failed ?? 0}; pods ready after ${READY_MS} ms, exit 0 ${RUN_MS} ms later; per completion: ${jobCost.text}`,
  });
  // The two rates share one control-plane thread, so their ratio is the inverse of CPU per item,
  // and CPU per item is dominated by API writes (each a request, a store write and a watch event to
  // every pod watcher). A completion needs two writes a ReplicaSet pod does not (the kubelet's
  // Succeeded status, the controller's finalizer removal), so this row shows whether the Job path
  // costs more per request than the ReplicaSet path, apart from that difference in count.
  const perReq = (c: Cost) => c.cpuMs / c.requests;
  rows.push({
    case: `${layout.name}: CPU per API request (as metered above), Job / ReplicaSet`,
    result: `${(perReq(jobCost) / perReq(rsCost)).toFixed(2)}x`, target: '',
    note: `Job ${perReq(jobCost).toFixed(3)} ms x ${jobCost.requests.toFixed(2)} requests per completion; ReplicaSet ${perReq(rsCost).toFixed(3)} ms x ${rsCost.requests.toFixed(2)} requests per pod; request-count ratio ${(rsCost.requests / jobCost.requests).toFixed(2)}`,
  });
}

const layouts: Record<string, () => Promise<Layout>> = { 'in-process': inProcess, split };
for (const [name, start] of Object.entries(layouts)) {
  if (LAYOUT !== 'both' && LAYOUT !== name) continue;
  const layout = await start();
  try {
    await measure(layout);
  } finally {
    await layout.stop();
  }
}
console.table(rows);
