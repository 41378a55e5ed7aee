/**
 * Protection from one client, through the real server: a user keeps at most `watchesPerClient`
 * watches open (the next gets 429 with Retry-After, a closed one frees its place) while a node is
 * not limited; a body past upstream's 3 MiB gets upstream's 413 Status
 * (`Request entity too large: limit is 3145728`, handlers/rest.go limitedReadBody) and nothing is
 * stored; and the in-flight limiter keeps a quarter of each pool for the system's components (a
 * simple API Priority and Fairness: ordinary clients are refused first).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { ClientRequest, IncomingMessage, ServerResponse } from 'node:http';
import { request } from 'node:https';
import { startTestServer, type TestServer } from '../../testing/test-cluster.js';
import { RawClient } from '../../testing/raw-client.js';
import { eventually } from '../../testing/eventually.js';
import { kubectlOk } from '../../testing/kubectl-ok.js';
import type { ApiServer } from '../server.js';
import { issueClientCertificate } from '../pki/pki.js';
import type { KeyPair } from '../pki/certs.js';
import { InflightLimiter, isSystemComponent } from './inflight.js';

interface OpenWatch { status: number; retryAfter?: string; req: ClientRequest }

/** Starts a request with `who`'s certificate and resolves at the response head (the body keeps streaming). */
function openWatch(server: TestServer & { server: ApiServer }, who: KeyPair, path: string): Promise<OpenWatch> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, server.url), { ca: server.server.pki.ca.cert, cert: who.cert, key: who.key, agent: false }, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] as string | undefined, req });
    });
    req.on('error', (err) => (req.destroyed ? undefined : reject(err)));
    req.end();
  });
}

describe('watches per client and the body limit (real server)', () => {
  let server: TestServer & { server: ApiServer };
  const opened: ClientRequest[] = [];
  before(async () => {
    server = await startTestServer({ limits: { watchesPerClient: 3 } });
    // The watcher may watch ConfigMaps (with RBAC on; harmless without it).
    await kubectlOk(server, ['create', 'clusterrole', 'wl-cm', '--verb=get,list,watch', '--resource=configmaps']);
    await kubectlOk(server, ['create', 'clusterrolebinding', 'wl-cm', '--clusterrole=wl-cm', '--user=wl-watcher']);
  });
  after(async () => {
    for (const r of opened) r.destroy();
    await server?.stop();
  });

  it('a user\'s 4th open watch gets 429 with Retry-After; closing one frees a place; a node is not counted', async () => {
    const watcher = issueClientCertificate(server.server.pki, 'wl-watcher', ['wl-group']);
    const path = '/api/v1/namespaces/default/configmaps?watch=1';
    const admitted = async (what: string) => eventually(async () => {
      const w = await openWatch(server, watcher, path);
      opened.push(w.req);
      if (w.status !== 200) w.req.destroy(); // the binding may not be in the authorizer's cache yet
      return w.status === 200 ? w : undefined;
    }, what);
    const first: OpenWatch[] = [];
    for (let i = 0; i < 3; i++) first.push(await admitted(`watch ${i + 1} to be admitted`));
    const refused = await openWatch(server, watcher, path);
    opened.push(refused.req);
    assert.equal(refused.status, 429);
    assert.equal(refused.retryAfter, '1');
    // A node watching its own Node object is a system component: not limited.
    const node = issueClientCertificate(server.server.pki, 'system:node:wl-node', ['system:nodes']);
    const nodeWatch = await openWatch(server, node, '/api/v1/nodes?watch=1&fieldSelector=metadata.name%3Dwl-node');
    opened.push(nodeWatch.req);
    assert.notEqual(nodeWatch.status, 429);
    // One closed, and the user may open one again.
    first[0]!.req.destroy();
    assert.equal((await admitted('a watch to be admitted after one closed')).status, 200);
  });

  it('a body over 3 MiB gets upstream\'s 413 Status and nothing is stored', async () => {
    const c = new RawClient(server.url, server.dataDir);
    try {
      const big = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'wl-big' }, data: { k: 'x'.repeat(3 * 1024 * 1024) } });
      const r = await c.request('/api/v1/namespaces/default/configmaps', { method: 'POST', body: big });
      assert.equal(r.status, 413);
      assert.deepEqual({ reason: r.json.reason, message: r.json.message, code: r.json.code }, { reason: 'RequestEntityTooLarge', message: 'Request entity too large: limit is 3145728', code: 413 });
      assert.equal((await c.request('/api/v1/namespaces/default/configmaps/wl-big')).status, 404);
    } finally {
      c.close();
    }
  });
});

describe('in-flight limits: the system\'s share', () => {
  /** A response whose slot is held until it emits 'finish'. */
  const held = () => Object.assign(new EventEmitter(), { setHeader: () => undefined }) as unknown as ServerResponse;
  const get = { method: 'GET' } as IncomingMessage;
  const user = { name: 'mallory', groups: ['system:authenticated'] };
  const node = { name: 'system:node:n1', groups: ['system:nodes', 'system:authenticated'] };

  it('ordinary clients get the unreserved three quarters; nodes, the scheduler, the controller manager and kube-system service accounts the rest', () => {
    const l = new InflightLimiter({ readOnly: 8, mutating: 4 });
    for (let i = 0; i < 6; i++) l.admit(get, held(), user);
    assert.throws(() => l.admit(get, held(), user), (e: { code?: number }) => e.code === 429);
    l.admit(get, held(), node);
    l.admit(get, held(), { name: 'system:serviceaccount:kube-system:replicaset-controller', groups: [] });
    assert.throws(() => l.admit(get, held(), node), (e: { code?: number }) => e.code === 429);
    l.admit(get, held(), { name: 'admin', groups: ['system:masters'] }); // exempt, as upstream
    assert.deepEqual(l.inFlight, { readOnly: 8, mutating: 0 });
    for (const name of ['system:kube-scheduler', 'system:kube-controller-manager', 'system:kube-proxy']) assert.ok(isSystemComponent({ name, groups: [] }));
    assert.equal(isSystemComponent({ name: 'system:serviceaccount:default:app', groups: [] }), false);
  });
});
