/**
 * The raw CRI floor of pod start on this machine, measured in this run against a private containerd
 * (the same setup the agent uses): RunPodSandbox, CreateContainer+StartContainer, RunPodSandbox to
 * container RUNNING, and to the first HTTP 200 from the pod IP; N sequential, then P in parallel.
 * Baseline in the same run: `ctr run --rm` of the same image (no CRI, no CNI).
 * The agent's pod-start benchmark compares against these numbers.
 *   node --import tsx bench/cri.bench.ts        (BENCH_N=10, BENCH_PARALLEL=10 by default)
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CRI_NAMESPACE } from '../src/agent/containerd/images.js';
import { BUSYBOX_IMAGE, startTestContainerd } from '../src/agent/testing/private-containerd.js';
import { quantile, removePod, startPod, type PodTimes } from './cri-floor.js';

const run = promisify(execFile);
const N = Number(process.env.BENCH_N ?? 10);
const PARALLEL = Number(process.env.BENCH_PARALLEL ?? 10);

const rows: string[][] = [];
function row(name: string, xs: number[]): void {
  rows.push([name, xs.length.toString(), quantile(xs, 0.5).toFixed(1), quantile(xs, 0.99).toFixed(1)]);
}

const tc = await startTestContainerd();
try {
  // Warm-up: first pod pays for snapshot and CNI bridge creation.
  const warm = await startPod(tc);
  await removePod(tc, warm.sid, warm.sc);

  const seqTimes: PodTimes[] = [];
  for (let i = 0; i < N; i++) {
    const p = await startPod(tc);
    seqTimes.push(p.times);
    await removePod(tc, p.sid, p.sc);
  }
  row('CRI RunPodSandbox (netns + CNI + pause)', seqTimes.map((t) => t.sandbox));
  row('CRI CreateContainer + StartContainer', seqTimes.map((t) => t.createStart));
  row('CRI RunPodSandbox -> container RUNNING', seqTimes.map((t) => t.toRunning));
  row('CRI RunPodSandbox -> first HTTP 200', seqTimes.map((t) => t.toHttp));

  const t0 = performance.now();
  const pods = await Promise.all(Array.from({ length: PARALLEL }, () => startPod(tc)));
  const wall = performance.now() - t0;
  row(`parallel x${PARALLEL}: each pod -> RUNNING`, pods.map((p) => p.times.toRunning));
  rows.push([`parallel x${PARALLEL}: all RUNNING + HTTP 200 (wall)`, '1', wall.toFixed(1), wall.toFixed(1)]);
  for (const p of pods) await removePod(tc, p.sid, p.sc);

  // Baseline without CRI/CNI: containerd's own client runs the same image.
  const ctrTimes: number[] = [];
  for (let i = 0; i < N; i++) {
    const t = performance.now();
    await run('ctr', ['-n', CRI_NAMESPACE, '--address', tc.handle.socket, 'run', '--rm', BUSYBOX_IMAGE, `${tc.prefix}-ctr-${i}`, 'true']);
    ctrTimes.push(performance.now() - t);
  }
  row('baseline: ctr run --rm busybox true', ctrTimes);
} finally {
  await tc.teardown();
}

const header = ['path', 'n', 'median ms', 'p99 ms'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (r: string[]) => `| ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
console.log(line(header));
console.log(`|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
for (const r of rows) console.log(line(r));
