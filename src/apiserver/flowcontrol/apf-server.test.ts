/**
 * API Priority and Fairness in the API server, through the real HTTPS listener, as upstream's
 * filter chain with --enable-priority-and-fairness (the default): APF admits requests in place of
 * the max-in-flight pools, whose two limits only size its server concurrency limit
 * (--max-requests-inflight + --max-mutating-requests-inflight; here 2 + 2). A FlowSchema sends two
 * users to a level of its own (4 seats, lending and borrowing nothing, 8 queues of 2, a hand of 1,
 * flows ByUser): the noisy user's requests run on all 4 seats (the pools would have refused the 3rd),
 * fill its queue and get 429, while the other user's request waits in its own queue and is served
 * once seats free. The order of dispatch is in fair-queuing.test.ts (it depends on virtual time).
 */
import { strict as assert } from 'node:assert';
import type { TLSSocket } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { issueClientCertificate } from '../pki/pki.js';
import type { KeyPair } from '../pki/certs.js';
import type { ApiServer } from '../server.js';
import { eventually } from '../../testing/eventually.js';
import { RawClient } from '../../testing/raw-client.js';
import { rawConnection, responseHead } from '../../testing/raw-tls.js';
import { startTestServer, type TestServer } from '../../testing/test-cluster.js';
import { dealHand, hashFlowId } from './shuffle-sharding.js';
import { limitedLevel, metricSample, userSchema } from './testing/apf-fixtures.js';

const LEVEL = 'p2-apf-tiny';
const cmPath = '/api/v1/namespaces/default/configmaps';

describe('API Priority and Fairness in the server', () => {
  let ts: TestServer & { server: ApiServer };
  let admin: RawClient;
  let noisy: KeyPair;
  let quiet: KeyPair;
  let quietName: string;
  const sockets: TLSSocket[] = [];

  before(async () => {
    ts = await startTestServer({ limits: { inflight: { readOnly: 2, mutating: 2 } } });
    admin = new RawClient(ts.url, ts.dataDir);
    // Two users whose flows (FlowSchema, user) deal different queues out of 8.
    const queueOf = (user: string) => dealHand(hashFlowId(LEVEL, user), 8, 1)[0];
    quietName = ['p2-quiet', 'p2-quiet-1', 'p2-quiet-2', 'p2-quiet-3'].find((u) => queueOf(u) !== queueOf('p2-noisy'))!;
    noisy = issueClientCertificate(ts.server.pki, 'p2-noisy', ['developers']);
    quiet = issueClientCertificate(ts.server.pki, quietName, ['developers']);
    // Both may create ConfigMaps (authorization comes after APF, and a held create must pass it to hold its seat).
    const rules = [{ apiGroups: [''], resources: ['configmaps'], verbs: ['create'] }];
    assert.equal((await admin.send('POST', '/apis/rbac.authorization.k8s.io/v1/clusterroles', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: LEVEL }, rules })).status, 201);
    assert.equal((await admin.send('POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: LEVEL },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: LEVEL },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'developers' }],
    })).status, 201);
    const level = { apiVersion: 'flowcontrol.apiserver.k8s.io/v1', ...limitedLevel(LEVEL, { nominalConcurrencyShares: 1000, lendablePercent: 0, borrowingLimitPercent: 0, limitResponse: { type: 'Queue', queuing: { queues: 8, handSize: 1, queueLengthLimit: 2 } } }) };
    assert.equal((await admin.send('POST', '/apis/flowcontrol.apiserver.k8s.io/v1/prioritylevelconfigurations', { ...level, metadata: { name: LEVEL } })).status, 201);
    const fs = userSchema(LEVEL, LEVEL, ['p2-noisy', quietName], 'ByUser');
    // Requests without a user would be classified as system:anonymous: here, if they ever reached APF.
    fs.spec!.rules![0]!.subjects.push({ kind: 'Group', group: { name: 'system:unauthenticated' } });
    assert.equal((await admin.send('POST', '/apis/flowcontrol.apiserver.k8s.io/v1/flowschemas', { ...fs, metadata: { name: LEVEL } })).status, 201);
    await eventually(async () => (await metric(`apiserver_flowcontrol_nominal_limit_seats{priority_level="${LEVEL}"}`)) === 4, 'the level to be configured');
    // RBAC is read from the store's watch: wait until a create of the noisy user gets past authorization.
    await eventually(async () => {
      const s = await rawConnection(ts.port, ts.server.pki.ca.cert, noisy);
      sockets.push(s);
      const head = responseHead(s);
      s.write(`POST ${cmPath} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n[]`);
      return (await head).status === 400;
    }, 'the binding to take effect');
  });
  after(async () => {
    for (const s of sockets) s.destroy();
    admin?.close();
    await ts?.stop();
  });

  const metric = (series: string): Promise<number | undefined> => metricSample(admin, series);

  /** A create whose body never completes: it holds its seat once admitted. */
  async function heldWrite(who: KeyPair): Promise<{ socket: TLSSocket; head: ReturnType<typeof responseHead> }> {
    const socket = await rawConnection(ts.port, ts.server.pki.ca.cert, who);
    sockets.push(socket);
    socket.on('error', () => undefined);
    const head = responseHead(socket);
    head.catch(() => undefined);
    socket.write(`POST ${cmPath} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n{"apiVersion":`);
    return { socket, head };
  }

  /** A complete request's answer. */
  async function get(who: KeyPair): Promise<{ status: number; headers: string }> {
    const socket = await rawConnection(ts.port, ts.server.pki.ca.cert, who);
    sockets.push(socket);
    const head = responseHead(socket);
    socket.write(`GET ${cmPath} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
    return head;
  }

  /** How many requests of the level were estimated (work_estimated_seats_count, whatever the labels' order). */
  async function estimated(): Promise<number> {
    const line = (await admin.request('/metrics')).body.split('\n').find((l) => l.startsWith('apiserver_flowcontrol_work_estimated_seats_count{')
      && l.includes(`priority_level="${LEVEL}"`) && l.includes(`flow_schema="${LEVEL}"`));
    return Number(line?.split(' ')[1] ?? 0);
  }

  const series = (name: string) => `apiserver_flowcontrol_${name}{priority_level="${LEVEL}",flow_schema="${LEVEL}"}`;

  it('a request with a bad token while the level is full gets 401 at once: authentication comes before APF (no seat, no queue, no metric)', async () => {
    const running = [];
    for (let i = 0; i < 4; i++) running.push(await heldWrite(noisy));
    await eventually(async () => (await metric(series('current_executing_requests'))) === 4, 'the level full');
    const estimates = await estimated();
    const socket = await rawConnection(ts.port, ts.server.pki.ca.cert);
    sockets.push(socket);
    const head = responseHead(socket);
    socket.write(`GET ${cmPath} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer p2-not-a-token\r\nConnection: close\r\n\r\n`);
    // Upstream's DefaultBuildHandlerChain: WithAuthentication's failed handler answers before WithPriorityAndFairness
    // classifies (it would have queued the request here, then refused it 429 after the queue wait).
    const refused = await head;
    assert.equal(refused.status, 401);
    assert.doesNotMatch(refused.headers, /X-Kubernetes-PF-/i, 'not classified by APF');
    assert.equal(await metric(series('current_inqueue_requests')), 0);
    assert.equal(await metric(series('current_executing_requests')), 4);
    assert.equal(await estimated(), estimates, 'no work estimate made for it');
    for (const h of running) h.socket.write('"v1"]'.padEnd(26));
    assert.deepEqual((await Promise.all(running.map((h) => h.head))).map((a) => a.status), [400, 400, 400, 400]);
  });

  it('the noisy user runs on all 4 seats (no max-in-flight pool in front), fills its queue and gets 429; the quiet user waits in its own queue and is served', async () => {
    const running = [];
    for (let i = 0; i < 4; i++) running.push(await heldWrite(noisy));
    await eventually(async () => (await metric(series('current_executing_requests'))) === 4, '4 writes executing, where the mutating pool allows an ordinary user 2');
    const queued = [await heldWrite(noisy), await heldWrite(noisy)];
    await eventually(async () => (await metric(series('current_inqueue_requests'))) === 2, "2 more in the noisy user's queue");
    const refused = await get(noisy);
    assert.equal(refused.status, 429);
    assert.match(refused.headers, /\r\nRetry-After: 1\r\n/i);
    assert.match(refused.headers, /\r\nX-Kubernetes-PF-PriorityLevel-UID: [0-9a-f-]{36}\r\n/i);
    // The quiet user's request is not refused: it waits in its own queue while the noisy one still gets 429.
    const answer = get(quiet);
    await eventually(async () => (await metric(series('current_inqueue_requests'))) === 3, "the quiet user's request queued");
    assert.equal((await get(noisy)).status, 429);
    assert.equal(await metric(`apiserver_flowcontrol_rejected_requests_total{priority_level="${LEVEL}",flow_schema="${LEVEL}",reason="queue-full"}`), 2);
    // Seats free as the held bodies complete (malformed: 400 each); the quiet user is answered (403:
    // it may not list ConfigMaps, so authorization, which comes after APF, ran).
    for (const h of [...running, ...queued]) h.socket.write('"v1"]'.padEnd(26));
    const served = await answer;
    assert.equal(served.status, 403);
    assert.match(served.headers, /\r\nX-Kubernetes-PF-FlowSchema-UID: [0-9a-f-]{36}\r\n/i);
    assert.deepEqual((await Promise.all([...running, ...queued].map((h) => h.head))).map((a) => a.status), [400, 400, 400, 400, 400, 400]);
  });
});
