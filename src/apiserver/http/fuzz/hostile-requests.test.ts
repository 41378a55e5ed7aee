/**
 * Fuzz (issue 13): 10,000 malformed or hostile requests against an in-process API server, from a
 * seeded PRNG (the seed is printed; FUZZ_SEED=<n> replays a run). Every answer must be a Status
 * whose code is the HTTP status (or, for a 2xx, an object or list), never a 5xx other than the
 * ones upstream gives for the same input (504 for a resourceVersion that never comes, 500
 * "etcdserver: request is too large", 500 for the strategic-merge errors apimachinery returns as
 * plain errors); the server still answers /readyz afterwards; and the store
 * then holds exactly what the requests that got a 2xx wrote: each worker writes only its own names
 * and keeps a model (name -> resourceVersion of its last successful write), compared with the
 * store's keys and revisions, and nothing else in the store may have changed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { RawClient, type RawResponse } from '../../../testing/raw-client.js';
import { startTestServer, type TestServer } from '../../../testing/test-cluster.js';
import type { ApiServer } from '../../server.js';
import { HostileInputs, prng, type FuzzRequest } from './hostile-inputs.js';
import { nextRequest } from './hostile-requests.js';

const TOTAL = Number(process.env.FUZZ_TOTAL ?? 10_000);
const WORKERS = 8;
const NS = 'fuzz';
// A fixed seed by default, so a CI run is reproducible and a failure is a regression, not bad luck;
// FUZZ_SEED=random explores new inputs (30 random seeds passed when this test landed).
const SEED = process.env.FUZZ_SEED === 'random' ? Math.floor(Math.random() * 2 ** 31)
  : process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : 892105558;

/** 5xx answers upstream gives for such input too (a HEAD answer has no body to tell). */
function expected5xx(status: number, body: { message?: string; reason?: string } | undefined, method: string): boolean {
  if (status === 504) return method === 'HEAD' || body?.reason === 'Timeout';
  if (status !== 500) return false;
  // Strategic-merge errors apimachinery returns as plain Go errors: upstream answers them 500 too.
  const strategic = /^(Unknown patch type: |map: .* does not contain declared merge key: |cannot merge lists without merge key |merging lists cannot yet be specified|The order in patch list doesn't match )/;
  return body?.message === 'etcdserver: request is too large' || strategic.test(body?.message ?? '');
}

function decode(res: RawResponse, accept: string | undefined): any {
  if (res.json !== undefined) return res.json;
  if (accept?.includes('yaml')) {
    try {
      return parseYaml(res.body) as unknown;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

type Model = Map<string, string>;

/** What a 2xx answer to `r` did to the worker's model of the store. */
function record(model: Model, r: FuzzRequest, res: RawResponse, body: any): void {
  if (!r.resource || !['POST', 'PUT', 'PATCH', 'DELETE'].includes(r.method)) return;
  const q = new URL(r.path, 'https://x').searchParams;
  if (r.method === 'DELETE' && r.body !== undefined && r.body.length > 0) {
    // A DELETE with a body takes its options from the body alone (upstream ignores the query then).
    if ((JSON.parse(String(r.body)) as { dryRun?: string[] } | null)?.dryRun?.includes('All')) return;
  } else if (q.getAll('dryRun').includes('All')) {
    return;
  }
  const kind = r.resource === 'configmaps' ? 'ConfigMap' : 'Secret';
  // The object as asked for: itself, its metadata (PartialObjectMetadata) or a one-row Table.
  const meta = body?.kind === kind || body?.kind === 'PartialObjectMetadata' ? body.metadata : body?.kind === 'Table' ? body.rows?.[0]?.object?.metadata : undefined;
  if (meta?.name) {
    const key = `${r.resource}/${meta.name}`;
    // Gone: deleted without finalizers, or a write that removed the last finalizer of an object
    // being deleted (the answer is that last state, as upstream's).
    const gone = r.method === 'DELETE' ? !meta.deletionTimestamp : !!meta.deletionTimestamp && !(meta.finalizers?.length > 0);
    if (gone) model.delete(key);
    else model.set(key, meta.resourceVersion);
  } else if (r.method === 'DELETE' && body?.kind === 'Status' && body.status === 'Success') {
    model.delete(`${r.resource}/${body.details?.name ?? r.name}`);
  } else {
    throw new Error(`2xx ${res.status} to ${r.what} ${r.method} ${r.path} with an unexpected body: ${res.body.slice(0, 200)}`);
  }
}

describe(`fuzz: ${TOTAL} hostile requests (seed ${SEED})`, () => {
  let ts: TestServer & { server: ApiServer };
  let client: RawClient;
  const before0 = new Map<string, number>();
  before(async () => {
    console.log(`fuzz seed ${SEED} (replay with FUZZ_SEED=${SEED})`);
    ts = await startTestServer();
    client = new RawClient(ts.url, ts.dataDir);
    const ns = await client.send('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    assert.equal(ns.status, 201);
    for (const kv of (await ts.server.store.list('/')).items) before0.set(kv.key, kv.modRevision);
  });
  after(async () => {
    client?.close();
    await ts?.stop();
  });

  it('answers every request with a Status or an object, survives, and stores exactly what succeeded', async () => {
    const models: Model[] = [];
    const counts = new Map<number, number>();
    const failures: string[] = [];
    await Promise.all(Array.from({ length: WORKERS }, async (_, w) => {
      const h = new HostileInputs(prng(SEED + w), NS);
      const names = Array.from({ length: 5 }, (_, i) => `w${w}-n${i}`);
      const model: Model = new Map();
      models.push(model);
      for (let i = w; i < TOTAL; i += WORKERS) {
        const r = nextRequest(h, NS, names);
        let res: RawResponse;
        try {
          let timer: NodeJS.Timeout | undefined;
          const slow = new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error('no answer within 20 s')), 20_000);
          });
          // Node's client sends a DELETE or OPTIONS body without a length unless told: say it.
          const headers = r.body === undefined ? r.headers : { 'Content-Length': String(Buffer.byteLength(r.body)), ...r.headers };
          res = await Promise.race([client.request(r.path, { method: r.method, headers, body: r.body }), slow]).finally(() => clearTimeout(timer));
        } catch (err) {
          failures.push(`#${i} ${r.what} ${r.method} ${r.path.slice(0, 80)}: no answer (${String(err)})`);
          continue;
        }
        counts.set(res.status, (counts.get(res.status) ?? 0) + 1);
        const body = r.method === 'HEAD' ? undefined : decode(res, r.headers.Accept);
        const where = `#${i} ${r.what} ${r.method} ${r.path.slice(0, 100)} -> ${res.status}`;
        // A request whose headers overflow can be answered before its method is known: a 431 without
        // a body (upstream's is plain text) is the one answer that is not a Status.
        const bareOverflow = res.status === 431 && res.body === '';
        if (r.method !== 'HEAD' && !bareOverflow) {
          if (typeof body !== 'object' || body === null || typeof body.kind !== 'string') failures.push(`${where}: not a Kubernetes object: ${res.body.slice(0, 160)}`);
          else if (res.status >= 300 && (body.kind !== 'Status' || body.code !== res.status)) failures.push(`${where}: not a matching Status: ${res.body.slice(0, 160)}`);
        }
        if (res.status >= 500 && !expected5xx(res.status, body, r.method)) failures.push(`${where}: server error ${res.body.slice(0, 200)}`);
        if (res.status >= 200 && res.status < 300 && !r.resource && r.method !== 'GET' && r.method !== 'HEAD') failures.push(`${where}: a write outside the worker's names succeeded: ${res.body.slice(0, 160)}`);
        if (res.status >= 200 && res.status < 300 && r.method === 'DELETE' && typeof body?.kind === 'string' && (body.kind.endsWith('List') || (body.kind === 'Table' && body.rows?.length !== 1))) failures.push(`${where}: deleted a collection: ${res.body.slice(0, 100)}`);
        if (res.status >= 200 && res.status < 300) {
          try {
            record(model, r, res, body);
          } catch (err) {
            failures.push(`${where}: ${String(err)}`);
          }
        }
      }
    }));
    console.log(`fuzz answers by status: ${JSON.stringify(Object.fromEntries([...counts].sort((a, b) => a[0] - b[0])))}`);
    assert.deepEqual(failures.slice(0, 20), [], `${failures.length} bad answers (seed ${SEED})`);
    assert.equal([...counts.values()].reduce((a, b) => a + b, 0), TOTAL);

    const ready = await client.request('/readyz');
    assert.equal(ready.status, 200, 'the server still answers /readyz');

    // The store: our namespace's ConfigMaps and Secrets are exactly the model; nothing else changed.
    const expected = new Map<string, string>();
    for (const m of models) for (const [k, v] of m) expected.set(k, v);
    const actual = new Map<string, string>();
    const others: string[] = [];
    const after0 = new Map<string, number>();
    for (const kv of (await ts.server.store.list('/')).items) {
      const m = /^\/registry\/core\/(configmaps|secrets)\/fuzz\/(.+)$/.exec(kv.key);
      if (m) actual.set(`${m[1]}/${m[2]}`, String(kv.modRevision));
      else after0.set(kv.key, kv.modRevision);
    }
    for (const k of new Set([...before0.keys(), ...after0.keys()])) {
      if (before0.get(k) !== after0.get(k)) others.push(`${k}: ${before0.get(k) ?? 'none'} -> ${after0.get(k) ?? 'gone'}`);
    }
    assert.deepEqual(others, [], 'no other object changed');
    const differ = [...new Set([...actual.keys(), ...expected.keys()])].sort().filter((k) => actual.get(k) !== expected.get(k));
    assert.deepEqual(differ.map((k) => `${k}: store ${actual.get(k) ?? 'none'}, 2xx answers ${expected.get(k) ?? 'none'}`), [], 'the store holds what the 2xx answers wrote');
    assert.ok(expected.size > 0, 'some valid writes happened');
  });
});
