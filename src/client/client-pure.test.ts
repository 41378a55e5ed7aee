import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import type { KubeObject } from '../api/meta.js';
import { StatusError } from '../api/status.js';
import { loadKubeconfig } from './kubeconfig.js';
import { resourcePath, resources, withQuery, parseApiVersion } from './resource-ref.js';
import { statusErrorFromBody, watchErrorFromStatus, WatchExpiredError, isConflict, isAlreadyExists, isNotFound } from './errors.js';
import { Watch } from './watch.js';

test('resourcePath: core, grouped, namespaced, cluster-scoped, subresources', () => {
  const table: [Parameters<typeof resourcePath>, string][] = [
    [[resources.pods, 'default'], '/api/v1/namespaces/default/pods'],
    [[resources.pods, undefined], '/api/v1/pods'],
    [[resources.pods, 'ns', 'web-1', 'status'], '/api/v1/namespaces/ns/pods/web-1/status'],
    [[resources.deployments, 'ns', 'd', 'scale'], '/apis/apps/v1/namespaces/ns/deployments/d/scale'],
    [[resources.nodes, 'ignored', 'n1'], '/api/v1/nodes/n1'],
    [[resources.leases, 'kube-system', 'lock'], '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/lock'],
  ];
  for (const [args, want] of table) assert.equal(resourcePath(...args), want);
  assert.throws(() => resourcePath(resources.pods, 'ns', ''));
  assert.equal(withQuery('/x', { a: 'b c', n: 0, skip: undefined, f: false, t: true }), '/x?a=b+c&n=0&t=true');
  assert.deepEqual(parseApiVersion('v1'), { group: '', version: 'v1' });
  assert.deepEqual(parseApiVersion('apps/v1'), { group: 'apps', version: 'v1' });
});

test('loadKubeconfig: current context, inline data, relative file paths, token', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bosun-client-kc-'));
  try {
    writeFileSync(join(dir, 'ca.crt'), 'CA-PEM');
    writeFileSync(join(dir, 'kc.yaml'), `
apiVersion: v1
kind: Config
current-context: b
contexts:
- name: a
  context: {cluster: c1, user: u1}
- name: b
  context: {cluster: c2, user: u2}
clusters:
- name: c1
  cluster: {server: "https://127.0.0.1:1/", certificate-authority-data: ${Buffer.from('X').toString('base64')}}
- name: c2
  cluster: {server: "https://127.0.0.1:2", certificate-authority: ca.crt}
users:
- name: u1
  user: {token: t1}
- name: u2
  user: {client-certificate-data: ${Buffer.from('CERT').toString('base64')}, client-key-data: ${Buffer.from('KEY').toString('base64')}}
`);
    const b = loadKubeconfig(join(dir, 'kc.yaml'));
    assert.equal(b.server, 'https://127.0.0.1:2');
    assert.equal(String(b.ca), 'CA-PEM');
    assert.equal(String(b.cert), 'CERT');
    assert.equal(String(b.key), 'KEY');
    const a = loadKubeconfig(join(dir, 'kc.yaml'), 'a');
    assert.equal(a.server, 'https://127.0.0.1:1');
    assert.equal(a.token, 't1');
    assert.equal(String(a.ca), 'X');
    assert.throws(() => loadKubeconfig(join(dir, 'kc.yaml'), 'missing'), /context "missing" not found/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('errors: Status bodies decode to StatusError; other bodies get the reason for the code', () => {
  const st = statusErrorFromBody(409, JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Conflict', message: 'stale', code: 409 }));
  assert.ok(st instanceof StatusError);
  assert.equal(st.reason, 'Conflict');
  assert.equal(st.message, 'stale');
  assert.ok(isConflict(st) && !isAlreadyExists(st));
  const plain = statusErrorFromBody(404, '404 page not found');
  assert.equal(plain.code, 404);
  assert.equal(plain.reason, 'NotFound');
  assert.ok(isNotFound(plain));
  assert.ok(watchErrorFromStatus({ kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version' }) instanceof WatchExpiredError);
  assert.ok(!(watchErrorFromStatus({ kind: 'Status', code: 500, message: 'boom' }) instanceof WatchExpiredError));
});

/** A response body stream; Watch only reads the body, so no HTTP server is involved. */
function body(): { res: IncomingMessage; stream: PassThrough } {
  const stream = new PassThrough();
  return { res: stream as unknown as IncomingMessage, stream };
}

test('Watch: events split across chunks and lines; server close ends iteration', async () => {
  const { res, stream } = body();
  const w = new Watch<KubeObject>(res, new AbortController());
  const ev1 = JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'a', resourceVersion: '1' } } });
  const ev2 = JSON.stringify({ type: 'MODIFIED', object: { metadata: { name: 'ä', resourceVersion: '2' } } });
  const all = Buffer.from(`${ev1}\n${ev2}\n`);
  // split inside a multi-byte character and inside a line
  const cut = all.indexOf(Buffer.from('ä')) + 1;
  stream.write(all.subarray(0, 10));
  stream.write(all.subarray(10, cut));
  stream.write(all.subarray(cut));
  stream.end();
  const got: string[] = [];
  for await (const ev of w) got.push(`${ev.type}:${ev.object.metadata.name}`);
  assert.deepEqual(got, ['ADDED:a', 'MODIFIED:ä']);
});

test('Watch: ERROR 410 surfaces as WatchExpiredError after earlier events', async () => {
  const { res, stream } = body();
  const w = new Watch<KubeObject>(res, new AbortController());
  stream.write(JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'a' } } }) + '\n');
  stream.write(JSON.stringify({ type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 410, reason: 'Expired', message: 'too old' } }) + '\n');
  const got: string[] = [];
  await assert.rejects(async () => {
    for await (const ev of w) got.push(ev.object.metadata.name!);
  }, (e: unknown) => e instanceof WatchExpiredError && e.code === 410);
  assert.deepEqual(got, ['a']);
});

test('Watch: stop() ends a waiting iteration without error', async () => {
  const { res } = body();
  const w = new Watch<KubeObject>(res, new AbortController());
  const it = w[Symbol.asyncIterator]();
  const pending = it.next();
  w.stop();
  assert.deepEqual(await pending, { value: undefined, done: true });
  assert.ok(w.stopped);
});

test('Watch: a slow consumer pauses the socket, and every event still arrives in order', async () => {
  const { res, stream } = body();
  const w = new Watch<KubeObject>(res, new AbortController());
  const total = 3000;
  const lines = Array.from({ length: total }, (_, i) => JSON.stringify({ type: 'ADDED', object: { metadata: { name: `o${i}` } } })).join('\n') + '\n';
  stream.write(lines);
  await new Promise((r) => setImmediate(r));
  assert.equal(stream.isPaused(), true, 'paused while 3000 events are unread');
  stream.end();
  let n = 0;
  for await (const ev of w) {
    assert.equal(ev.object.metadata.name, `o${n}`);
    n++;
  }
  assert.equal(n, total);
});
