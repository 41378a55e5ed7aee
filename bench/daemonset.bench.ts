/**
 * DaemonSet benchmark (issue 15): a RollingUpdate across 1,000 simulated nodes with maxUnavailable
 * 10% and a 1 s simulated ready delay, in a `bosun server --disable-agent --simulated-nodes 1000`
 * child process (API server, scheduler, controllers and the fleet in one process, memory store).
 *
 * Rows:
 * - baseline (same server, same run): a 1,000-replica ReplicaSet created -> all pods Running and
 *   Ready (the ReplicaSet controller's pod creation through the same scheduler and fleet);
 * - the DaemonSet created -> a Ready pod on every node (status numberAvailable = desired);
 * - the image changed -> rolled out as `kubectl rollout status` sees it (observedGeneration caught
 *   up, updatedNumberScheduled = numberAvailable = desiredNumberScheduled = 1,000). Each wave of
 *   100 nodes waits for its old pods to go (the fleet deletes at once) and the new ones to be Ready
 *   (1 s), so about 10 waves of at least 1 s each is the floor.
 * Target: rollout under 60 s.
 * Run: node --import tsx bench/daemonset.bench.ts   (DS_BENCH_NODES=1000)
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { DaemonSet, Pod, ReplicaSet } from '../src/api/kinds/index.js';
import { KubeClient } from '../src/client/index.js';
import { resources } from '../src/client/resource-ref.js';
import { processCpuMs } from './proc-stats.js';

const NODES = Number(process.env.DS_BENCH_NODES ?? 1000);
const TIMEOUT_MS = 300_000;
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const podSpec = { containers: [{ name: 'app', image: 'agent:1', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] };

const procCpu = (pid: number): number => processCpuMs(pid) / 1000;

/** Polls `check` every 100 ms; seconds until it held, or undefined at the timeout. */
async function timeUntil(check: () => Promise<boolean>, t0: number): Promise<number | undefined> {
  while (performance.now() - t0 < TIMEOUT_MS) {
    if (await check()) return (performance.now() - t0) / 1000;
    await sleep(100);
  }
  return undefined;
}

const dataDir = mkdtempSync(join(tmpdir(), 'bosun-bench-ds-'));
const child = spawn(process.execPath, [
  '--import', 'tsx', join(repoRoot, 'src/cli/main.ts'), 'server', '--disable-agent', '--store', 'memory', '--port', '0',
  '--bind-address', '127.0.0.1', '--data-dir', dataDir, '--simulated-nodes', String(NODES), '--simulated-ready-delay', '1s',
], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, BOSUN_LOG_LEVEL: process.env.BOSUN_LOG_LEVEL ?? 'error' } });
const exited = new Promise<void>((r) => child.once('exit', () => r()));
let out = '';
await new Promise<void>((ok, fail) => {
  const timer = setTimeout(() => fail(new Error(`server did not start:\n${out}`)), 180_000);
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    if (/bosun: listening on/.test(out)) {
      clearTimeout(timer);
      ok();
    }
  });
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  child.once('exit', (code) => fail(new Error(`server exited with ${code}:\n${out}`)));
});
const client = KubeClient.fromKubeconfig(join(dataDir, 'kubeconfig.yaml'));
const rows: { case: string; result: string; target: string; note: string }[] = [];
const fmt = (s: number | undefined) => (s === undefined ? `not reached in ${TIMEOUT_MS / 1000} s` : `${s.toFixed(2)} s`);

try {
  await client.namespaces().create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench' } });
  await timeUntil(async () => (await client.nodes().list()).items.length >= NODES, performance.now());
  await sleep(2000); // the fleet's first heartbeats and status reports

  // Baseline: the ReplicaSet controller bringing 1,000 pods to Ready on the same nodes.
  const rsApi = client.resource<ReplicaSet>(resources.replicasets, 'bench');
  let cpu0 = procCpu(child.pid!);
  let t0 = performance.now();
  await rsApi.create({
    apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'rs', namespace: 'bench' },
    spec: { replicas: NODES, selector: { matchLabels: { app: 'rs' } }, template: { metadata: { labels: { app: 'rs' } }, spec: podSpec } },
  } as ReplicaSet);
  const rsReady = await timeUntil(async () => ((await rsApi.get('rs')).status?.readyReplicas ?? 0) >= NODES, t0);
  rows.push({ case: `baseline: ReplicaSet of ${NODES} replicas created -> all Ready`, result: fmt(rsReady), target: '', note: `server CPU ${(procCpu(child.pid!) - cpu0).toFixed(1)} s` });
  await rsApi.delete('rs');
  await timeUntil(async () => (await client.pods<Pod>('bench').list({ labelSelector: 'app=rs', limit: 1 })).items.length === 0, performance.now());

  const dsApi = client.resource<DaemonSet>(resources.daemonsets, 'bench');
  const rolledOut = async () => {
    const ds = await dsApi.get('ds');
    const st = ds.status;
    return !!st && (st.observedGeneration ?? 0) >= (ds.metadata.generation ?? 0) && st.desiredNumberScheduled === NODES
      && st.updatedNumberScheduled === NODES && st.numberAvailable === NODES;
  };
  cpu0 = procCpu(child.pid!);
  t0 = performance.now();
  await dsApi.create({
    apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'ds', namespace: 'bench' },
    spec: {
      selector: { matchLabels: { app: 'ds' } },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '10%' } },
      template: { metadata: { labels: { app: 'ds' } }, spec: podSpec },
    },
  } as DaemonSet);
  const created = await timeUntil(rolledOut, t0);
  rows.push({ case: `DaemonSet created -> a Ready pod on each of ${NODES} nodes`, result: fmt(created), target: '', note: `server CPU ${(procCpu(child.pid!) - cpu0).toFixed(1)} s` });

  cpu0 = procCpu(child.pid!);
  t0 = performance.now();
  await dsApi.patch('ds', 'merge', { spec: { template: { spec: { containers: [{ name: 'app', image: 'agent:2', resources: podSpec.containers[0]!.resources }] } } } });
  const rolled = await timeUntil(rolledOut, t0);
  rows.push({
    case: `DaemonSet RollingUpdate across ${NODES} nodes, maxUnavailable 10%, ready delay 1 s`, result: fmt(rolled), target: '< 60 s',
    note: `until rollout status would say done; server CPU ${(procCpu(child.pid!) - cpu0).toFixed(1)} s`,
  });
} finally {
  client.close();
  child.kill('SIGTERM');
  await exited;
  rmSync(dataDir, { recursive: true, force: true });
}
console.table(rows);
