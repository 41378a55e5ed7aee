/**
 * Scheduler benchmark: pods placed per second for 10,000 pods on 1,000 and 5,000 nodes.
 * - framework: the cycle the runtime runs per pod (snapshot, default profile, assume) without I/O;
 * - framework, all nodes scored: the same with percentageOfNodesToScore=100 (what the adaptive
 *   sampling saves);
 * - baseline (same run): first fit, i.e. walk the nodes and take the first with room (resource
 *   check only, no scoring), the cheapest correct placement;
 * - end to end: a `bosun server` child process (memory store, API server only: no built-in
 *   scheduler or controllers, which would race this one or taint nodes without a kubelet) with the
 *   nodes and pending pods created through the API, then the scheduler started in this process;
 *   time until every pod is bound. CPU per pod is reported for both processes (the server's from
 *   /proc/PID/stat utime+stime), so load on the machine does not hide a change.
 * Each pod belongs to one of OWNERS ReplicaSets (app-N), so PodTopologySpread's system default
 * constraints spread it as on a cluster (the framework runs read the ReplicaSets from a fixed lister,
 * the end-to-end runs from the scheduler's informers).
 * Run: node --import tsx bench/scheduler.bench.ts   (SCHED_BENCH_E2E=0 skips the API runs)
 * Target: >= 1,000 pods bound/s with 5,000 nodes.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { ReplicaSet } from '../src/api/kinds/index.js';
import { KubeClient } from '../src/client/index.js';
import { resources } from '../src/client/resource-ref.js';
import type { SpreadListers } from '../src/scheduler/plugins/pod-topology-spread/default-constraints.js';
import { spawnServer } from '../src/testing/test-cluster.js';
import { SchedulerCache } from '../src/scheduler/cache/cache.js';
import { newPodInfo } from '../src/scheduler/framework/pod-info.js';
import { buildProfile } from '../src/scheduler/framework/profile.js';
import { schedulePod } from '../src/scheduler/framework/schedule-pod.js';
import type { Node, Pod } from '../src/scheduler/framework/types.js';
import { insufficientResources } from '../src/scheduler/plugins/node-resources-fit/node-resources-fit.js';
import { defaultProfileConfig, inTreeRegistry } from '../src/scheduler/plugins/registry.js';
import { Scheduler } from '../src/scheduler/scheduler.js';
import { makeNode, makePod } from '../src/scheduler/testing/wrappers.js';

const PODS = Number(process.env.SCHED_BENCH_PODS ?? 10_000);
const NODE_COUNTS = (process.env.SCHED_BENCH_NODES ?? '1000,5000').split(',').map(Number);
const E2E = process.env.SCHED_BENCH_E2E !== '0';
const FRAMEWORK = process.env.SCHED_BENCH_FRAMEWORK !== '0';
const OWNERS = 100;

const nodeObj = (i: number): Node => makeNode().name(`bench-node-${i}`).label('topology.kubernetes.io/zone', `zone-${i % 3}`)
  .alloc({ cpu: '16', memory: '64Gi', pods: 110 }).obj();
const podObj = (i: number): Pod => makePod().name(`bench-pod-${i}`).label('app', `app-${i % OWNERS}`).owner(`owner-${i % OWNERS}`)
  .req({ cpu: '100m', memory: '128Mi' }).obj();
/** The ReplicaSet `owner-N` the pods with app=app-N belong to (replicas 0: no controller runs in these benches). */
const replicaSetObj = (i: number): ReplicaSet => ({
  apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: `owner-${i}`, namespace: 'default' },
  spec: { replicas: 0, selector: { matchLabels: { app: `app-${i}` } }, template: { metadata: { labels: { app: `app-${i}` } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
} as ReplicaSet);
const replicaSets = new Map(Array.from({ length: OWNERS }, (_, i) => [`owner-${i}`, replicaSetObj(i)]));
const listers: SpreadListers = {
  services: () => [], replicationController: () => undefined, statefulSet: () => undefined,
  replicaSet: (_ns, name) => replicaSets.get(name),
};

interface Row { case: string; nodes: number; pods: number; 'pods/s': number; 'µs/pod': number; 'CPU µs/pod': number; 'server CPU µs/pod'?: number; note: string }
const rows: Row[] = [];
/** Wall time and this process's CPU time of `fn`, in seconds. */
function timed(fn: () => void): { wall: number; cpu: number } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  fn();
  const c = process.cpuUsage(c0);
  return { wall: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6 };
}
const row = (name: string, nodes: number, t: { wall: number; cpu: number; serverCpu?: number }, note = '') =>
  rows.push({
    case: name, nodes, pods: PODS, 'pods/s': Math.round(PODS / t.wall), 'µs/pod': Math.round((t.wall * 1e6) / PODS),
    'CPU µs/pod': Math.round((t.cpu * 1e6) / PODS),
    ...(t.serverCpu !== undefined ? { 'server CPU µs/pod': Math.round((t.serverCpu * 1e6) / PODS) } : {}), note,
  });
/** CPU seconds (utime + stime; USER_HZ 100) a process has used, from /proc. */
function procCpu(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

function frameworkRun(nodes: number, percentage: number): { wall: number; cpu: number } {
  const cache = new SchedulerCache();
  for (let i = 0; i < nodes; i++) cache.setNode(nodeObj(i));
  const profile = buildProfile({ ...defaultProfileConfig(), percentageOfNodesToScore: percentage }, inTreeRegistry, { spreadListers: () => listers });
  const pods = Array.from({ length: PODS }, (_, i) => podObj(i));
  let start = 0;
  return timed(() => {
    for (const pod of pods) {
      const info = newPodInfo(pod); // the runtime builds this when the pod is queued
      const r = schedulePod(info, cache.snapshot(), profile, { startIndex: start });
      start = r.nextStartIndex;
      if (!('node' in r)) throw new Error(`pod did not fit: ${'message' in r ? r.message : r.error.message()}`);
      cache.assume(info, r.node);
    }
  });
}

function firstFitRun(nodes: number): { wall: number; cpu: number } {
  const cache = new SchedulerCache();
  for (let i = 0; i < nodes; i++) cache.setNode(nodeObj(i));
  const pods = Array.from({ length: PODS }, (_, i) => podObj(i));
  let next = 0;
  return timed(() => {
    for (const pod of pods) {
      const info = newPodInfo(pod);
      const list = cache.snapshot().nodes;
      let placed = false;
      for (let k = 0; k < list.length && !placed; k++) {
        const n = list[(next + k) % list.length]!;
        if (insufficientResources(info, n).length === 0) {
          cache.assume(info, n.name);
          next = (next + k + 1) % list.length;
          placed = true;
        }
      }
      if (!placed) throw new Error('first fit found no node');
    }
  });
}

async function pool<T>(items: T[], concurrency: number, fn: (t: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

async function endToEnd(nodes: number): Promise<{ wall: number; cpu: number; serverCpu: number; note: string }> {
  const server = await spawnServer({ store: 'memory', extraArgs: ['--disable-agent', '--disable-scheduler', '--disable-controller-manager'] });
  const client = KubeClient.fromKubeconfig(server.kubeconfig);
  let scheduler: Scheduler | undefined;
  try {
    await pool(Array.from({ length: nodes }, (_, i) => i), 32, (i) => client.nodes<Node>().create(nodeObj(i)));
    await pool([...replicaSets.values()], 32, (rs) => client.resource<ReplicaSet>(resources.replicasets, 'default').create(rs));
    await pool(Array.from({ length: PODS }, (_, i) => i), 32, (i) => client.pods<Pod>('default').create(podObj(i)));
    scheduler = new Scheduler({ client, ...(process.env.SCHED_BENCH_BINDS ? { maxConcurrentBinds: Number(process.env.SCHED_BENCH_BINDS) } : {}) });
    const cpu0 = process.cpuUsage();
    const server0 = procCpu(server.child.pid!);
    const t0 = performance.now();
    await scheduler.start();
    const synced = (performance.now() - t0) / 1000;
    while (scheduler.stats.scheduled < PODS) {
      if (scheduler.stats.unschedulable + scheduler.stats.errors > 0 && scheduler.queue.lengths.active === 0 && scheduler.queue.lengths.inFlight === 0) {
        throw new Error(`stuck: ${JSON.stringify(scheduler.stats)}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const serverCpu = procCpu(server.child.pid!) - server0;
    return { wall: seconds, cpu: (cpu.user + cpu.system) / 1e6, serverCpu, note: `incl. ${synced.toFixed(1)} s informer sync; CPU µs/pod: scheduler process` };
  } finally {
    await scheduler?.stop();
    client.close();
    await server.stop();
  }
}

for (const n of FRAMEWORK ? NODE_COUNTS : []) {
  frameworkRun(Math.min(n, 200), 0); // warm up the JIT
  row('framework (default profile, adaptive sampling)', n, frameworkRun(n, 0));
  row('framework, all nodes scored', n, frameworkRun(n, 100));
  row('baseline: first fit, no scoring', n, firstFitRun(n));
}
if (E2E) {
  for (const n of NODE_COUNTS) {
    const r = await endToEnd(n);
    row('end to end through the API server', n, r, r.note);
  }
}
console.table(rows);
