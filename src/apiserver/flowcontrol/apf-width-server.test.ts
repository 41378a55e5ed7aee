/**
 * API Priority and Fairness' request width and debug endpoints in the API server, through the real
 * HTTPS listener, as upstream's filter (server/filters/priority-and-fairness.go) with its work
 * estimator (util/flowcontrol/request) and debug handlers (apf_controller_debug.go).
 * The server's concurrency limit is 4 + 4 = 8 seats; a level of its own takes 7 of them
 * (ceil(8 * 1000 / 1245): the bootstrap levels share 245), lending and borrowing nothing, one user
 * per queue; its max seats per request are MAX(1, MIN(ceil(0.15 * 7), 7 / 1)) = 2. Holding 6 creates
 * leaves one seat: a GET runs, a LIST of 250+ ConfigMaps (2 x count / 100 seats, capped at 2) and a
 * watch with sendInitialEvents (count / 100) wait; a plain watch takes one seat and gives it back
 * once its initial events are out, and a watch once started keeps streaming whatever the level does.
 */
import { strict as assert } from 'node:assert';
import type { IncomingHttpHeaders } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { issueClientCertificate } from '../pki/pki.js';
import type { KeyPair } from '../pki/certs.js';
import type { ApiServer } from '../server.js';
import { eventually } from '../../testing/eventually.js';
import { RawClient } from '../../testing/raw-client.js';
import { rawConnection, responseHead } from '../../testing/raw-tls.js';
import { startTestServer, type TestServer } from '../../testing/test-cluster.js';
import { limitedLevel, metricSample, userSchema } from './testing/apf-fixtures.js';

const LEVEL = 'af-width';
const NS = 'af-width';
const USER = 'af-user';
const cmPath = `/api/v1/namespaces/${NS}/configmaps`;
const DUMP = '/debug/api_priority_and_fairness';

describe('APF request width, watch initialization and debug endpoints in the server', () => {
  let ts: TestServer & { server: ApiServer };
  let admin: RawClient;
  let user: KeyPair;
  let debugger_: KeyPair;
  const sockets: TLSSocket[] = [];

  before(async () => {
    ts = await startTestServer({ limits: { inflight: { readOnly: 4, mutating: 4 }, objectCountPollPeriodMs: 100 } });
    admin = new RawClient(ts.url, ts.dataDir);
    user = issueClientCertificate(ts.server.pki, USER, ['af-users']);
    debugger_ = issueClientCertificate(ts.server.pki, 'af-debugger', []);
    const rbac = '/apis/rbac.authorization.k8s.io/v1';
    const binding = (name: string, role: string, subject: object) => ({
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role }, subjects: [{ apiGroup: 'rbac.authorization.k8s.io', ...subject }],
    });
    // The level takes both users' requests, non-resource ones too (global-default has 1 seat of 8 here, lent away while idle).
    const schema = { ...userSchema(LEVEL, LEVEL, [USER, 'af-debugger'], 'ByUser'), metadata: { name: LEVEL } };
    schema.spec!.rules![0]!.nonResourceRules = [{ verbs: ['*'], nonResourceURLs: ['*'] }];
    const created = await Promise.all([
      admin.send('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }),
      admin.send('POST', `${rbac}/clusterroles`, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: LEVEL }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['create', 'get', 'list', 'watch'] }] }),
      admin.send('POST', `${rbac}/clusterrolebindings`, binding(LEVEL, LEVEL, { kind: 'Group', name: 'af-users' })),
      admin.send('POST', `${rbac}/clusterroles`, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'af-apf-debug' }, rules: [{ nonResourceURLs: [`${DUMP}/*`], verbs: ['get'] }] }),
      admin.send('POST', `${rbac}/clusterrolebindings`, binding('af-apf-debug', 'af-apf-debug', { kind: 'User', name: 'af-debugger' })),
      admin.send('POST', '/apis/flowcontrol.apiserver.k8s.io/v1/prioritylevelconfigurations', { apiVersion: 'flowcontrol.apiserver.k8s.io/v1', ...limitedLevel(LEVEL, { nominalConcurrencyShares: 1000, lendablePercent: 0, borrowingLimitPercent: 0, limitResponse: { type: 'Queue', queuing: { queues: 8, handSize: 1, queueLengthLimit: 10 } } }), metadata: { name: LEVEL } }),
      admin.send('POST', '/apis/flowcontrol.apiserver.k8s.io/v1/flowschemas', schema),
    ]);
    assert.deepEqual(created.map((r) => r.status), [201, 201, 201, 201, 201, 201, 201]);
    const objects = await Promise.all(Array.from({ length: 250 }, (_, i) => admin.send('POST', cmPath, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}` } })));
    assert.ok(objects.every((r) => r.status === 201));
    await eventually(async () => (await metric(`apiserver_flowcontrol_nominal_limit_seats{priority_level="${LEVEL}"}`)) === 7, 'the level to be configured');
    await eventually(async () => (await metric('apiserver_storage_objects{resource="configmaps"}') ?? 0) >= 250, 'the ConfigMaps to be counted');
    // RBAC is read from the store's watch: wait until the user's GET gets past authorization.
    await eventually(async () => (await request(user, 'GET', `${cmPath}/cm-0`)).status === 200, 'the binding to take effect');
  });
  after(async () => {
    for (const s of sockets) s.destroy();
    admin?.close();
    await ts?.stop();
  });

  const metric = (series: string): Promise<number | undefined> => metricSample(admin, series);
  const series = (name: string, extra = '') => `apiserver_flowcontrol_${name}{priority_level="${LEVEL}",flow_schema="${LEVEL}"${extra}}`;

  async function open(who: KeyPair): Promise<TLSSocket> {
    const s = await rawConnection(ts.port, ts.server.pki.ca.cert, who);
    sockets.push(s);
    s.on('error', () => undefined);
    return s;
  }
  /** A complete request's answer: its status and everything the server sent until it closed. */
  async function request(who: KeyPair, method: string, path: string): Promise<{ status: number; text: string }> {
    const s = await open(who);
    let text = '';
    s.on('data', (d: Buffer) => { text += d.toString(); });
    const ended = new Promise<void>((resolve) => s.once('close', () => resolve()));
    const head = responseHead(s);
    s.write(`${method} ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
    const { status } = await head;
    await ended;
    return { status, text };
  }
  /** A create whose body never completes: it holds its seat once admitted; `finish()` completes it (400). */
  async function heldCreate(): Promise<{ finish(): Promise<number> }> {
    const s = await open(user);
    const head = responseHead(s);
    head.catch(() => undefined);
    s.write(`POST ${cmPath} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n{"apiVersion":`);
    return { finish: async () => { s.write('"v1"]'.padEnd(26)); return (await head).status; } };
  }
  /** A watch whose stream the test reads: `text()` is everything received so far. */
  async function watch(who: KeyPair, query: string): Promise<{ head: Promise<{ status: number }>; text(): string }> {
    const s = await open(who);
    let text = '';
    s.on('data', (d: Buffer) => { text += d.toString(); });
    const head = responseHead(s);
    s.write(`GET ${cmPath}?watch=true&${query} HTTP/1.1\r\nHost: localhost\r\n\r\n`);
    return { head, text: () => text };
  }
  /** Holds creates until 6 of the level's 7 seats are taken. */
  async function holdSix(already: number): Promise<{ finish(): Promise<number> }[]> {
    const held = await Promise.all(Array.from({ length: 6 - already }, () => heldCreate()));
    await eventually(async () => (await metric(series('current_executing_seats'))) === 6, '6 seats taken by held creates');
    return held;
  }

  /** work_estimated_seats' cumulative counts of requests of at most 1 and at most 2 seats (whatever the labels' order). */
  async function estimated(): Promise<[number, number]> {
    const lines = (await admin.request('/metrics')).body.split('\n').filter((l) => l.startsWith('apiserver_flowcontrol_work_estimated_seats_bucket{')
      && l.includes(`priority_level="${LEVEL}"`) && l.includes(`flow_schema="${LEVEL}"`));
    const le = (b: string): number => Number(lines.find((l) => l.includes(`le="${b}"`))?.split(' ')[1] ?? 0);
    return [le('1'), le('2')];
  }

  it('a LIST of 250 ConfigMaps waits for 2 seats where a GET runs on the one left; both estimates in work_estimated_seats and dump_requests', async () => {
    const [one, two] = await estimated();
    const held = await holdSix(0);
    assert.equal((await request(user, 'GET', `${cmPath}/cm-1`)).status, 200, 'a GET takes the 7th seat and is answered');
    const list = request(user, 'GET', cmPath);
    await eventually(async () => (await metric(series('current_inqueue_requests'))) === 1, 'the LIST queued');
    assert.equal(await metric(series('current_inqueue_seats')), 2);
    const dump = (await admin.request(`${DUMP}/dump_requests?includeRequestDetails=1`)).body;
    const row = dump.split('\n').find((l) => l.startsWith(`${LEVEL},`))?.split(/,\s*/);
    assert.ok(row, dump);
    // PriorityLevelName, FlowSchemaName, QueueIndex, RequestIndexInQueue, FlowDistingsher, ArriveTime, InitialSeats, FinalSeats, AdditionalLatency, UserName, Verb, APIPath, ...
    assert.deepEqual([row[1], row[4], row[6], row[7], row[8], row[9], row[10], row[11], row[12], row[14], row[15]], [LEVEL, USER, '2', '0', '0s', USER, 'list', cmPath, NS, 'v1', 'configmaps']);
    assert.equal((await held[0]!.finish()), 400);
    assert.equal((await list).status, 200, 'the LIST runs once 2 seats are free');
    // 6 creates and a GET of 1 seat, a LIST of 2 (upstream's buckets 1, 2, 4, 10).
    assert.deepEqual(await estimated(), [one + 7, two + 8]);
    await Promise.all(held.slice(1).map((h) => h.finish()));
  });

  it('a watch holds its seats only until its initial events are out; with sendInitialEvents it takes count / 100 seats; once started no saturation ends it', async () => {
    const held = await holdSix(0);
    const plain = await watch(user, 'resourceVersion=0');
    assert.equal((await plain.head).status, 200, 'a plain watch takes the one free seat');
    await eventually(() => plain.text().includes('"name":"cm-249"'), 'its initial events');
    await eventually(async () => (await metric(series('current_executing_seats'))) === 6, 'its seat given back after initialization');
    const initial = await watch(user, 'sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan');
    await eventually(async () => (await metric(series('current_inqueue_seats'))) === 2, 'the watch with initial events waits for 2 seats');
    const verbs = (await admin.request(`${DUMP}/dump_requests?includeRequestDetails=1`)).body.split('\n').filter((l) => l.startsWith(`${LEVEL},`)).map((l) => l.split(/,\s*/)[10]);
    assert.deepEqual(verbs, ['watch']);
    await held[0]!.finish();
    assert.equal((await initial.head).status, 200);
    await eventually(() => initial.text().includes('k8s.io/initial-events-end'), 'its initial events and bookmark');
    await eventually(async () => (await metric(series('current_executing_seats'))) === 5, 'both watches hold no seat once initialized');
    // The level saturated again, and its queue full of the user's requests: the open watches go on.
    const more = await Promise.all([heldCreate(), heldCreate()]);
    await eventually(async () => (await metric(series('current_executing_seats'))) === 7, 'the level full');
    const queued = await Promise.all(Array.from({ length: 10 }, () => heldCreate()));
    await eventually(async () => (await metric(series('current_inqueue_requests'))) === 10, 'the queue full');
    assert.equal((await request(user, 'GET', cmPath)).status, 429);
    assert.equal((await admin.send('POST', cmPath, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'af-late' } })).status, 201);
    await eventually(() => plain.text().includes('"name":"af-late"') && initial.text().includes('"name":"af-late"'), 'both watches stream the new object');
    await Promise.all([...held.slice(1), ...more, ...queued].map((h) => h.finish()));
  });

  /** A watch over a WebSocket (as kubectl's and client-go's): its upgrade's answer, and the messages so far. */
  function webSocketWatch(who: KeyPair, query: string): { answer: Promise<{ status: number; headers: IncomingHttpHeaders }>; messages: string[]; ws: WebSocket } {
    const ws = new WebSocket(`${ts.url.replace('https', 'wss')}${cmPath}?watch=true&${query}`, { ca: ts.server.pki.ca.cert, cert: who.cert, key: who.key });
    const messages: string[] = [];
    ws.on('message', (m: Buffer) => messages.push(m.toString()));
    ws.on('error', () => undefined);
    const answer = new Promise<{ status: number; headers: IncomingHttpHeaders }>((resolve) => {
      ws.once('upgrade', (res) => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
      ws.once('unexpected-response', (_req, res) => { resolve({ status: res.statusCode ?? 0, headers: res.headers }); res.resume(); });
    });
    return { answer, messages, ws };
  }

  it('a WebSocket watch goes through APF as any watch: queued while the level is full, PF headers on its 101, its seat given back once initialized; 429 with a full queue', async () => {
    const held = [...await holdSix(0), await heldCreate()];
    await eventually(async () => (await metric(series('current_executing_seats'))) === 7, 'the level full');
    const w = webSocketWatch(user, 'resourceVersion=0');
    await eventually(async () => (await metric(series('current_inqueue_requests'))) === 1, 'the WebSocket watch queued');
    assert.equal(await held.pop()!.finish(), 400);
    const opened = await w.answer;
    assert.equal(opened.status, 101);
    assert.match(String(opened.headers['x-kubernetes-pf-prioritylevel-uid']), /^[0-9a-f-]{36}$/);
    await eventually(() => w.messages.some((m) => m.includes('"name":"cm-249"')), 'its initial events');
    await eventually(async () => (await metric(series('current_executing_seats'))) === 6, 'its seat given back after initialization');
    // The level full and the user's queue too: refused before the upgrade, as upstream's filter answers 429.
    held.push(await heldCreate());
    await eventually(async () => (await metric(series('current_executing_seats'))) === 7, 'the level full again');
    const queued = await Promise.all(Array.from({ length: 10 }, () => heldCreate()));
    await eventually(async () => (await metric(series('current_inqueue_requests'))) === 10, 'the queue full');
    const refused = await webSocketWatch(user, 'resourceVersion=0').answer;
    assert.equal(refused.status, 429);
    assert.equal(refused.headers['retry-after'], '1');
    assert.match(String(refused.headers['x-kubernetes-pf-flowschema-uid']), /^[0-9a-f-]{36}$/);
    w.ws.close();
    await Promise.all([...held, ...queued].map((h) => h.finish()));
  });

  it('a write with 20 watchers of its resource takes ceil(20 / 10) = 2 seats (final seats for the fan-out)', async () => {
    // Two watches of the user are open (the test before); 18 more, of the admin (exempt, counted all the same).
    const watches = await Promise.all(Array.from({ length: 18 }, () => watch(ts.server.pki.admin, 'resourceVersion=0')));
    await Promise.all(watches.map((w) => w.head));
    const [one, two] = await estimated();
    const s = await open(user);
    const head = responseHead(s);
    const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'af-fanout' } });
    s.write(`POST ${cmPath} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
    assert.equal((await head).status, 201);
    assert.deepEqual(await estimated(), [one, two + 1]);
  });

  it('the debug endpoints answer upstream text to system:masters and a ClusterRole on their nonResourceURLs, 403 otherwise', async () => {
    const levels = await admin.request(`${DUMP}/dump_priority_levels`);
    assert.equal(levels.status, 200);
    assert.match(String(levels.headers['content-type']), /^text\/plain/);
    const lines = levels.body.split('\n');
    assert.match(lines[0]!, /^PriorityLevelName,\s+ActiveQueues,\s+IsIdle,\s+IsQuiescing,\s+WaitingRequests,\s+ExecutingRequests,\s+DispatchedRequests,\s+RejectedRequests,\s+TimedoutRequests,\s+CancelledRequests$/);
    const ours = lines.find((l) => l.startsWith(`${LEVEL},`))!.split(/,\s*/);
    // Idle now; 2 requests rejected (the 429s above: a watch's GET, a WebSocket watch) and none timed out.
    assert.deepEqual([ours[1], ours[2], ours[3], ours[4], ours[5], ours[7], ours[8]], ['0', 'true', 'false', '0', '0', '2', '0']);
    assert.ok(Number(ours[6]) >= 20, `dispatched ${ours[6]}`);
    // The exempt level runs this very request.
    assert.deepEqual(lines.find((l) => l.startsWith('exempt,'))!.split(/,\s*/).slice(4, 6), ['0', '1']);
    const queues = await request(debugger_, 'GET', `${DUMP}/dump_queues`);
    assert.equal(queues.status, 200);
    const body = (await admin.request(`${DUMP}/dump_queues`)).body;
    assert.match(body.split('\n')[0]!, /^PriorityLevelName,\s+Index,\s+PendingRequests,\s+ExecutingRequests,\s+SeatsInUse,\s+NextDispatchR,\s+InitialSeatsSum,\s+MaxSeatsSum,\s+TotalWorkSum$/);
    const rows = body.split('\n').filter((l) => l.startsWith(`${LEVEL},`)).map((l) => l.split(/,\s*/));
    assert.deepEqual(rows.map((r) => r[1]), ['0', '1', '2', '3', '4', '5', '6', '7']);
    assert.ok(rows.every((r) => /^\d+\.\d{8}ss$/.test(r[5]!)), 'NextDispatchR in seat-seconds');
    const refused = await request(user, 'GET', `${DUMP}/dump_priority_levels`);
    assert.equal(refused.status, 403);
    assert.match(refused.text, /forbidden: User \\"af-user\\" cannot get path \\"\/debug\/api_priority_and_fairness\/dump_priority_levels\\"/);
  });
});
