/**
 * API server benchmark: pod creates per second and latency at concurrency 1 and 32 over HTTPS
 * keep-alive, p99 create latency at a steady 100 creates/s, watch delivery latency to 1,000
 * watchers, and server RSS with 10,000 pods stored. The baseline, measured in the same run, is raw
 * inserts of the same bytes into the same kind of SQLite database (WAL, synchronous=NORMAL, one
 * transaction per insert) without HTTP, JSON handling or validation.
 * The server runs as the API server alone (`--disable-scheduler --disable-controller-manager`, as
 * k3s names them), since this measures the API server and its store; one extra row measures creates
 * against the whole control plane, where with no nodes every pod also costs the scheduler a
 * FailedScheduling status write and event.
 * Run: node --import tsx bench/apiserver.bench.ts
 * Targets: >= 2,000 creates/s at c=32; p99 < 20 ms at 100/s; watch p99 < 100 ms; RSS < 300 MB.
 * The load generator shares the machine with the server: on a busy machine throughput and latency
 * mostly measure contention, so the server's CPU time per create is reported too (machine-independent
 * of load: what one core could sustain).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { RawClient } from '../src/testing/raw-client.js';
import { spawnServer } from '../src/testing/test-cluster.js';
import { processCpuMs, rssKiB } from './proc-stats.js';

const NS = 'default';
const podsPath = `/api/v1/namespaces/${NS}/pods`;

function podBody(name: string): string {
  return JSON.stringify({
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, labels: { app: 'bench', tier: 'web' } },
    spec: { containers: [{ name: 'main', image: 'registry.local/bench:1.0', ports: [{ containerPort: 8080 }], env: [{ name: 'MODE', value: 'bench' }] }] },
  });
}

function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

interface Row { name: string; value: string; baseline: string; target: string }
const rows: Row[] = [];
let seq = 0;

async function createPods(c: RawClient, total: number, concurrency: number): Promise<{ perSec: number; lat: number[] }> {
  const lat: number[] = [];
  let next = 0;
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < total) {
      next++;
      const body = podBody(`bench-${seq++}`);
      const t0 = performance.now();
      const r = await c.request(podsPath, { method: 'POST', body });
      lat.push(performance.now() - t0);
      if (r.status !== 201) throw new Error(`create failed: ${r.status} ${r.body}`);
    }
  }));
  const secs = (performance.now() - start) / 1000;
  return { perSec: total / secs, lat: lat.sort((a, b) => a - b) };
}

async function steadyRate(c: RawClient, perSec: number, seconds: number): Promise<number[]> {
  const lat: number[] = [];
  const interval = 1000 / perSec;
  const start = performance.now();
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < perSec * seconds; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    inflight.push((async () => {
      const t0 = performance.now();
      const r = await c.request(podsPath, { method: 'POST', body: podBody(`bench-${seq++}`) });
      lat.push(performance.now() - t0);
      if (r.status !== 201) throw new Error(`create failed: ${r.status}`);
    })());
  }
  await Promise.all(inflight);
  return lat.sort((a, b) => a - b);
}

async function watchLatency(url: string, dataDir: string, watchers: number, events: number, serverCpu: () => number): Promise<{ lat: number[]; cpuPerEvent: number }> {
  const pki = join(dataDir, 'pki');
  const agent = new Agent({ keepAlive: true, maxSockets: watchers + 10, ca: readFileSync(join(pki, 'ca.crt')), cert: readFileSync(join(pki, 'admin.crt')), key: readFileSync(join(pki, 'admin.key')) });
  const c = new RawClient(url, dataDir);
  const rv = (await c.request(`${podsPath}?limit=1`)).json.metadata.resourceVersion as string;
  const sentAt = new Map<string, number>();
  const lat: number[] = [];
  let ready = 0;
  const reqs = Array.from({ length: watchers }, () => new Promise<ReturnType<typeof request>>((resolve, reject) => {
    const req = request(new URL(`${podsPath}?watch=true&resourceVersion=${rv}&labelSelector=watch%3Dyes`, url), { agent }, (res) => {
      ready++;
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        buf += d;
        let i: number;
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          const ev = JSON.parse(line);
          const t = sentAt.get(ev.object?.metadata?.name);
          if (ev.type === 'ADDED' && t !== undefined) lat.push(performance.now() - t);
        }
      });
      res.on('error', () => undefined);
    });
    req.on('error', reject);
    req.end();
    resolve(req);
  }));
  const all = await Promise.all(reqs);
  while (ready < watchers) await new Promise((r) => setTimeout(r, 20));
  const cpu0 = serverCpu();
  for (let i = 0; i < events; i++) {
    const name = `watched-${i}`;
    const body = JSON.parse(podBody(name));
    body.metadata.labels.watch = 'yes';
    sentAt.set(name, performance.now());
    await c.request(podsPath, { method: 'POST', body: JSON.stringify(body) });
    await new Promise((r) => setTimeout(r, 50));
  }
  const deadline = Date.now() + 10_000;
  while (lat.length < watchers * events && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const cpuPerEvent = (serverCpu() - cpu0) / events;
  for (const r of all) r.destroy();
  agent.destroy();
  c.close();
  if (lat.length < watchers * events) console.error(`watch: only ${lat.length} of ${watchers * events} deliveries arrived`);
  return { lat: lat.sort((a, b) => a - b), cpuPerEvent };
}

const cpuMs = processCpuMs;
const rssMb = (pid: number): number => rssKiB(pid) / 1024;

/** Baseline: the same bytes straight into SQLite, one transaction each, kine-like table. */
function sqliteBaseline(dir: string, total: number): { perSec: number; lat: number[] } {
  const db = new Database(join(dir, 'baseline.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE kv (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, created INTEGER, deleted INTEGER, prev_revision INTEGER, value TEXT, old_value TEXT)');
  db.exec('CREATE INDEX kv_name ON kv (name, id)');
  const insert = db.prepare('INSERT INTO kv (name, created, deleted, prev_revision, value) VALUES (?, 1, 0, 0, ?)');
  const lat: number[] = [];
  const start = performance.now();
  for (let i = 0; i < total; i++) {
    const t0 = performance.now();
    insert.run(`/registry/core/pods/${NS}/base-${i}`, podBody(`base-${i}`));
    lat.push(performance.now() - t0);
  }
  const perSec = total / ((performance.now() - start) / 1000);
  db.close();
  return { perSec, lat: lat.sort((a, b) => a - b) };
}

const fmt = (n: number, d = 1): string => n.toFixed(d);

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bosun-bench-'));
  // Removed however the run ends, a server that failed to start included.
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const useDist = process.env.BENCH_DIST !== '0';
  const server = await spawnServer({ dataDir: join(dir, 'data'), useDist, extraArgs: ['--disable-agent', '--disable-scheduler', '--disable-controller-manager'] });
  const c = new RawClient(server.url, server.dataDir);
  try {
    await createPods(c, 200, 8); // warm up
    const base1 = sqliteBaseline(dir, 5000);
    const c1 = await createPods(c, 1000, 1);
    rows.push({ name: 'creates/s, c=1', value: fmt(c1.perSec, 0), baseline: fmt(base1.perSec, 0), target: '' });
    rows.push({ name: 'create p50 / p99 ms, c=1', value: `${fmt(pct(c1.lat, 50), 2)} / ${fmt(pct(c1.lat, 99), 2)}`, baseline: `${fmt(pct(base1.lat, 50), 3)} / ${fmt(pct(base1.lat, 99), 3)}`, target: '' });
    const cpu0 = cpuMs(server.child.pid!);
    const c32 = await createPods(c, 4000, 32);
    const cpuPerCreate = (cpuMs(server.child.pid!) - cpu0) / 4000;
    rows.push({ name: 'creates/s, c=32', value: fmt(c32.perSec, 0), baseline: fmt(base1.perSec, 0), target: '>= 2000' });
    rows.push({ name: 'server CPU ms per create (c=32)', value: fmt(cpuPerCreate, 3), baseline: fmt(1000 / base1.perSec, 3), target: '' });
    rows.push({ name: 'creates/s one server core could do', value: fmt(1000 / cpuPerCreate, 0), baseline: '', target: '>= 2000' });
    rows.push({ name: 'create p50 / p99 ms, c=32', value: `${fmt(pct(c32.lat, 50), 2)} / ${fmt(pct(c32.lat, 99), 2)}`, baseline: '', target: '' });
    const steady = await steadyRate(c, 100, 10);
    rows.push({ name: 'create p99 ms at 100/s', value: fmt(pct(steady, 99), 2), baseline: fmt(pct(base1.lat, 99), 3), target: '< 20' });
    const have = (await c.request(podsPath)).json.items.length as number;
    if (have < 10_000) await createPods(c, 10_000 - have, 32);
    const count = (await c.request(podsPath)).json.items.length as number;
    await new Promise((r) => setTimeout(r, 1000));
    rows.push({ name: `server RSS MB with ${count} pods`, value: fmt(rssMb(server.child.pid!)), baseline: '', target: '< 300' });
    const pid = server.child.pid!;
    const w = await watchLatency(server.url, server.dataDir, 1000, 10, () => cpuMs(pid));
    rows.push({ name: 'watch delivery p50 / p99 ms, 1000 watchers', value: `${fmt(pct(w.lat, 50))} / ${fmt(pct(w.lat, 99))}`, baseline: '', target: 'p99 < 100' });
    rows.push({ name: 'server CPU ms per event to 1000 watchers', value: fmt(w.cpuPerEvent, 1), baseline: '', target: '' });
  } finally {
    c.close();
    await server.stop();
  }
  // The whole control plane (scheduler and controllers too) on a fresh data dir.
  const full = await spawnServer({ dataDir: join(dir, 'full'), useDist });
  const fc = new RawClient(full.url, full.dataDir);
  try {
    await createPods(fc, 200, 8);
    const cpu0 = cpuMs(full.child.pid!);
    const r = await createPods(fc, 4000, 32);
    const cpuPerCreate = (cpuMs(full.child.pid!) - cpu0) / 4000;
    rows.push({ name: 'creates/s, c=32, whole control plane', value: fmt(r.perSec, 0), baseline: '', target: '' });
    rows.push({ name: 'server CPU ms per create, whole control plane', value: fmt(cpuPerCreate, 3), baseline: '', target: '' });
  } finally {
    fc.close();
    await full.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const w0 = Math.max(...rows.map((r) => r.name.length), 6);
  const w1 = Math.max(...rows.map((r) => r.value.length), 5);
  const w2 = Math.max(...rows.map((r) => r.baseline.length), 24);
  console.log(`${'metric'.padEnd(w0)}  ${'bosun'.padStart(w1)}  ${'baseline (raw sqlite insert)'.padStart(w2)}  target`);
  for (const r of rows) console.log(`${r.name.padEnd(w0)}  ${r.value.padStart(w1)}  ${r.baseline.padStart(w2)}  ${r.target}`);
}

await main();
