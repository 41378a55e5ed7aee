/**
 * Custom resources against a built-in kind of similar size, same server, same run: creates per second
 * (and server CPU per create) of a custom kind whose CRD has a 50-field spec schema (strings with
 * maxLength and patterns, bounded integers, booleans, enums) and 5 x-kubernetes-validations CEL rules,
 * beside ConfigMaps with 50 data keys of the same values. Rounds alternate between the two kinds so
 * that load from the rest of the machine falls on both alike; the best round of each is reported.
 * Run: node --import tsx bench/crd.bench.ts      Target: custom kind >= 0.7x the built-in.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RawClient } from '../src/testing/raw-client.js';
import { spawnServer } from '../src/testing/test-cluster.js';
import { eventually } from '../src/testing/eventually.js';
import { processCpuMs } from './proc-stats.js';

const NS = 'default';
const PER_ROUND = 1500;
const ROUNDS = 3;
const CONCURRENCY = 16;

function fieldSchema(i: number): [string, object] {
  if (i < 30) return [`s${i}`, { type: 'string', maxLength: 64, ...(i % 3 === 0 ? { pattern: '^[a-z0-9-]+$' } : {}) }];
  if (i < 40) return [`n${i}`, { type: 'integer', minimum: 0, maximum: 1_000_000 }];
  if (i < 45) return [`b${i}`, { type: 'boolean' }];
  return [`e${i}`, { type: 'string', enum: ['alpha', 'beta', 'gamma', 'delta'] }];
}

function fieldValue(i: number, seq: number): [string, unknown] {
  if (i < 30) return [`s${i}`, `value-${i}-${seq % 1000}`];
  if (i < 40) return [`n${i}`, (i * 1000 + seq) % 1_000_000];
  if (i < 45) return [`b${i}`, i % 2 === 0];
  return [`e${i}`, ['alpha', 'beta', 'gamma', 'delta'][i % 4]];
}

const crd = {
  apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'benchthings.bench.example.com' },
  spec: {
    group: 'bench.example.com', scope: 'Namespaced', names: { plural: 'benchthings', singular: 'benchthing', kind: 'BenchThing' },
    versions: [{
      name: 'v1', served: true, storage: true,
      schema: {
        openAPIV3Schema: {
          type: 'object',
          properties: {
            spec: {
              type: 'object',
              properties: Object.fromEntries(Array.from({ length: 50 }, (_, i) => fieldSchema(i))),
              'x-kubernetes-validations': [
                { rule: 'self.n30 <= self.n39 + 1000000', message: 'n30 must not exceed n39 by a million' },
                { rule: 'self.s0.size() < 64', message: 's0 too long' },
                { rule: '!self.b40 || self.n31 >= 0', message: 'n31 must be positive when b40' },
                { rule: 'self.s1.startsWith("value")', message: 's1 must start with value' },
                { rule: "self.e45 in ['alpha', 'beta', 'gamma', 'delta']", message: 'bad e45' },
              ],
            },
          },
        },
      },
    }],
  },
};

function customBody(name: string, seq: number): string {
  return JSON.stringify({ apiVersion: 'bench.example.com/v1', kind: 'BenchThing', metadata: { name }, spec: Object.fromEntries(Array.from({ length: 50 }, (_, i) => fieldValue(i, seq))) });
}

function configMapBody(name: string, seq: number): string {
  return JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: Object.fromEntries(Array.from({ length: 50 }, (_, i) => { const [k, v] = fieldValue(i, seq); return [k, String(v)]; })) });
}

const cpuMs = processCpuMs;

let seq = 0;
async function round(c: RawClient, pid: number, path: string, body: (name: string, seq: number) => string): Promise<{ perSec: number; cpuPerCreate: number }> {
  let next = 0;
  const cpu0 = cpuMs(pid);
  const start = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < PER_ROUND) {
      next++;
      const n = seq++;
      const r = await c.request(path, { method: 'POST', body: body(`bench-${n}`, n) });
      if (r.status !== 201) throw new Error(`create on ${path} failed: ${r.status} ${r.body}`);
    }
  }));
  const secs = (performance.now() - start) / 1000;
  return { perSec: PER_ROUND / secs, cpuPerCreate: (cpuMs(pid) - cpu0) / PER_ROUND };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bosun-crd-bench-'));
  const server = await spawnServer({ dataDir: join(dir, 'data'), useDist: process.env.BENCH_DIST !== '0', extraArgs: ['--disable-agent', '--disable-scheduler', '--disable-controller-manager'] });
  const c = new RawClient(server.url, server.dataDir);
  const pid = server.child.pid!;
  try {
    const made = await c.request('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', { method: 'POST', body: JSON.stringify(crd) });
    if (made.status !== 201) throw new Error(`CRD create failed: ${made.status} ${made.body}`);
    const customPath = `/apis/bench.example.com/v1/namespaces/${NS}/benchthings`;
    await eventually(async () => (await c.request(customPath)).status === 200, 'the custom kind served');
    const bad = await c.request(customPath, { method: 'POST', body: customBody('bad', 0).replace('"value-1-0"', '"nope"') });
    if (bad.status !== 422) throw new Error(`a CEL rule did not refuse: ${bad.status} ${bad.body}`);
    const cmPath = `/api/v1/namespaces/${NS}/configmaps`;
    // Warm-up: JIT, connections, the store's first pages.
    await round(c, pid, cmPath, configMapBody);
    await round(c, pid, customPath, customBody);
    const cm: { perSec: number; cpuPerCreate: number }[] = [];
    const custom: { perSec: number; cpuPerCreate: number }[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      cm.push(await round(c, pid, cmPath, configMapBody));
      custom.push(await round(c, pid, customPath, customBody));
    }
    const best = (rs: { perSec: number; cpuPerCreate: number }[]) => ({ perSec: Math.max(...rs.map((r) => r.perSec)), cpuPerCreate: Math.min(...rs.map((r) => r.cpuPerCreate)) });
    const b = best(cm);
    const x = best(custom);
    const rows = [
      ['creates/s, c=16', x.perSec.toFixed(0), b.perSec.toFixed(0), ''],
      ['server CPU ms per create', x.cpuPerCreate.toFixed(3), b.cpuPerCreate.toFixed(3), ''],
      ['custom / built-in creates/s', (x.perSec / b.perSec).toFixed(2), '1.00', '>= 0.7'],
      ['built-in / custom CPU per create', (b.cpuPerCreate / x.cpuPerCreate).toFixed(2), '1.00', '>= 0.7'],
    ];
    console.log(`${'metric'.padEnd(34)}  ${'custom (50 fields, 5 CEL)'.padStart(26)}  ${'ConfigMap (50 keys)'.padStart(20)}  target`);
    for (const [name, v, base, target] of rows) console.log(`${name!.padEnd(34)}  ${v!.padStart(26)}  ${base!.padStart(20)}  ${target}`);
  } finally {
    c.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
