/**
 * Proxy benchmark: for 1,000 Services x 10 endpoints, the pure render, the first (full) apply and an
 * incremental apply with `nft -f` inside a throwaway network namespace; and the time from an
 * EndpointSlice change written to the API server until its rule is live in the kernel (polling
 * `nft list chain` of the Service's chain in the namespace), with the proxy running against an in-process API server.
 * Throughput: HTTP requests (a new connection each, the path NAT rules cost) through a ClusterIP
 * with the 1,000-Service table installed, beside the same load straight to the pod address.
 * Baselines measured in the same run: `nft -f` of an empty table (process + commit floor), one
 * `nft list chain` poll (the resolution of the change-to-live measurement), direct-to-pod throughput.
 * Targets (issue 5): sync under 1 s, change live under 1 s, ClusterIP throughput >= 90% of direct.
 * Run (root): node --import tsx bench/proxy.bench.ts
 */
import { performance } from 'node:perf_hooks';
import type { EndpointSlice } from '../src/api/kinds/discovery/endpoint-slice.js';
import type { KubeObject } from '../src/api/meta.js';
import { KubeClient } from '../src/client/kube-client.js';
import { resources } from '../src/client/resource-ref.js';
import { NftApplier } from '../src/proxy/apply/applier.js';
import { NftRunner } from '../src/controller-runtime/nft/nft-runner.js';
import { startProxy } from '../src/proxy/proxy.js';
import { ep, slice, svc } from '../src/proxy/render/fixtures.js';
import type { ProxyInput } from '../src/proxy/render/model.js';
import { serviceChain } from '../src/proxy/render/names.js';
import { renderRuleset } from '../src/proxy/render/ruleset.js';
import { createNetns, netnsUnavailable } from '../src/proxy/testing/netns.js';
import { startTestServer } from '../src/testing/test-cluster.js';
import { quietLogger } from '../src/testing/quiet-logger.js';

const SERVICES = Number(process.env.PROXY_BENCH_SERVICES ?? 1000);
const ENDPOINTS = Number(process.env.PROXY_BENCH_ENDPOINTS ?? 10);
const RUNS = Number(process.env.PROXY_BENCH_RUNS ?? 5);

const ipOf = (n: number): string => `10.${42 + (n >> 16)}.${(n >> 8) & 255}.${n & 255}`;

function input(shift = 0): ProxyInput {
  const services = [];
  const endpointSlices = [];
  for (let s = 0; s < SERVICES; s++) {
    const name = `svc-${s}`;
    services.push(svc(name, { clusterIP: `10.43.${(s + 2) >> 8}.${(s + 2) & 255}`, ports: [{ name: 'http', port: 80, protocol: 'TCP' }] }));
    const eps = Array.from({ length: ENDPOINTS }, (_, e) => ep(ipOf(s * ENDPOINTS + e + 1 + (s === 0 ? shift : 0)), `node-${e % 3}`));
    endpointSlices.push(slice(name, [{ name: 'http', port: 8080, protocol: 'TCP' }], eps));
  }
  return { services, endpointSlices, nodeName: 'node-0', nodeIPs: ['192.168.1.10'], clusterCidr: '10.42.0.0/16' };
}

function stats(xs: number[]): { p50: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  return { p50: +s[Math.floor(s.length / 2)]!.toFixed(1), max: +s[s.length - 1]!.toFixed(1) };
}

async function timed(f: () => Promise<unknown> | unknown): Promise<number> {
  const t = performance.now();
  await f();
  return performance.now() - t;
}

const HTTP_SERVER = `require('node:http').createServer((q, r) => r.end('ok')).listen(8080, '10.42.250.1', () => console.log('listening'))`;
const LOAD = `
const http = require('node:http');
const [host, port, ms, conc, localAddress] = process.argv.slice(1).map((v, i) => (i === 0 || i === 4 ? v : Number(v)));
let done = 0, failed = 0;
const end = Date.now() + ms;
function one() {
  if (Date.now() > end) return Promise.resolve();
  return new Promise((res) => {
    const req = http.get({ host, port, path: '/', agent: false, localAddress }, (r) => { r.resume(); r.on('end', () => { done++; res(); }); });
    req.on('error', () => { failed++; res(); });
  }).then(one);
}
Promise.all(Array.from({ length: conc }, one)).then(() => console.log(JSON.stringify({ done, failed })));
`;

/** Requests per second through the ClusterIP vs straight to the pod address, alternating runs. */
async function throughput(ns: ReturnType<typeof createNetns>, base: ProxyInput): Promise<Record<string, string | number>[]> {
  // Clients are other "pods": pod-to-Service traffic, neither masqueraded nor hairpin. Direct and
  // ClusterIP runs use different client addresses: after DNAT both would otherwise produce the same
  // connection tuples, and a new connection clashing with a lingering TIME_WAIT entry of the other
  // kind is dropped by conntrack (a 1 s SYN retransmit), which would measure the bench, not the path.
  ns.exec('ip', ['addr', 'add', '10.42.250.1/32', 'dev', 'lo']);
  ns.exec('ip', ['addr', 'add', '10.42.250.2/32', 'dev', 'lo']);
  ns.exec('ip', ['addr', 'add', '10.42.250.3/32', 'dev', 'lo']);
  ns.exec('ip', ['route', 'add', '10.43.0.0/16', 'dev', 'lo']);
  const server = ns.spawn(process.execPath, ['-e', HTTP_SERVER]);
  const applier = new NftApplier({ netns: ns.name });
  try {
    await new Promise<void>((resolve, reject) => {
      server.stdout!.on('data', (d: Buffer) => d.toString().includes('listening') && resolve());
      server.once('exit', () => reject(new Error('bench http server exited')));
    });
    await applier.apply(renderRuleset({
      ...base,
      services: [...base.services, svc('bench', { clusterIP: '10.43.250.250', ports: [{ name: 'http', port: 80, protocol: 'TCP' }] })],
      endpointSlices: [...base.endpointSlices, slice('bench', [{ name: 'http', port: 8080, protocol: 'TCP' }], [ep('10.42.250.1', 'node-0')])],
    }));
    const ms = Number(process.env.PROXY_BENCH_LOAD_MS ?? 3000);
    const run = (host: string, port: number, from: string): { rps: number; failed: number } => {
      const out = JSON.parse(ns.exec(process.execPath, ['-e', LOAD, host, String(port), String(ms), '16', from])) as { done: number; failed: number };
      return { rps: Math.round((out.done / ms) * 1000), failed: out.failed };
    };
    const direct: number[] = [];
    const viaService: number[] = [];
    const ratios: number[] = [];
    let failed = 0;
    // Alternate direct and ClusterIP rounds so background load hits both alike; report medians.
    for (let i = 0; i < Number(process.env.PROXY_BENCH_LOAD_ROUNDS ?? 5); i++) {
      const d = run('10.42.250.1', 8080, '10.42.250.2');
      const c = run('10.43.250.250', 80, '10.42.250.3');
      direct.push(d.rps);
      viaService.push(c.rps);
      ratios.push(c.rps / d.rps);
      failed += d.failed + c.failed;
    }
    const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
    return [
      { case: 'baseline: HTTP straight to the pod address (req/s)', runs: direct.length, 'p50 ms': '', 'max ms': '', note: `median ${median(direct)} req/s, new connection each` },
      { case: 'HTTP through the ClusterIP (req/s)', runs: viaService.length, 'p50 ms': '', 'max ms': '', note: `median ${median(viaService)} req/s; median ratio ${Math.round(median(ratios) * 100)}% of direct (target >= 90%); ${failed} failed` },
    ];
  } finally {
    server.kill('SIGKILL');
    await applier.remove();
  }
}

async function main(): Promise<void> {
  const why = netnsUnavailable();
  if (why) {
    console.log(`proxy bench skipped: ${why}`);
    return;
  }
  const rows: Record<string, string | number>[] = [];
  const row = (name: string, xs: number[], note = ''): void => {
    const { p50, max } = stats(xs);
    rows.push({ case: name, runs: xs.length, 'p50 ms': p50, 'max ms': max, note });
  };
  const ns = createNetns();
  try {
    const runner = new NftRunner({ netns: ns.name });
    const floor: number[] = [];
    for (let i = 0; i < RUNS * 2; i++) floor.push(await timed(() => runner.apply('add table ip bosunbase\ndelete table ip bosunbase\ntable ip bosunbase { }\n')));
    await runner.apply('delete table ip bosunbase');
    row('baseline: nft -f of an empty table', floor, 'process spawn + commit floor');

    const a = input(0);
    const b = input(1000);
    const renders: number[] = [];
    for (let i = 0; i < RUNS; i++) renders.push(await timed(() => renderRuleset(a)));
    const ra = renderRuleset(a);
    row(`render ${SERVICES} Services x ${ENDPOINTS} endpoints`, renders, `${(ra.text.length / 1024).toFixed(0)} KiB, ${ra.chains.size} chains`);

    const full: number[] = [];
    const incr: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const applier = new NftApplier({ netns: ns.name });
      full.push(await timed(async () => applier.apply(renderRuleset(a))));
      incr.push(await timed(async () => applier.apply(renderRuleset(i % 2 ? a : b))));
      await applier.remove();
    }
    row('sync: render + full apply (first sync)', full, 'target < 1000 ms');
    row('sync: render + incremental apply (1 Service changed)', incr, 'target < 1000 ms');

    rows.push(...(await throughput(ns, a)));

    // Change -> live, through the API server and the running proxy.
    const ts = await startTestServer();
    const client = KubeClient.fromKubeconfig(ts.kubeconfig);
    try {
      const slices = client.resource<EndpointSlice>(resources.endpointslices, 'default');
      for (let s = 0; s < SERVICES; s += 50) {
        await Promise.all(a.services.slice(s, s + 50).map((x, k) => (async () => {
          const created = await client.services('default').create({ ...x, spec: { ...x.spec, clusterIP: undefined } } as KubeObject);
          const sl = a.endpointSlices[s + k]!;
          await slices.create({ ...sl, metadata: { ...sl.metadata, name: `${x.metadata.name}-1` } });
          return created;
        })()));
      }
      let lastSync = 0;
      let waitFor: { ip: string; resolve: (at: number) => void } | undefined;
      const proxy = await startProxy({
        client, nodeName: 'node-0', netns: ns.name, logger: quietLogger,
        onSynced: (r, _h, ms) => {
          lastSync = ms;
          if (waitFor && r.text.includes(`${waitFor.ip} . 8080`)) waitFor.resolve(performance.now());
        },
      });
      const firstSync = lastSync;
      try {
        const target = await client.services('default').get('svc-0');
        const id = 'default/svc-0/tcp/http';
        const polls: number[] = [];
        const live: number[] = [];
        const applied: number[] = [];
        const syncs: number[] = [];
        for (let i = 0; i < RUNS; i++) {
          const ip = `10.99.${i}.1`;
          const chain = serviceChain(id);
          const current = await slices.get('svc-0-1');
          const appliedAt = new Promise<number>((resolve) => (waitFor = { ip, resolve }));
          const t0 = performance.now();
          await slices.update({ ...current, endpoints: [...current.endpoints.slice(1), ep(ip, 'node-1')] });
          for (;;) {
            const p = performance.now();
            const ok = await runner.run(['list', 'chain', 'ip', 'bosun', chain]).then((out) => out.includes(`${ip} . 8080`), () => false);
            polls.push(performance.now() - p);
            if (ok) break;
            if (performance.now() - t0 > 10_000) throw new Error('change never went live');
          }
          live.push(performance.now() - t0);
          applied.push((await appliedAt) - t0);
          syncs.push(lastSync);
        }
        void target;
        row('baseline: one `nft list chain` poll', polls, 'resolution of change -> live');
        row(`proxy first sync (${SERVICES} Services from the API)`, [firstSync], 'target < 1000 ms');
        row('proxy sync after an EndpointSlice change', syncs, 'render + incremental apply');
        row('EndpointSlice change -> nft transaction committed', applied, 'target < 1000 ms (50 ms debounce included)');
        row('EndpointSlice change -> rule seen by `nft list` poll', live, 'upper bound: adds up to one poll');
      } finally {
        await proxy.stop();
      }
    } finally {
      client.close();
      await ts.stop();
    }
  } finally {
    ns.remove();
  }
  console.table(rows);
}

await main();
