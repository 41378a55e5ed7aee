/**
 * Store benchmark: SQLite store creates (1 KiB JSON values) at concurrency 1 and 32 beside the
 * baseline of raw better-sqlite3 INSERTs of the same bytes into a plain table (one autocommit
 * transaction each, same WAL/synchronous=NORMAL settings), measured in the same run; and watch
 * fan-out: time from a create's call until all 1,000 watchers on its prefix received the event.
 * When /usr/bin/etcd is installed, the etcd store's creates (against a private etcd with its
 * default fsync) are further rows of the same table, over STORE_BENCH_ETCD_N writes (default 2,000).
 * Run: node --import tsx bench/store.bench.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { SqliteStore } from '../src/store/sqlite.js';
import type { Store, StoreEvent } from '../src/store/types.js';
import { EtcdStore } from '../src/store/etcd.js';
import { etcdAvailable, startEtcd } from '../src/store/testing/etcd-server.js';

const N = Number(process.env.STORE_BENCH_N ?? 20_000);
const dir = mkdtempSync(join(tmpdir(), 'bosun-store-bench-'));

function podJson(i: number): string {
  const base = { apiVersion: 'v1', kind: 'Pod', metadata: { name: `web-${i}`, namespace: 'default', uid: `uid-${i}` }, spec: { pad: '' } };
  const s = JSON.stringify(base);
  base.spec.pad = 'x'.repeat(1024 - s.length);
  return JSON.stringify(base);
}
const values = Array.from({ length: N }, (_, i) => podJson(i));

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
}

interface Row {
  case: string;
  'ops/s': number;
  'p50 ms': number;
  'p99 ms': number;
  'CPU µs/op': number;
}

function row(name: string, lat: number[], wallMs: number, cpuUs: number, n: number): Row {
  lat.sort((a, b) => a - b);
  return {
    case: name,
    'ops/s': Math.round((n / wallMs) * 1000),
    'p50 ms': +pct(lat, 50).toFixed(3),
    'p99 ms': +pct(lat, 99).toFixed(3),
    'CPU µs/op': +(cpuUs / n).toFixed(1),
  };
}

function cpuNow(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

function rawInserts(): Row {
  const db = new Database(join(dir, 'raw.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL, value TEXT NOT NULL)');
  const ins = db.prepare('INSERT INTO t (name, value) VALUES (?, ?)');
  const lat: number[] = [];
  const c0 = cpuNow();
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    const s = performance.now();
    ins.run(`/registry/pods/default/web-${i}`, values[i]);
    lat.push(performance.now() - s);
  }
  const r = row('raw better-sqlite3 INSERT (baseline)', lat, performance.now() - t0, cpuNow() - c0, N);
  db.close();
  return r;
}

async function storeCreates(concurrency: number): Promise<Row> {
  const store = new SqliteStore({ path: join(dir, `store-${concurrency}.sqlite`) });
  return creates(store, `sqlite store create, concurrency ${concurrency}`, concurrency, N);
}

async function creates(store: Store, name: string, concurrency: number, n: number): Promise<Row> {
  const lat: number[] = [];
  let next = 0;
  const c0 = cpuNow();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++;
        const s = performance.now();
        await store.create(`/registry/pods/default/web-${i}`, values[i]);
        lat.push(performance.now() - s);
      }
    }),
  );
  const r = row(name, lat, performance.now() - t0, cpuNow() - c0, n);
  await store.close();
  return r;
}

/** etcd store creates at concurrency 1 and 32 against a private etcd; none without the binary. */
async function etcdCreates(): Promise<Row[]> {
  if (!etcdAvailable()) {
    console.log('etcd rows skipped: /usr/bin/etcd is not installed');
    return [];
  }
  const n = Math.min(N, Number(process.env.STORE_BENCH_ETCD_N ?? 2_000));
  const server = await startEtcd();
  try {
    const rows: Row[] = [];
    for (const c of [1, 32]) {
      const store = new EtcdStore({ endpoints: [server.endpoint], prefix: `/bench-${c}`, revisionPollInterval: 0 });
      await store.ready();
      rows.push(await creates(store, `etcd store create, concurrency ${c} (${n} writes)`, c, n));
    }
    return rows;
  } finally {
    await server.stop();
  }
}

async function fanOut(watchers: number, writes: number): Promise<Record<string, number | string>> {
  const store = new SqliteStore({ path: join(dir, 'fanout.sqlite') });
  let pending = 0;
  let done: (() => void) | undefined;
  const onEvents = (evs: StoreEvent[]): void => {
    pending -= evs.length;
    if (pending === 0) done?.();
  };
  const handles = Array.from({ length: watchers }, () => store.watch('/registry/pods/', 0, { onEvents }));
  const lat: number[] = [];
  const c0 = cpuNow();
  for (let i = 0; i < writes; i++) {
    const all = new Promise<void>((r) => (done = r));
    pending = watchers;
    const s = performance.now();
    await store.create(`/registry/pods/default/fan-${i}`, values[i % N]);
    await all;
    lat.push(performance.now() - s);
  }
  const cpu = cpuNow() - c0;
  for (const h of handles) h.cancel();
  await store.close();
  lat.sort((a, b) => a - b);
  return {
    case: `create -> delivered to all ${watchers} watchers`,
    'p50 ms': +pct(lat, 50).toFixed(3),
    'p99 ms': +pct(lat, 99).toFixed(3),
    'CPU µs/delivery': +(cpu / (writes * watchers)).toFixed(2),
  };
}

try {
  const raw = rawInserts();
  const seq = await storeCreates(1);
  const c32 = await storeCreates(32);
  console.log(`Store creates: ${N} x ~1 KiB JSON values`);
  const etcd = await etcdCreates();
  console.table([raw, seq, c32, ...etcd]);
  console.log('Watch fan-out (1,000 watchers on /registry/pods/)');
  console.table([await fanOut(1000, 200)]);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
