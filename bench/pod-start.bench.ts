/**
 * Pod start latency and node overhead, on real containers:
 * - latency from the API create to the pod Running and Ready as seen through a watch, for 20 pods one
 *   after another and 20 at once, on `bosun server` (compiled binary, embedded node);
 * - beside the raw CRI floor measured in the same run, interleaved with it so both see the same load
 *   (RunPodSandbox to container RUNNING, the same image, on a private containerd; bench/cri-floor.ts);
 * - memory and CPU with 20 idle pods over 30 s: the `bosun server` process (control plane AND
 *   embedded agent share it), and a standalone `bosun agent` process joined to a `bosun server
 *   --disable-agent`; each beside its containerd's RSS.
 * The standalone agent is measured twice: with its metrics (resource sampling every 10 s, Prometheus
 * instrumentation), and with them off (BOSUN_AGENT_METRICS=0) as the baseline.
 * Targets: p50 within 1.5x of the CRI floor and p99 < 500 ms one after another; agent < 60 MB RSS
 * and < 1% of a core with 20 idle pods, metrics on.
 *   node --import tsx bench/pod-start.bench.ts   (after npm run build; BENCH_PODS=20, BENCH_IDLE_S=30,
 *   BENCH_STANDALONE=0 skips the standalone agent, BENCH_SERVER=0 the embedded-node parts)
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { Node, Pod } from '../src/api/kinds/index.js';
import { KubeClient } from '../src/client/index.js';
import { deleteLink } from '../src/agent/testing/host-state.js';
import { BUSYBOX_IMAGE, startTestContainerd } from '../src/agent/testing/private-containerd.js';
import { cleanupNodeState } from '../src/testing/node-state-cleanup.js';
import { BOSUN_BIN, startNodeServer, waitFor, type NodeServer } from '../src/testing/node-server.js';
import { quantile, removePod, startPod } from './cri-floor.js';
import { masqTableFor } from '../src/cluster/host-resources.js';
import { policyTableFor } from '../src/network-policy/enforcer.js';

const PODS = Number(process.env.BENCH_PODS ?? 20);
const IDLE_S = Number(process.env.BENCH_IDLE_S ?? 30);
const STANDALONE = process.env.BENCH_STANDALONE !== '0';
const SERVER = process.env.BENCH_SERVER !== '0';
const NS = 'default';
const CLK_TCK = 100; // Linux USER_HZ on every mainstream architecture.

const rows: string[][] = [];
const ms = (x: number) => x.toFixed(0);
const progress = (m: string) => process.stderr.write(`pod-start: ${m}\n`);
function latencyRow(name: string, xs: number[], target = ''): void {
  rows.push([name, String(xs.length), ms(quantile(xs, 0.5)), ms(quantile(xs, 0.99)), target]);
}

function podManifest(name: string): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { bench: 'pod-start' } },
    spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'web', image: BUSYBOX_IMAGE }] },
  } as Pod;
}

const isReady = (p: Pod) => p.status?.phase === 'Running' && !!p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');

/** Watches the namespace's pods; `ready(name)` resolves with the time the watch first saw it Ready. */
async function readyWatcher(client: KubeClient) {
  const seen = new Map<string, number>();
  const gone = new Set<string>();
  const waiters = new Map<string, (t: number) => void>();
  const list = await client.pods<Pod>(NS).list();
  const watch = await client.pods<Pod>(NS).watch({ resourceVersion: list.metadata?.resourceVersion });
  void (async () => {
    for await (const ev of watch) {
      const name = ev.object.metadata?.name ?? '';
      if (ev.type === 'DELETED') gone.add(name);
      if ((ev.type === 'ADDED' || ev.type === 'MODIFIED') && isReady(ev.object) && !seen.has(name)) {
        const t = performance.now();
        seen.set(name, t);
        waiters.get(name)?.(t);
      }
    }
  })();
  return {
    ready: (name: string) => new Promise<number>((resolve, reject) => {
      if (seen.has(name)) return resolve(seen.get(name)!);
      const timer = setTimeout(() => reject(new Error(`pod ${name} not Ready within 120 s`)), 120_000);
      waiters.set(name, (t) => {
        clearTimeout(timer);
        resolve(t);
      });
    }),
    gone: (name: string) => gone.has(name),
    stop: () => watch.stop(),
  };
}

/** Creates the pod and returns ms from just before the create request to Ready seen on the watch. */
async function timedStart(client: KubeClient, w: Awaited<ReturnType<typeof readyWatcher>>, name: string): Promise<number> {
  const t0 = performance.now();
  await client.pods<Pod>(NS).create(podManifest(name));
  return (await w.ready(name)) - t0;
}

function procStat(pid: number): { cpuTicks: number; rssKiB: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const rss = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return { cpuTicks: Number(f[11]) + Number(f[12]), rssKiB: Number(rss) };
}

/** Mean RSS (MiB) and CPU (% of one core) of each pid over `seconds`, sampling RSS every second. */
async function measureIdle(pids: number[], seconds: number): Promise<Array<{ rssMiB: number; maxRssMiB: number; cpuPct: number }>> {
  const start = pids.map(procStat);
  const rss: number[][] = pids.map(() => []);
  const t0 = performance.now();
  for (let i = 0; i < seconds; i++) {
    await new Promise((r) => setTimeout(r, 1000));
    pids.forEach((p, j) => rss[j]!.push(procStat(p).rssKiB));
  }
  const wallS = (performance.now() - t0) / 1000;
  return pids.map((p, j) => ({
    rssMiB: rss[j]!.reduce((a, b) => a + b, 0) / rss[j]!.length / 1024,
    maxRssMiB: Math.max(...rss[j]!) / 1024,
    cpuPct: ((procStat(p).cpuTicks - start[j]!.cpuTicks) / CLK_TCK / wallS) * 100,
  }));
}

function containerdPid(containerdDir: string): number {
  return Number(readFileSync(join(containerdDir, 'containerd.pid'), 'utf8').trim().split(/\s+/)[0]);
}

async function startIdlePods(client: KubeClient, w: Awaited<ReturnType<typeof readyWatcher>>, prefix: string): Promise<void> {
  await Promise.all(Array.from({ length: PODS }, (_, i) => timedStart(client, w, `${prefix}-${i}`)));
}

function resourceRows(what: string, m: { rssMiB: number; maxRssMiB: number; cpuPct: number }, target: string): void {
  rows.push([`${what}: RSS MiB (mean/max)`, '', m.rssMiB.toFixed(1), m.maxRssMiB.toFixed(1), target.split('|')[0] ?? '']);
  rows.push([`${what}: CPU % of a core`, '', m.cpuPct.toFixed(2), '', target.split('|')[1] ?? '']);
}

// 1. and 2. The raw CRI floor (a private containerd) and bosun server with its embedded node, measured
// interleaved (a floor pod, then a bosun pod; the floor 20 at once, then bosun 20 at once) so that
// both see the same machine load. Every pod is kept until the idle measurement, as a node's would be.
let node: NodeServer | undefined;
const tc = SERVER ? await startTestContainerd({ busybox: true }) : undefined;
const floorPods: Awaited<ReturnType<typeof startPod>>[] = [];
if (tc) try {
  node = await startNodeServer();
  const client = KubeClient.fromKubeconfig(node.kubeconfig);
  const w = await readyWatcher(client);
  try {
    // Warm-up: the first pod of each pays for the bridge and the snapshot.
    const warm = await startPod(tc);
    await removePod(tc, warm.sid, warm.sc);
    await timedStart(client, w, 'warm');

    const floorSeq: number[] = [];
    const seq: number[] = [];
    for (let i = 0; i < PODS; i++) {
      const f = await startPod(tc);
      floorPods.push(f);
      floorSeq.push(f.times.toRunning);
      seq.push(await timedStart(client, w, `seq-${i}`));
    }
    const floorPar = await Promise.all(Array.from({ length: PODS }, () => startPod(tc)));
    floorPods.push(...floorPar);
    const par = await Promise.all(Array.from({ length: PODS }, (_, i) => timedStart(client, w, `par-${i}`)));

    latencyRow(`CRI floor: RunPodSandbox -> RUNNING, ${PODS} one after another`, floorSeq);
    const ratio = quantile(seq, 0.5) / quantile(floorSeq, 0.5);
    latencyRow(`bosun: create -> Ready (watch), ${PODS} one after another`, seq,
      `p50 ${ratio.toFixed(2)}x floor (<= 1.5x ${ratio <= 1.5 ? 'ok' : 'MISSED'}); p99 < 500 ${quantile(seq, 0.99) < 500 ? 'ok' : 'MISSED'}`);
    latencyRow(`CRI floor: RunPodSandbox -> RUNNING, ${PODS} at once`, floorPar.map((p) => p.times.toRunning));
    latencyRow(`bosun: create -> Ready (watch), ${PODS} at once`, par);
    progress('pod starts measured; measuring idle');
    for (const f of floorPods.splice(0)) await removePod(tc, f.sid, f.sc);

    // Back to 20 idle pods (the sequential ones), then let the node settle.
    for (const name of ['warm', ...Array.from({ length: PODS }, (_, i) => `par-${i}`)]) await client.pods(NS).delete(name);
    await waitFor('deleted pods gone', () => ['warm', ...Array.from({ length: PODS }, (_, i) => `par-${i}`)].every(w.gone), 120_000, 200);
    await new Promise((r) => setTimeout(r, 5000));
    const [server, containerd] = await measureIdle([node.child.pid!, containerdPid(join(node.dataDir, 'node', 'containerd'))], IDLE_S);
    resourceRows(`bosun server (control plane + agent), ${PODS} idle pods, ${IDLE_S}s`, server!, 'none (targets: standalone agent)|');
    resourceRows('  its containerd', containerd!, '');
  } finally {
    w.stop();
    client.close();
  }
  const { exitCode, leftovers } = await node.stop();
  if (exitCode !== 0 || Object.values(leftovers).some((v) => (Array.isArray(v) ? v.length : v))) console.error('node left state behind:', exitCode, leftovers);
} finally {
  for (const f of floorPods) await removePod(tc, f.sid, f.sc).catch(() => undefined);
  await tc.teardown();
  await node?.forceCleanup();
}

// 3. A standalone agent process (the agent's own footprint), joined to a control-plane-only server.
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

for (const metrics of STANDALONE ? [true, false] : []) {
  let cp: NodeServer | undefined;
  let agent: ChildProcess | undefined;
  const agentDir = mkdtempSync('/tmp/bzagent-');
  const bridge = `bza${agentDir.slice(-6)}`;
  const nodeName = `${agentDir.slice(-6).toLowerCase()}-agent`;
  const cgroupRoot = `/bzagent${agentDir.slice(-6)}`;
  try {
    cp = await startNodeServer({ extraArgs: ['--disable-agent'], waitReady: false, importImages: false });
    const podCIDR = cp.podCIDR; // unused by the server without an agent
    let out = '';
    agent = spawn(process.execPath, [
      BOSUN_BIN, 'agent', '--server', cp.url, '--token-file', join(cp.dataDir, 'token'), '--data-dir', agentDir,
      '--node-name', nodeName, '--pod-cidr', podCIDR, '--agent-port', String(await freePort()), '--cluster-dns-port', '0',
      '--cgroup-root', cgroupRoot, '--cni-bridge', bridge, '--no-routes', '--proxy-table', bridge,
    ], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, BOSUN_AGENT_METRICS: metrics ? '1' : '0' } });
    agent.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    agent.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    await waitFor('bosun agent running', () => {
      if (agent!.exitCode !== null) throw new Error(`bosun agent exited: ${out}`);
      return out.includes('bosun: agent running');
    }, 60_000);
    await new Promise<void>((resolve, reject) => {
      const c = spawn(process.execPath, [BOSUN_BIN, 'images', 'import', join(process.cwd(), '.test-images', 'busybox.tar'), '--data-dir', agentDir], { stdio: 'inherit' });
      c.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`images import exited ${code}`))));
    });
    const client = KubeClient.fromKubeconfig(cp.kubeconfig);
    const w = await readyWatcher(client);
    try {
      await waitFor('agent node Ready', async () => {
        const n = await client.nodes<Node>().get(nodeName);
        return n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
      }, 60_000);
      await startIdlePods(client, w, 'idle');
      progress('standalone agent pods Ready; measuring idle');
      await new Promise((r) => setTimeout(r, 5000));
      const [a, c] = await measureIdle([agent.pid!, containerdPid(join(agentDir, 'containerd'))], IDLE_S);
      if (metrics) resourceRows(`bosun agent (standalone), ${PODS} idle pods, ${IDLE_S}s, metrics on`, a!, `< 60 ${a!.rssMiB < 60 ? 'ok' : 'MISSED'}|< 1 ${a!.cpuPct < 1 ? 'ok' : 'MISSED'}`);
      else resourceRows(`  baseline: the same agent with metrics off (BOSUN_AGENT_METRICS=0)`, a!, '');
      resourceRows('  its containerd', c!, '');
      for (let i = 0; i < PODS; i++) await client.pods(NS).delete(`idle-${i}`);
      await waitFor('idle pods gone', () => Array.from({ length: PODS }, (_, i) => `idle-${i}`).every(w.gone), 120_000, 200);
      await new Promise((r) => setTimeout(r, 3000)); // the agent removes the sandboxes after the API delete
    } finally {
      w.stop();
      client.close();
    }
  } finally {
    if (agent && agent.exitCode === null) {
      const exited = new Promise((r) => agent!.once('exit', r));
      agent.kill('SIGTERM');
      await exited;
    }
    await cleanupNodeState({ dataDir: agentDir, cgroupRoot });
    deleteLink(bridge);
    // A stopped agent leaves its Service and NetworkPolicy rules in place (as kube-proxy does); the bench removes them.
    for (const table of [bridge, masqTableFor(bridge), policyTableFor(bridge)]) spawnSync('nft', ['delete', 'table', 'ip', table], { stdio: 'ignore' });
    rmSync(agentDir, { recursive: true, force: true });
    await cp?.forceCleanup();
  }
}

const header = ['measure', 'n', 'p50 / mean', 'p99 / max', 'target'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (r: string[]) => `| ${r.map((c, i) => (i === 0 || i === 4 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
console.log(line(header));
console.log(`|${widths.map((w, i) => (i === 0 || i === 4 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
for (const r of rows) console.log(line(r));
