/**
 * Client and informer benchmark against an in-process API server (memory store): ConfigMap creates
 * per second through `KubeClient` at concurrency 1 and 64 (server and client share one event loop, so
 * these are end-to-end numbers), the time for a fresh informer to list 5,000 objects, and how long
 * after a burst of 1,000 creates its handler has seen them all. The baseline, measured in the same run against
 * the same server, is the official JavaScript client (@kubernetes/client-node 1.4: CoreV1Api and its
 * ListWatch informer) doing the same work.
 * Run: node --import tsx bench/client.bench.ts
 * Target: creates/s above the baseline (keep-alive pool); informer sync of 5,000 objects < 1 s;
 * burst fully seen within a few ms of the last create.
 */
import * as k8s from '@kubernetes/client-node';
import { KubeClient } from '../src/client/kube-client.js';
import { resources } from '../src/client/resource-ref.js';
import { SharedInformerFactory } from '../src/controller-runtime/informer/informer-factory.js';
import { startTestServer } from '../src/testing/test-cluster.js';
import { quietLogger } from '../src/testing/quiet-logger.js';

const ts = await startTestServer();
const ours = KubeClient.fromKubeconfig(ts.kubeconfig);
const kc = new k8s.KubeConfig();
kc.loadFromFile(ts.kubeconfig);
const theirs = kc.makeApiClient(k8s.CoreV1Api);

async function ensureNamespace(name: string): Promise<void> {
  await ours.namespaces().create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
}

const body = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { app: 'bench' } }, data: { key: 'x'.repeat(200) } });

async function rate(total: number, concurrency: number, create: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < total) await create(next++);
  }));
  return total / ((performance.now() - start) / 1000);
}

const rows: { name: string; ours: string; baseline: string }[] = [];
for (const [concurrency, total] of [[1, 500], [64, 5000]] as const) {
  const nsA = `bench-ours-c${concurrency}`;
  const nsB = `bench-base-c${concurrency}`;
  await ensureNamespace(nsA);
  await ensureNamespace(nsB);
  const a = await rate(total, concurrency, (i) => ours.configMaps(nsA).create(body(`cm-${i}`)));
  const b = await rate(total, concurrency, (i) => theirs.createNamespacedConfigMap({ namespace: nsB, body: body(`cm-${i}`) }));
  rows.push({ name: `creates/s, concurrency ${concurrency}`, ours: a.toFixed(0), baseline: b.toFixed(0) });
}

// Informers: both sync the same 5,000 objects, then both watch one burst of 1,000 creates; the
// burst's completion time for each is when its handler has seen the last new object.
const ns = 'bench-ours-c64';
let t0 = performance.now();
const factory = new SharedInformerFactory(ours, { logger: quietLogger });
const inf = factory.informerFor(resources.configmaps, { namespace: ns });
let added = 0;
let oursDone = 0;
inf.addEventHandler({ onAdd: () => { if (++added === 6000) oursDone = performance.now(); } });
factory.start();
await factory.waitForCacheSync();
const oursSync = performance.now() - t0;

t0 = performance.now();
const li = k8s.makeInformer(kc, `/api/v1/namespaces/${ns}/configmaps`, () => theirs.listNamespacedConfigMap({ namespace: ns }));
let baseAdded = 0;
let baseDone = 0;
li.on('add', () => { if (++baseAdded === 6000) baseDone = performance.now(); });
await li.start();
const baseSync = performance.now() - t0;
rows.push({ name: 'informer sync of 5,000 objects (ms)', ours: oursSync.toFixed(0), baseline: baseSync.toFixed(0) });

await rate(1000, 64, (i) => ours.configMaps(ns).create(body(`burst-${i}`)));
const created = performance.now();
while (!oursDone || !baseDone) await new Promise((r) => setTimeout(r, 1));
rows.push({
  name: 'last of 1,000 creates seen, after the last create returned (ms)',
  ours: Math.max(0, oursDone - created).toFixed(1),
  baseline: Math.max(0, baseDone - created).toFixed(1),
});

await factory.stop();
await li.stop();
ours.close();
await ts.stop();

console.log('| measurement | Bosun client | @kubernetes/client-node (baseline) |');
console.log('|---|---:|---:|');
for (const r of rows) console.log(`| ${r.name} | ${r.ours} | ${r.baseline} |`);
