/**
 * Service account token review: what authenticating a pod-bound token costs the API server
 * (src/apiserver/serviceaccount/token-authenticator.ts). A first review verifies the RS256
 * signature and reads the ServiceAccount and the pod; a repeat review is one lookup in the
 * watch-invalidated cache. Baselines from the same run on the same JWT: a bare RS256 signature
 * check (node:crypto verify, what every uncached review pays at least) and an HMAC-SHA256 of the
 * token (the cost of merely hashing it once).
 * Run: node --import tsx bench/token-review.bench.ts
 * Target: a cached review under 20 µs.
 */
import { createHmac, createPublicKey, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { RawClient } from '../src/testing/raw-client.js';
import { startTestServer } from '../src/testing/test-cluster.js';

const NS = 'bench-tokens';
const FIRST_REVIEWS = 200;
const CACHED_REVIEWS = 20_000;
const BASELINE_OPS = 2_000;

/** Mean µs per call of `fn(0..n-1)` (after a warm-up of n/10 calls numbered from n). */
function perCall(n: number, fn: (i: number) => unknown): number {
  for (let i = 0; i < Math.max(1, n / 10); i++) fn(n + i);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn(i);
  return ((performance.now() - t0) * 1000) / n;
}

async function main(): Promise<void> {
  const ts = await startTestServer();
  const c = new RawClient(ts.url, ts.dataDir);
  try {
    const send = async (method: string, path: string, body: unknown) => {
      const r = await c.send(method, path, body);
      if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${r.body}`);
      return r.json;
    };
    await send('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    await send('POST', `/api/v1/namespaces/${NS}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'robot' } });
    await send('POST', `/api/v1/namespaces/${NS}/pods`, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { serviceAccountName: 'robot', automountServiceAccountToken: false, containers: [{ name: 'c', image: 'busybox' }] } });
    const tokens: string[] = [];
    for (let i = 0; i <= FIRST_REVIEWS; i++) {
      const tr = await send('POST', `/api/v1/namespaces/${NS}/serviceaccounts/robot/token`, {
        apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: 'p' } },
      });
      tokens.push(tr.status.token);
    }
    const sa = ts.server.serviceAccountTokens;
    const token = tokens.pop()!;

    // The cache's watches start with the first review; a review is cached once they run.
    await sa.authenticator.review(token);
    for (let i = 0; sa.authenticator.cache.size === 0; i++) {
      if (i > 100) throw new Error('the token was never cached');
      await sleep(20);
      await sa.authenticator.review(token);
    }

    // First reviews: distinct tokens, each verified and its objects read.
    const t0 = performance.now();
    for (const t of tokens) {
      const u = await sa.authenticate(t);
      if (!u) throw new Error('a fresh token was refused');
    }
    const firstUs = ((performance.now() - t0) * 1000) / tokens.length;

    // Repeat reviews: the router's hook answers from the cache (no promise when cached). Each call
    // gets its own copy of the token, as each request parses its header into a new string (V8 keeps
    // a string's hash once computed: one string reviewed again and again would skip hashing it).
    const copies = Array.from({ length: CACHED_REVIEWS + CACHED_REVIEWS / 10 }, () => Buffer.from(token).toString('latin1'));
    let bad = 0;
    const cachedUs = perCall(CACHED_REVIEWS, (i) => {
      const u = sa.authenticate(copies[i]!);
      if (!u || u instanceof Promise) bad++;
    });
    if (bad) throw new Error(`${bad} repeat reviews were not answered from the cache`);

    // Baselines on the same JWT.
    const pub = createPublicKey(readFileSync(join(ts.dataDir, 'pki', 'service-account.key')));
    const [h, p, s] = token.split('.') as [string, string, string];
    const input = Buffer.from(`${h}.${p}`);
    const sig = Buffer.from(s, 'base64url');
    const rsaUs = perCall(BASELINE_OPS, () => {
      if (!verify('sha256', input, pub, sig)) throw new Error('signature');
    });
    const hmacUs = perCall(BASELINE_OPS * 50, () => createHmac('sha256', 'k').update(token).digest());

    // The whole path over HTTPS: a TokenReview of the cached token.
    const reviewBody = JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } });
    const http0 = performance.now();
    const HTTP = 500;
    for (let i = 0; i < HTTP; i++) {
      const r = await c.request('/apis/authentication.k8s.io/v1/tokenreviews', { method: 'POST', body: reviewBody });
      if (r.json?.status?.authenticated !== true) throw new Error(`review: ${r.body}`);
    }
    const httpUs = ((performance.now() - http0) * 1000) / HTTP;

    const rows: [string, string, string][] = [
      ['review, cached (repeat)', cachedUs.toFixed(2), '< 20'],
      ['review, first (verify + 2 reads)', firstUs.toFixed(1), ''],
      ['baseline: RS256 verify only', rsaUs.toFixed(1), ''],
      ['baseline: HMAC-SHA256 of the JWT', hmacUs.toFixed(2), ''],
      ['TokenReview over HTTPS (cached, c=1)', httpUs.toFixed(0), ''],
    ];
    console.log(`token: ${token.length} bytes, RS256, bound to a pod`);
    console.log(`${'metric'.padEnd(38)}  ${'µs per review'.padStart(14)}  target`);
    for (const [name, v, target] of rows) console.log(`${name.padEnd(38)}  ${v.padStart(14)}  ${target}`);
  } finally {
    c.close();
    await ts.stop();
  }
}

await main();
