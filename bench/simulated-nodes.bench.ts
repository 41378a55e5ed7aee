/**
 * Simulated-node fleet benchmark: what N simulated nodes cost. A `bosun server` child process
 * (memory store) and the fleet in this process; the fleet registers N nodes (with leases), then
 * heartbeats for WINDOW seconds. Reported per phase: wall time, CPU seconds and RSS of the server
 * and of the fleet process, lease renewals achieved against the target rate, and nodes whose
 * lease is older than 20 s at the end (a node lifecycle controller would call them Unknown).
 * Baseline (same run): the idle server over the same window before any node exists.
 * Run: node --import tsx bench/simulated-nodes.bench.ts   (SIM_BENCH_NODES=5000 SIM_BENCH_WINDOW=30)
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Lease } from '../src/api/kinds/index.js';
import { KubeClient } from '../src/client/index.js';
import { startSimulatedNodes } from '../src/simulated-nodes/index.js';
import { spawnServer } from '../src/testing/test-cluster.js';
import { quietLogger } from '../src/testing/quiet-logger.js';

const NODES = Number(process.env.SIM_BENCH_NODES ?? 5000);
const WINDOW_S = Number(process.env.SIM_BENCH_WINDOW ?? 30);
const HEARTBEAT_MS = Number(process.env.SIM_BENCH_HEARTBEAT_MS ?? 5000);
/** USER_HZ: the unit of utime/stime in /proc/<pid>/stat (100 on Linux). */
const TICKS = 100;

/** CPU seconds (user + system) and RSS (MiB) of a process, from /proc. */
function sample(pid: number): { cpu: number; rssMiB: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpu = (Number(fields[11]) + Number(fields[12])) / TICKS;
  const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return { cpu, rssMiB: Math.round(Number(rss?.[1] ?? 0) / 1024) };
}

interface Row { phase: string; 'wall s': number; 'server cpu s': number; 'server RSS MiB': number; 'fleet cpu s': number; 'fleet RSS MiB': number; note: string }
const rows: Row[] = [];

async function measure(phase: string, serverPid: number, fn: () => Promise<string>): Promise<void> {
  const s0 = sample(serverPid);
  const f0 = sample(process.pid);
  const t0 = performance.now();
  const note = await fn();
  const wall = (performance.now() - t0) / 1000;
  const s1 = sample(serverPid);
  const f1 = sample(process.pid);
  rows.push({
    phase, 'wall s': +wall.toFixed(1), 'server cpu s': +(s1.cpu - s0.cpu).toFixed(1), 'server RSS MiB': s1.rssMiB,
    'fleet cpu s': +(f1.cpu - f0.cpu).toFixed(1), 'fleet RSS MiB': f1.rssMiB, note,
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const server = await spawnServer({ store: 'memory' });
const client = KubeClient.fromKubeconfig(server.kubeconfig);
try {
  const pid = server.child.pid!;
  await measure('baseline: idle server', pid, async () => { await sleep(WINDOW_S * 1000); return `no nodes; machine load ${loadavg()[0]!.toFixed(1)}`; });
  let fleet: Awaited<ReturnType<typeof startSimulatedNodes>> | undefined;
  await measure(`register ${NODES} nodes + leases`, pid, async () => {
    const t0 = performance.now();
    fleet = await startSimulatedNodes(client, { count: NODES, heartbeatMs: HEARTBEAT_MS, logger: quietLogger });
    return `${Math.round(NODES / ((performance.now() - t0) / 1000))} nodes/s registered`;
  });
  const before = fleet!.stats();
  await measure(`heartbeat ${WINDOW_S} s`, pid, async () => {
    await sleep(WINDOW_S * 1000);
    const after = fleet!.stats();
    const rate = (after.renewals - before.renewals) / WINDOW_S;
    const target = NODES / (HEARTBEAT_MS / 1000);
    return `${Math.round(rate)} renewals/s of ${Math.round(target)} target, ${after.renewalFailures - before.renewalFailures} failed`;
  });
  const leases = await client.leases<Lease>('kube-node-lease').listAll();
  const now = Date.now();
  const stale = leases.items.filter((l) => now - Date.parse(l.spec?.renewTime ?? '0') > 20_000).length;
  rows.push({ phase: 'end state', 'wall s': 0, 'server cpu s': 0, 'server RSS MiB': sample(pid).rssMiB, 'fleet cpu s': 0, 'fleet RSS MiB': sample(process.pid).rssMiB, note: `${leases.items.length} leases, ${stale} older than 20 s; machine load ${loadavg()[0]!.toFixed(1)}` });
  await fleet!.close();
} finally {
  client.close();
  await server.stop();
}
console.table(rows);
