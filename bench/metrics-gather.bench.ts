/**
 * Resource metrics gathering benchmark (issue 16): one gathering cycle of the metrics API
 * (src/apiserver/metrics-api) over 1,000 simulated nodes running 10,000 pods, in a `bosun server`
 * child process (memory store, --simulated-nodes). Each pod reports usage by the
 * metrics.bosun.dev/cpu and /memory annotations (api/metrics/usage-annotations.ts).
 * Measured (wall time of the request, the server's CPU seconds during it and its RSS before and
 * after, from /proc; on a loaded machine the CPU seconds are the steadier figure):
 *   - baseline: a plain LIST of the 10,000 pods (JSON), same run;
 *   - cold cycle: the first GET /apis/metrics.k8s.io/v1beta1/pods, which gathers every node and pod;
 *   - served from the cycle's snapshot: the same GET again at once (serialization only);
 *   - a second cycle after the 10 s period, the node metrics too.
 * Target: a cycle under 2 s.
 * Run: node --import tsx bench/metrics-gather.bench.ts   (npm run build first; MG_BENCH_NODES=1000 MG_BENCH_PODS=10000)
 */
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { RawClient } from '../src/testing/raw-client.js';
import { spawnServer } from '../src/testing/test-cluster.js';
import { processCpuMs, rssKiB } from './proc-stats.js';

const NODES = Number(process.env.MG_BENCH_NODES ?? 1000);
const PODS = Number(process.env.MG_BENCH_PODS ?? 10_000);

const cpuS = (pid: number): number => processCpuMs(pid) / 1000;
const rssMiB = (pid: number): number => Math.round(rssKiB(pid) / 1024);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function pool(n: number, width: number, fn: (i: number) => Promise<void>): Promise<void> {
  let i = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (i < n) await fn(i++);
  }));
}

const server = await spawnServer({
  store: 'memory', useDist: true, startTimeoutMs: 120_000,
  extraArgs: ['--disable-agent', '--simulated-nodes', String(NODES), '--simulated-node-pods', '110', '--simulated-ready-delay', '100ms', '--disable-controller-manager'],
});
const raw = new RawClient(server.url, server.dataDir);
const pid = server.child.pid!;
const rows: { step: string; 'wall s': number; 'server CPU s': number; 'items': number; 'server RSS MiB': number; 'RSS added MiB': number }[] = [];

async function timed(step: string, path: string, field: (j: { items?: unknown[] }) => number): Promise<number> {
  const before = rssMiB(pid);
  const c0 = cpuS(pid);
  const t0 = performance.now();
  const r = await raw.request(path);
  const wall = (performance.now() - t0) / 1000;
  if (r.status !== 200) throw new Error(`${path}: ${r.status} ${r.body.slice(0, 300)}`);
  const after = rssMiB(pid);
  rows.push({ step, 'wall s': +wall.toFixed(2), 'server CPU s': +(cpuS(pid) - c0).toFixed(2), items: field(r.json as { items?: unknown[] }), 'server RSS MiB': after, 'RSS added MiB': after - before });
  return wall;
}

try {
  // Wait for the fleet, then place the pods on it directly (spec.nodeName), 10 per node.
  for (;;) {
    const n = (await raw.request('/api/v1/nodes?limit=1')).json as { metadata?: { remainingItemCount?: number } };
    if ((n.metadata?.remainingItemCount ?? -1) + 1 >= NODES) break;
    await sleep(500);
  }
  const tCreate = performance.now();
  await pool(PODS, 32, async (i) => {
    const pod = {
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name: `mg-${i}`, namespace: 'default', annotations: { 'metrics.bosun.dev/cpu': `${10 + (i % 90)}m`, 'metrics.bosun.dev/memory': `${16 + (i % 48)}Mi` } },
      spec: { nodeName: `sim-${String(1 + (i % NODES)).padStart(Math.max(4, String(NODES).length), '0')}`, containers: [{ name: 'c', image: 'busybox' }] },
    };
    const r = await raw.request('/api/v1/namespaces/default/pods', { method: 'POST', body: JSON.stringify(pod) });
    if (r.status !== 201) throw new Error(`create: ${r.status} ${r.body.slice(0, 300)}`);
  });
  const createS = (performance.now() - tCreate) / 1000;
  for (;;) {
    const pods = (await raw.request('/api/v1/namespaces/default/pods?fieldSelector=status.phase%3DRunning')).json as { items: unknown[] };
    if (pods.items.length >= PODS) break;
    await sleep(1000);
  }
  await sleep(2000);
  const count = (j: { items?: unknown[] }) => j.items?.length ?? 0;
  await timed('baseline: LIST 10,000 pods', '/api/v1/pods', count);
  const cycle = await timed('cold cycle: GET podmetrics (gathers)', '/apis/metrics.k8s.io/v1beta1/pods', count);
  await timed('  same GET from the snapshot', '/apis/metrics.k8s.io/v1beta1/pods', count);
  await sleep(11_000);
  const cycle2 = await timed('second cycle (after the 10 s period)', '/apis/metrics.k8s.io/v1beta1/pods', count);
  await timed('  nodemetrics from that snapshot', '/apis/metrics.k8s.io/v1beta1/nodes', count);
  console.log(`metrics gathering: ${NODES} simulated nodes, ${PODS} pods (created in ${createS.toFixed(1)} s)`);
  console.table(rows);
  console.log(`target: a cycle under 2 s: ${Math.max(cycle, cycle2) < 2 ? 'met' : 'NOT met'} (cold ${cycle.toFixed(2)} s, second ${cycle2.toFixed(2)} s; machine load ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores)`);
} finally {
  await server.stop();
}
