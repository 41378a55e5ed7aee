/**
 * Resource-exhaustion attacks on the API server (issue 13, finding 7), each through the real HTTPS
 * listener with the identity that would attack (an ordinary user, not system:masters):
 * - a JSON patch whose `copy` ops grow an object is refused as upstream refuses it (evanphx
 *   json-patch's AccumulatedCopySizeLimit, armed from JSONPatchMaxCopyBytes = 3 MiB: 422 with the
 *   copy message as its cause), and an object that would pass etcd's 1.5 MiB value limit is not
 *   stored (upstream with etcd: 500 "etcdserver: request is too large"); the object is unchanged;
 * - a watcher that never reads is closed once its buffered events pass the bound (as upstream's
 *   cacher forces unresponsive watchers closed), asserted on the server's own counters;
 * - with API Priority and Fairness off (--enable-priority-and-fairness=false: upstream then runs
 *   the max-in-flight filter instead; APF's limits are tested in src/apiserver/flowcontrol), the
 *   151st concurrent mutating request of an ordinary user gets 429 with Retry-After (upstream
 *   --max-mutating-requests-inflight 200, a quarter kept for the system's components), watches and
 *   system:masters are not counted; the 301st read-only request likewise (--max-requests-inflight
 *   400, router-level with held handlers) while a node is still served from the reserved share.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { issueClientCertificate, ensurePki, type Pki } from '../pki/pki.js';
import type { KeyPair } from '../pki/certs.js';
import { RawClient } from '../../testing/raw-client.js';
import { rawConnection, responseHead } from '../../testing/raw-tls.js';
import { eventually } from '../../testing/eventually.js';
import { startTestServer, type TestServer } from '../../testing/test-cluster.js';
import type { ApiServer } from '../server.js';
import { listen, type Listener } from './listener.js';
import { createRequestHandler } from './router.js';
import { ApiCatalog } from '../discovery/catalog.js';
import { StreamingRegistry } from './streaming.js';
import { WatchRegistry } from './watch.js';

describe('api server limits: patches, object size, slow watchers, requests in flight', () => {
  let ts: TestServer & { server: ApiServer };
  let admin: RawClient;
  let ca: string;
  let mallory: KeyPair;
  const sockets: TLSSocket[] = [];
  before(async () => {
    ts = await startTestServer({ limits: { inflight: { priorityAndFairness: false } } });
    admin = new RawClient(ts.url, ts.dataDir);
    ca = ts.server.pki.ca.cert;
    mallory = issueClientCertificate(ts.server.pki, 'mallory', ['developers']);
    // The attacker is an ordinary user who may use ConfigMaps and Deployments (RBAC grants it; the
    // limits, not authorization, must stop the attacks).
    const rules = [{ apiGroups: ['', 'apps'], resources: ['configmaps', 'deployments'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] }];
    assert.equal((await admin.send('POST', '/apis/rbac.authorization.k8s.io/v1/clusterroles', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'limits-attacker' }, rules })).status, 201);
    assert.equal((await admin.send('POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'limits-attacker' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'limits-attacker' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'mallory' }],
    })).status, 201);
    await eventually(async () => {
      const s = await rawConnection(ts.port, ca, mallory);
      sockets.push(s);
      const head = responseHead(s);
      s.write(`GET ${cmPath} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
      return (await head).status === 200;
    }, 'mallory\'s binding to take effect');
  });
  after(async () => {
    for (const s of sockets) s.destroy();
    admin?.close();
    await ts?.stop();
  });

  const cmPath = '/api/v1/namespaces/default/configmaps';

  it('a JSON patch of thousands of copy ops is refused with upstream\'s 422 and the object is unchanged', async () => {
    const created = await admin.send('POST', cmPath, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'grow' }, data: { a: 'x'.repeat(1000) } });
    assert.equal(created.status, 201);
    const ops = Array.from({ length: 5000 }, (_, i) => ({ op: 'copy', from: '/data/a', path: `/data/k${i}` }));
    const res = await admin.send('PATCH', `${cmPath}/grow`, ops, { 'Content-Type': 'application/json-patch+json' });
    assert.equal(res.status, 422, res.body);
    assert.equal(res.json.reason, 'Invalid');
    assert.equal(res.json.message, 'the server rejected our request due to an error in our request');
    assert.match(res.json.details.causes[0].message, /^Unable to complete the copy, the accumulated size increase of copy is \d+, exceeding the limit 3145728$/);
    const after = (await admin.request(`${cmPath}/grow`)).json;
    assert.equal(after.metadata.resourceVersion, created.json.metadata.resourceVersion);
    assert.deepEqual(Object.keys(after.data), ['a']);
    // More than 10000 operations: 413 before anything is applied (upstream's maxJSONPatchOperations).
    const many = Array.from({ length: 10_001 }, () => ({ op: 'test', path: '/data/a', value: 'x'.repeat(1000) }));
    const big = await admin.send('PATCH', `${cmPath}/grow`, many, { 'Content-Type': 'application/json-patch+json' });
    assert.ok(big.status === 413, `${big.status}`);
  });

  it('an object past etcd\'s 1.5 MiB value limit is not stored (upstream: 500 "etcdserver: request is too large")', async () => {
    const dep = (env: { name: string; value: string }[]): unknown => ({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'fat' },
      spec: { selector: { matchLabels: { app: 'fat' } }, template: { metadata: { labels: { app: 'fat' } }, spec: { containers: [{ name: 'c', image: 'busybox', env }] } } },
    });
    const created = await admin.send('POST', '/apis/apps/v1/namespaces/default/deployments', dep([{ name: 'A', value: 'a'.repeat(900_000) }]));
    assert.equal(created.status, 201, created.body);
    const grow = [{ op: 'add', path: '/spec/template/spec/containers/0/env/-', value: { name: 'B', value: 'b'.repeat(900_000) } }];
    const res = await admin.send('PATCH', '/apis/apps/v1/namespaces/default/deployments/fat', grow, { 'Content-Type': 'application/json-patch+json' });
    assert.equal(res.status, 500, res.body);
    assert.equal(res.json.message, 'etcdserver: request is too large');
    const now = (await admin.request('/apis/apps/v1/namespaces/default/deployments/fat')).json;
    assert.equal(now.metadata.resourceVersion, created.json.metadata.resourceVersion);
    assert.equal(now.spec.template.spec.containers[0].env.length, 1);
    // Creating one that large is refused the same way.
    const whole = await admin.send('POST', '/apis/apps/v1/namespaces/default/deployments', { ...(dep([{ name: 'A', value: 'a'.repeat(1_600_000) }]) as object), metadata: { name: 'fatter' } });
    assert.equal(whole.status, 500);
    assert.equal((await admin.request('/apis/apps/v1/namespaces/default/deployments/fatter')).status, 404);
  });

  it('a watcher that never reads is closed once its buffer passes the bound; the server\'s buffered bytes stay bounded', async () => {
    const watches = ts.server.watches;
    const before = { open: watches.size, closed: watches.slowClosed };
    const s = await rawConnection(ts.port, ca, mallory);
    sockets.push(s);
    s.on('error', () => undefined);
    s.write(`GET ${cmPath}?watch=1&labelSelector=slow%3Dyes HTTP/1.1\r\nHost: localhost\r\n\r\n`);
    const head = await responseHead(s);
    assert.equal(head.status, 200);
    s.pause(); // from here on the client reads nothing
    await eventually(() => watches.size === before.open + 1, 'the watch to be registered');
    const value = 'v'.repeat(900_000);
    let created = 0;
    // Each event is ~900 kB; the bound is 16 MiB plus what the kernel buffers. Stop as soon as the server gives up.
    while (watches.slowClosed === before.closed && created < 200) {
      const r = await admin.send('POST', cmPath, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `slow-${created}`, labels: { slow: 'yes' } }, data: { v: value } });
      assert.equal(r.status, 201);
      created++;
    }
    assert.equal(watches.slowClosed, before.closed + 1, `the slow watcher was closed (after ${created} events)`);
    await eventually(() => watches.size === before.open, 'the slow watch to be gone');
    assert.ok(watches.maxBuffered <= watches.bufferLimit + 1_000_000, `largest buffer ${watches.maxBuffered} within the bound ${watches.bufferLimit} plus one event`);
    // The server still serves watches for clients that read.
    const again = await admin.request(`${cmPath}?watch=1&timeoutSeconds=1&labelSelector=none%3Dx`);
    assert.equal(again.status, 200);
  });

  it('the 151st concurrent mutating request gets 429 with Retry-After; reads and system:masters go on', async () => {
    // 150 creates whose bodies never finish: each holds a mutating slot, as a slow client would
    // (an ordinary user gets 150 of the 200: a quarter is kept for the system's components).
    const held: TLSSocket[] = [];
    for (let i = 0; i < 150; i++) {
      const s = await rawConnection(ts.port, ca, mallory);
      sockets.push(s);
      held.push(s);
      s.on('error', () => undefined);
      s.write(`POST ${cmPath} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n{"apiVersion":`);
    }
    // A probe that fails validation releases its slot at once; once the 150 hold them all it gets 429.
    const probe = async (): Promise<{ status: number; headers: string; body: string }> => {
      const s = await rawConnection(ts.port, ca, mallory);
      sockets.push(s);
      const head = responseHead(s);
      s.write(`POST ${cmPath} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n[]`);
      return head;
    };
    const refused = await eventually(async () => {
      const r = await probe();
      return r.status === 429 ? r : undefined;
    }, 'a mutating request to be refused with 429');
    assert.match(refused.headers, /\r\nRetry-After: 1\r\n/i);
    assert.doesNotMatch(refused.headers, /X-Kubernetes-PF-/i, 'APF is off: no FlowSchema or priority level');
    // system:masters is not limited.
    assert.equal((await admin.send('POST', cmPath, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'by-admin' } })).status, 201);
    // Once the held bodies complete (as malformed JSON: 400 each), writes are served again.
    const answers = held.map((s) => responseHead(s));
    for (const s of held) s.write('"v1"]'.padEnd(26));
    const codes = (await Promise.all(answers)).map((a) => a.status);
    assert.ok(codes.every((c) => c === 400), `held requests answered: ${[...new Set(codes)].join(',')}`);
    assert.notEqual((await probe()).status, 429);
  });
});

describe('router: read-only requests in flight', () => {
  let dir: string;
  let pki: Pki;
  let listener: Listener;
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let heldNow = 0;
  const sockets: TLSSocket[] = [];
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bosun-inflight-'));
    pki = ensurePki(dir);
    const handler = createRequestHandler({
      catalog: new ApiCatalog([], []), streams: new StreamingRegistry(), watches: new WatchRegistry(),
      bosunVersion: 'test', openapi: () => ({ v2: {}, v3: {} }) as never, hostPort: () => 'localhost', ready: () => true,
      tokens: () => undefined,
      // A GET that answers only when the test says so: a slow read.
      extraHandlers: [async (_req, res, url) => {
        if (url.pathname !== '/held') return false;
        heldNow++;
        await released;
        res.end('done');
        return true;
      }],
    });
    listener = await listen({ cert: pki.server.cert, key: pki.server.key, clientCa: pki.ca.cert, onRequest: handler }, 0, '127.0.0.1');
  });
  after(async () => {
    release();
    for (const s of sockets) s.destroy();
    await listener?.close(100);
    rmSync(dir, { recursive: true, force: true });
  });

  it('the 301st concurrent read-only request gets 429 with Retry-After; a node is served from the reserved share; system:masters is exempt', async () => {
    const user = issueClientCertificate(pki, 'reader', ['developers']);
    const heads: Promise<{ status: number }>[] = [];
    for (let i = 0; i < 300; i++) {
      const s = await rawConnection(listener.port, pki.ca.cert, user);
      sockets.push(s);
      heads.push(responseHead(s));
      s.write('GET /held HTTP/1.1\r\nHost: localhost\r\n\r\n');
    }
    await eventually(() => heldNow === 300, '300 reads in flight');
    const extra = await rawConnection(listener.port, pki.ca.cert, user);
    sockets.push(extra);
    const head = responseHead(extra);
    extra.write('GET /held HTTP/1.1\r\nHost: localhost\r\n\r\n');
    const r = await head;
    assert.equal(r.status, 429);
    assert.match(r.headers, /\r\nRetry-After: 1\r\n/i);
    assert.equal(JSON.parse(r.body.slice(r.body.indexOf('{'), r.body.lastIndexOf('}') + 1)).reason, 'TooManyRequests');
    // A bad credential is refused 401 before the limit (upstream's WithAuthentication wraps WithMaxInFlightLimit).
    const stranger = await rawConnection(listener.port, pki.ca.cert);
    sockets.push(stranger);
    const strangerHead = responseHead(stranger);
    stranger.write('GET /version HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer not-a-token\r\n\r\n');
    assert.equal((await strangerHead).status, 401);
    // A node (system:nodes) still gets one of the 100 reserved slots.
    const node = await rawConnection(listener.port, pki.ca.cert, issueClientCertificate(pki, 'system:node:n1', ['system:nodes']));
    sockets.push(node);
    const nodeHead = responseHead(node);
    node.write('GET /version HTTP/1.1\r\nHost: localhost\r\n\r\n');
    assert.equal((await nodeHead).status, 200);
    const boss = await rawConnection(listener.port, pki.ca.cert, pki.admin);
    sockets.push(boss);
    const bossHead = responseHead(boss);
    boss.write('GET /version HTTP/1.1\r\nHost: localhost\r\n\r\n');
    assert.equal((await bossHead).status, 200);
    // A watch is long-running: not counted, so not refused (this router serves no resources: 404).
    const watcher = await rawConnection(listener.port, pki.ca.cert, user);
    sockets.push(watcher);
    const watchHead = responseHead(watcher);
    watcher.write('GET /api/v1/namespaces/default/configmaps?watch=1 HTTP/1.1\r\nHost: localhost\r\n\r\n');
    assert.equal((await watchHead).status, 404);
    release();
    assert.ok((await Promise.all(heads)).every((h) => h.status === 200));
  });
});
