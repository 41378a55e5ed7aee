/**
 * Workloads benchmark: the whole control plane (API server, controllers, scheduler) in a
 * `bosun server --disable-agent` child process, so its RSS is the server's own.
 *
 * 1. `--simulated-nodes 100 --store memory` (the fleet in the server process; this process only
 *    creates objects and watches pods). A 1,000-replica Deployment (ready delay 1 s): time from the create
 *    until every pod is Running and Ready, seen through a pod watch, with the times all pods were
 *    created and all bound. Baseline (same server, same run): 1,000 pods of the same template
 *    created straight through the API (64 at a time), pre-bound to a node that does not exist, so
 *    no controller, scheduler or simulated node touches them: the cost of the writes alone.
 * 2. Memory: RSS of the server (`bosun server`, no simulated nodes of its own) with 5,000 simulated
 *    nodes run by this process (lease renewal 10 s, grace period 40 s: upstream's defaults) and a
 *    10,000-replica Deployment all Running and Ready, and its peak (VmHWM). In one process the
 *    fleet would share the server's single thread, and on 2 cores the heartbeats of 5,000 nodes
 *    plus 10,000 pod starts starve; apart, the RSS measured is the control plane's own.
 *    Store: sqlite, `bosun server`'s default (WL_BENCH_MEM_STORE=memory keeps every object and
 *    the retained history in RSS too). Waits at most WL_BENCH_MEM_WAIT_S (120) for the pods and
 *    reports RSS with what exists by then (marked INCOMPLETE).
 *    Baseline (same run): the idle server without nodes.
 *
 * Targets (issue 3): 1,000-replica Deployment Running within 10 s; < 1 GB RSS for 5,000 nodes and
 * 10,000 pods.
 * Run: node --import tsx bench/workloads.bench.ts
 *   (WL_BENCH_REPLICAS=1000 WL_BENCH_NODES=100 WL_BENCH_MEM_NODES=5000 WL_BENCH_MEM_PODS=10000;
 *    WL_BENCH_DEPLOY=0 / WL_BENCH_MEM=0 skip part 1 / part 2; WL_BENCH_SERVER_NODE_ARGS adds node flags
 *    to the server, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { Pod } from '../src/api/kinds/index.js';
import type { WatchEvent } from '../src/api/meta.js';
import { KubeClient } from '../src/client/index.js';
import { startSimulatedNodes, type SimulatedFleet } from '../src/simulated-nodes/index.js';
import { quietLogger } from '../src/testing/quiet-logger.js';

const REPLICAS = Number(process.env.WL_BENCH_REPLICAS ?? 1000);
const NODES = Number(process.env.WL_BENCH_NODES ?? 100);
const DEPLOY = process.env.WL_BENCH_DEPLOY !== '0';
const MEM = process.env.WL_BENCH_MEM !== '0';
const MEM_NODES = Number(process.env.WL_BENCH_MEM_NODES ?? 5000);
const MEM_PODS = Number(process.env.WL_BENCH_MEM_PODS ?? 10_000);
/** How long part 2 waits for the pods; RSS is reported at the cap with what exists by then. */
const MEM_WAIT_S = Number(process.env.WL_BENCH_MEM_WAIT_S ?? 120);
/** `bosun server`'s default store, whose data lives on disk (memory keeps all of it, and its history, in RSS). */
const MEM_STORE = process.env.WL_BENCH_MEM_STORE ?? 'sqlite';
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

interface Server { child: ChildProcess; client: KubeClient; stop(): Promise<void> }

/** `bosun server` through the CLI (tsx), control plane only; resolves once it listens. */
async function spawnServer(simulatedNodes: number, extraArgs: string[] = [], store = 'memory'): Promise<Server> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bosun-bench-wl-'));
  // WL_BENCH_SERVER_NODE_ARGS: extra node flags for the server, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`.
  const nodeArgs = (process.env.WL_BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [
    ...nodeArgs, '--import', 'tsx', join(repoRoot, 'src/cli/main.ts'), 'server', '--disable-agent', '--store', store, '--port', '0',
    '--bind-address', '127.0.0.1', '--data-dir', dataDir, '--simulated-nodes', String(simulatedNodes), '--simulated-ready-delay', '1s', ...extraArgs,
  ], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, BOSUN_LOG_LEVEL: process.env.BOSUN_LOG_LEVEL ?? 'error' } });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  let out = '';
  await new Promise<void>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`server did not start:\n${out}`)), 180_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (/bosun: listening on/.test(out)) {
        clearTimeout(timer);
        ok();
      }
    });
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => fail(new Error(`server exited with ${code}:\n${out}`)));
  });
  const client = KubeClient.fromKubeconfig(join(dataDir, 'kubeconfig.yaml'));
  return {
    child, client,
    async stop() {
      client.close();
      child.kill('SIGTERM');
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** CPU seconds (utime + stime; USER_HZ 100) a process has used, from /proc. */
function procCpu(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}
const cpuPerPod = (cpuS: number, pods: number) => `server CPU ${Math.round((cpuS * 1e6) / Math.max(1, pods))} µs/pod`;

/** RSS and peak RSS (VmHWM) of a process, MiB. */
function memory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
  return { rss: Math.round(kb('VmRSS') / 1024), peak: Math.round(kb('VmHWM') / 1024) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const podSpec = { containers: [{ name: 'app', image: 'nginx:1.27', resources: { requests: { cpu: '100m', memory: '64Mi' } } }] };
const isReady = (p: Pod) => p.status?.phase === 'Running' && !!p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');

interface Progress {
  /** Seconds from start() to all `n` pods created, bound, Ready (undefined: not reached in time). */
  created?: number;
  bound?: number;
  ready?: number;
  /** Pods seen created, bound, Ready when the watch ended. */
  counts: { created: number; bound: number; ready: number };
}

/** Watches pods with label app=`app` in `ns` until `n` are Ready or `timeoutMs` has passed. */
async function followPods(client: KubeClient, ns: string, app: string, n: number, timeoutMs: number): Promise<{ start(): void; done: Promise<Progress> }> {
  const w = await client.pods<Pod>(ns).watch({ labelSelector: `app=${app}` });
  const created = new Set<string>();
  const bound = new Set<string>();
  const ready = new Set<string>();
  let t0 = 0;
  const at: Omit<Progress, 'counts'> = {};
  const done = (async () => {
    const timer = setTimeout(() => w.stop(), timeoutMs);
    try {
      for await (const ev of w as AsyncIterable<WatchEvent<Pod>>) {
        if (ev.type !== 'ADDED' && ev.type !== 'MODIFIED') continue;
        const p = ev.object;
        const name = p.metadata.name!;
        const now = (performance.now() - t0) / 1000;
        created.add(name);
        if (p.spec?.nodeName) bound.add(name);
        if (isReady(p)) ready.add(name);
        if (at.created === undefined && created.size >= n) at.created = now;
        if (at.bound === undefined && bound.size >= n) at.bound = now;
        if (ready.size >= n) {
          at.ready = now;
          break;
        }
      }
    } finally {
      clearTimeout(timer);
      w.stop();
    }
    return { ...at, counts: { created: created.size, bound: bound.size, ready: ready.size } };
  })();
  return { start: () => { t0 = performance.now(); }, done };
}

const fmt = (s: number | undefined) => (s === undefined ? 'not reached' : `${s.toFixed(2)} s`);

const deployment = (ns: string, name: string, replicas: number) => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: ns },
  spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: podSpec } },
});

interface Row { case: string; 'result': string; target: string; note: string }
const rows: Row[] = [];

// Part 1: time to a fully Running 1,000-replica Deployment on 100 nodes.
if (DEPLOY) {
  const s = await spawnServer(NODES);
  try {
    const { client } = s;
    await client.namespaces().create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'raw' } });
    await client.namespaces().create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench' } });
    await sleep(2000); // let the fleet's first heartbeats and status reports settle

    // Baseline: the same number of pod objects, written straight through the API and left alone.
    const rawCpu0 = procCpu(s.child.pid!);
    const t0 = performance.now();
    let next = 0;
    await Promise.all(Array.from({ length: 64 }, async () => {
      while (next < REPLICAS) {
        const i = next++;
        await client.pods('raw').create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `raw-${i}`, labels: { app: 'raw' } }, spec: { ...podSpec, nodeName: 'nowhere' } } as Pod);
      }
    }));
    const rawS = (performance.now() - t0) / 1000;
    const rawCpu = procCpu(s.child.pid!) - rawCpu0;
    rows.push({ case: `baseline: create ${REPLICAS} pods straight through the API`, result: `${rawS.toFixed(2)} s`, target: '', note: `${Math.round(REPLICAS / rawS)} pods/s, 64 in flight, no controllers/scheduler/nodes involved; ${cpuPerPod(rawCpu, REPLICAS)}` });
    await client.pods('raw').deleteCollection({}, { gracePeriodSeconds: 0 });
    await sleep(1000);

    const follow = await followPods(client, 'bench', 'web', REPLICAS, 120_000);
    follow.start();
    const cpu0 = procCpu(s.child.pid!);
    await client.deployments('bench').create(deployment('bench', 'web', REPLICAS));
    const at = await follow.done;
    const cpu = procCpu(s.child.pid!) - cpu0;
    rows.push({
      case: `Deployment of ${REPLICAS} replicas on ${NODES} simulated nodes: created -> all Running and Ready`,
      result: at.ready === undefined ? `${at.counts.ready}/${REPLICAS} Ready at 120 s` : fmt(at.ready), target: '<= 10 s',
      note: `all pods created ${fmt(at.created)}, all bound ${fmt(at.bound)}; simulated ready delay 1 s; server RSS ${memory(s.child.pid!).rss} MiB; ${cpuPerPod(cpu, REPLICAS)} (whole control plane and fleet, create to Ready)`,
    });
  } finally {
    await s.stop();
  }
}

// Part 2: memory of the server with 5,000 nodes and 10,000 pods.
if (MEM) {
  const idle = await spawnServer(0, [], MEM_STORE);
  await sleep(5000);
  const idleMem = memory(idle.child.pid!);
  await idle.stop();
  rows.push({ case: 'baseline: idle server, no simulated nodes', result: `${idleMem.rss} MiB RSS`, target: '', note: `store ${MEM_STORE}; after 5 s` });

  // The fleet runs in this process, so the server's RSS is the control plane's alone. Lease
  // renewal every 10 s and a 40 s grace period are upstream's kubelet and controller defaults.
  const s = await spawnServer(0, ['--node-monitor-grace-period', '40s'], MEM_STORE);
  let fleet: SimulatedFleet | undefined;
  try {
    const t0 = performance.now();
    fleet = await startSimulatedNodes(s.client, { count: MEM_NODES, heartbeatMs: 10_000, readyDelayMs: 1000, logger: quietLogger });
    const regS = (performance.now() - t0) / 1000;
    await sleep(5000);
    const nodesMem = memory(s.child.pid!);
    rows.push({ case: `server with ${MEM_NODES} simulated nodes, no pods`, result: `${nodesMem.rss} MiB RSS`, target: '', note: `registered in ${regS.toFixed(1)} s; 5 s later` });
    await s.client.namespaces().create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'mem' } });
    const follow = await followPods(s.client, 'mem', 'mem', MEM_PODS, MEM_WAIT_S * 1000);
    follow.start();
    const cpu0 = procCpu(s.child.pid!);
    await s.client.deployments('mem').create(deployment('mem', 'mem', MEM_PODS));
    const at = await follow.done;
    const cpu = procCpu(s.child.pid!) - cpu0;
    if (at.ready !== undefined) await sleep(5000);
    const m = memory(s.child.pid!);
    const f = memory(process.pid);
    const { created, bound, ready } = at.counts;
    rows.push({
      case: `server with ${MEM_NODES} simulated nodes + a ${MEM_PODS}-replica Deployment`, result: `${m.rss} MiB RSS (peak ${m.peak} MiB)`, target: '< 1024 MiB (10,000 pods)',
      note: (at.ready !== undefined ? `all ${MEM_PODS} pods Ready ${fmt(at.ready)} after the create, sampled 5 s later` : `INCOMPLETE: at the ${MEM_WAIT_S} s cap ${created} pods created, ${bound} bound, ${ready} Ready`)
        + `; store ${MEM_STORE}; API server, controllers, scheduler in one process; fleet process ${f.rss} MiB; ${cpuPerPod(cpu, created)} created (create to Ready or the cap)`,
    });
  } finally {
    await fleet?.close();
    await s.stop();
  }
}

console.table(rows);
