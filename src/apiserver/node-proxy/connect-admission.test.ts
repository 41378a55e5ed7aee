/**
 * CONNECT admission of the proxies and of exec, as upstream's ConnectResource: the request's options
 * (PodProxyOptions, ServiceProxyOptions, NodeProxyOptions with the path after /proxy; PodExecOptions)
 * go through mutating, then validating webhooks and ValidatingAdmissionPolicies before the pod,
 * Service or node is looked up, and the target is asked for what the admitted options say (a mutating
 * webhook's path or command). A real API server, a webhook server and a fake node agent (HTTPS with a
 * cluster certificate of its node, answering with the path it was asked for) on loopback. The server
 * keeps an audit log (nodes/proxy at Request level, the rest at Metadata), where a webhook's
 * auditAnnotations and the dispatchers' own (mutation, patch, failed open) must land on the request's event.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../../api/meta.js';
import { RawClient } from '../../testing/raw-client.js';
import { eventually } from '../../testing/eventually.js';
import { startTestServer, type TestServer } from '../../testing/test-cluster.js';
import { startWebhookServer, type Handler, type TestWebhookServer } from '../admission/dynamic/testing/webhook-server.js';
import type { AdmissionRequest } from '../admission/dynamic/admission-review.js';
import { issueCertificate } from '../pki/certs.js';
import { portsOption } from './pod-target.js';
import { systemContext, type ApiServer } from '../server.js';
import type { AuditEvent } from '../audit/auditor.js';
import { parseAuditPolicy } from '../audit/policy.js';

const P = `connadm-${process.pid}-${Date.now().toString(36)}`;
const NS = P;
const NODE = `${P}-n1`;
let ts: TestServer & { server: ApiServer };
let hooks: TestWebhookServer;
let agent: Server;
let admin: RawClient;
const auditDir = mkdtempSync(join(tmpdir(), 'bosun-connadm-audit-'));
const auditLog = join(auditDir, 'audit.log');

const patch = (ops: object[]): ReturnType<Handler> => ({ allowed: true, patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(ops)).toString('base64') });

before(async () => {
  const policy = "apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: [{level: Request, resources: [{group: '', resources: [nodes/proxy]}]}, {level: Metadata}]";
  ts = await startTestServer({ audit: { policy: parseAuditPolicy(policy), path: auditLog } });
  admin = new RawClient(ts.url, ts.dataDir);
  hooks = await startWebhookServer({
    '/deny': () => ({ allowed: false, warnings: ['proxy with care'], auditAnnotations: { reason: 'no-proxy' }, status: { code: 403, reason: 'Forbidden', message: 'proxying is not allowed' } }),
    '/allow': () => ({ allowed: true }),
    // 'not/valid' makes `<webhook>/not/valid`, not a qualified name: upstream drops it.
    '/annotate': () => ({ allowed: true, auditAnnotations: { checked: 'yes', 'not/valid': 'x' } }),
    '/node-path': () => patch([{ op: 'replace', path: '/path', value: '/rewritten/p' }]),
    '/exec-command': () => patch([{ op: 'replace', path: '/command', value: ['echo', 'mutated'] }]),
  });
  const pair = issueCertificate({ commonName: `system:node:${NODE}`, organizations: ['system:nodes'], usage: 'server', dnsNames: [NODE], ips: ['127.0.0.1'], validDays: 1 }, ts.server.pki.ca);
  // The agent answers every request, and refuses every upgrade, with the path and query it was asked for;
  // an upgrade to forward port 200 it answers 200 OK, as a server ignoring Upgrade would.
  agent = createServer({ cert: pair.cert, key: pair.key }, (req, res) => res.writeHead(200, { 'Content-Type': 'text/plain' }).end(req.url));
  agent.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
    const body = req.url ?? '';
    if (body.endsWith('?port=200')) return void socket.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok');
    socket.end(`HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  });
  await new Promise<void>((r) => agent.listen(0, '127.0.0.1', r));
  const ctx = systemContext();
  const create = (resource: string, obj: object, ns?: string, group = '') => ts.server.storage(group, 'v1', resource)!.create(ctx, ns, obj as KubeObject);
  await create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS, labels: { [P]: 'true' } } });
  await create('nodes', {
    apiVersion: 'v1', kind: 'Node', metadata: { name: NODE },
    status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: (agent.address() as AddressInfo).port } } },
  });
  await create('pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: NS }, spec: { nodeName: NODE, containers: [{ name: 'c', image: 'busybox' }] } }, NS);
});
after(async () => {
  admin?.close();
  agent?.closeAllConnections();
  await new Promise((r) => agent?.close(r));
  await hooks?.close();
  await ts?.stop();
  rmSync(auditDir, { recursive: true, force: true });
});

const ctx = () => systemContext();
const registry = (resource: string) => ts.server.storage('admissionregistration.k8s.io', 'v1', resource)!;

/** A webhook configuration of one CONNECT webhook on `resource` (for this file's namespace or node only). */
async function register(kind: 'Mutating' | 'Validating', name: string, path: string, resource: string, operations = ['CONNECT'], failurePolicy = 'Fail'): Promise<() => Promise<unknown>> {
  const plural = `${kind.toLowerCase()}webhookconfigurations`;
  await registry(plural).create(ctx(), undefined, {
    apiVersion: 'admissionregistration.k8s.io/v1', kind: `${kind}WebhookConfiguration`, metadata: { name: `${P}-${name}` },
    webhooks: [{
      name: `${name}.bosun.test`, admissionReviewVersions: ['v1'], sideEffects: 'None', failurePolicy,
      clientConfig: { url: `https://127.0.0.1:${hooks.port}${path}`, caBundle: hooks.caBundle },
      rules: [{ apiGroups: [''], apiVersions: ['v1'], operations, resources: [resource] }],
      namespaceSelector: { matchLabels: { [P]: 'true' } },
      matchConditions: [{ name: 'this-file', expression: `request.namespace == '${NS}' || request.name == '${NODE}'` }],
    }],
  } as KubeObject);
  return () => registry(plural).delete(ctx(), undefined, `${P}-${name}`, {});
}

/** The ResponseComplete events of requests to `uri` that were answered with `code`. */
const audited = (uri: string, code: number): AuditEvent[] => readFileSync(auditLog, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as AuditEvent)
  .filter((e) => e.requestURI === uri && e.stage === 'ResponseComplete' && e.responseStatus?.code === code);

/** The annotations the webhook dispatchers add (mutation, patch, failed open) of an event. */
const dispatcherAnnotations = (e: AuditEvent | undefined): Record<string, string> =>
  Object.fromEntries(Object.entries(e?.annotations ?? {}).filter(([k]) => /^(failed-open\.)?(mutation|patch)\.webhook\.admission\.k8s\.io\//.test(k)));

const reviewed = (path: string): AdmissionRequest | undefined => hooks.received.get(path)?.at(-1);
const summary = (r: AdmissionRequest | undefined) => r && { kind: r.kind, resource: r.resource.resource, subResource: r.subResource, operation: r.operation, name: r.name, object: r.object };

test("a validating webhook on CONNECT pods/proxy refuses the request with the webhook's status and warning before the pod is read; the review carries PodProxyOptions", async () => {
  const unregister = await register('Validating', 'deny-pod-proxy', '/deny', 'pods/proxy');
  // Before the configuration is in effect the request reaches the handler: no such pod (404).
  const path = `/api/v1/namespaces/${NS}/pods/absent/proxy/some/path/`;
  const r = await eventually(async () => { const x = await admin.request(path); return x.status !== 404 && x; }, 'the webhook to be in effect');
  assert.equal(r.status, 403);
  assert.equal(r.headers.warning, '299 - "proxy with care"', "the webhook's warning comes with its refusal");
  assert.deepEqual(r.json, {
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Forbidden', code: 403,
    message: 'admission webhook "deny-pod-proxy.bosun.test" denied the request: proxying is not allowed',
  });
  assert.deepEqual(summary(reviewed('/deny')), {
    kind: { group: '', version: 'v1', kind: 'PodProxyOptions' }, resource: 'pods', subResource: 'proxy', operation: 'CONNECT', name: 'absent',
    object: { kind: 'PodProxyOptions', apiVersion: 'v1', path: '/some/path/' },
  });
  assert.equal(audited(path, 403).at(-1)?.annotations?.['deny-pod-proxy.bosun.test/reason'], 'no-proxy', "the refusing webhook's audit annotation is on the event");
  // An upgrade (a WebSocket to the pod) is admitted the same way, before the pod is looked up.
  const upgrade = await admin.request(path, { headers: { Connection: 'Upgrade', Upgrade: 'websocket' } });
  assert.equal(upgrade.status, 403);
  assert.equal(upgrade.json?.message, 'admission webhook "deny-pod-proxy.bosun.test" denied the request: proxying is not allowed');
  assert.equal(upgrade.headers.warning, '299 - "proxy with care"');
  await unregister();
});

test("a ValidatingAdmissionPolicy on CONNECT services/proxy refuses by the options' path and lets other paths through; its Audit binding (after the Deny one) and auditAnnotations are on the events", async () => {
  await registry('validatingadmissionpolicies').create(ctx(), undefined, {
    apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata: { name: `${P}-svc` },
    spec: {
      failurePolicy: 'Fail',
      matchConstraints: { resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CONNECT'], resources: ['services/proxy'] }] },
      validations: [{ expression: "object.kind == 'ServiceProxyOptions' && !(has(object.path) && object.path.startsWith('/private'))", reason: 'Forbidden', message: 'private paths are not proxied' }],
      auditAnnotations: [{ key: 'path', valueExpression: 'has(object.path) ? object.path : null' }],
    },
  } as KubeObject);
  // Bindings run in name order: the Audit one (created first, so in effect with the other) comes after the Deny one.
  const bind = (name: string, validationActions: string[]) => registry('validatingadmissionpolicybindings').create(ctx(), undefined, {
    apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding', metadata: { name },
    spec: { policyName: `${P}-svc`, validationActions, matchResources: { namespaceSelector: { matchLabels: { [P]: 'true' } } } },
  } as KubeObject);
  await bind(`${P}-svc-audit`, ['Audit']);
  await bind(`${P}-svc`, ['Deny']);
  const base = `/api/v1/namespaces/${NS}/services/svc/proxy`;
  const r = await eventually(async () => { const x = await admin.request(`${base}/private/x`); return x.status !== 404 && x; }, 'the policy to be in effect');
  assert.equal(r.status, 403);
  assert.equal(r.json?.message, `ValidatingAdmissionPolicy '${P}-svc' with binding '${P}-svc' denied request: private paths are not proxied`);
  const failure = [{ message: 'private paths are not proxied', policy: `${P}-svc`, binding: `${P}-svc-audit`, expressionIndex: 0, validationActions: ['Audit'] }];
  const refused = audited(`${base}/private/x`, 403).at(-1)?.annotations;
  assert.deepEqual([refused?.['validation.policy.admission.k8s.io/validation_failure'], refused?.[`${P}-svc/path`]], [JSON.stringify(failure), '/private/x']);
  // Admitted: the handler answers (no such Service's endpoints).
  assert.equal((await admin.request(`${base}/public`)).status, 404);
  const admitted = audited(`${base}/public`, 404).at(-1)?.annotations;
  assert.deepEqual([admitted?.['validation.policy.admission.k8s.io/validation_failure'], admitted?.[`${P}-svc/path`]], [undefined, '/public']);
  await registry('validatingadmissionpolicybindings').delete(ctx(), undefined, `${P}-svc-audit`, {});
  await registry('validatingadmissionpolicybindings').delete(ctx(), undefined, `${P}-svc`, {});
  await registry('validatingadmissionpolicies').delete(ctx(), undefined, `${P}-svc`, {});
});

test("a mutating webhook's NodeProxyOptions path is the path the node is asked for, and the one validation sees", async () => {
  const unMutate = await register('Mutating', 'node-path', '/node-path', 'nodes/proxy');
  const unValidate = await register('Validating', 'node-path-seen', '/allow', 'nodes/proxy');
  const r = await eventually(async () => {
    const x = await admin.request(`/api/v1/nodes/${NODE}/proxy/original?x=1`);
    return x.body !== '/original?x=1' && x;
  }, 'the webhooks to be in effect');
  assert.equal(r.body, '/rewritten/p?x=1', 'the query is the request\'s, the path the webhook\'s');
  // An upgrade through nodes/proxy goes to the same admitted path; the agent's refusal comes back as it is.
  const upgrade = await admin.request(`/api/v1/nodes/${NODE}/proxy/original?x=1`, { headers: { Connection: 'Upgrade', Upgrade: 'SPDY/3.1' } });
  assert.deepEqual({ status: upgrade.status, body: upgrade.body }, { status: 400, body: '/rewritten/p?x=1' });
  assert.deepEqual(reviewed('/node-path')?.object, { kind: 'NodeProxyOptions', apiVersion: 'v1', path: '/original' });
  assert.deepEqual(summary(reviewed('/allow')), {
    kind: { group: '', version: 'v1', kind: 'NodeProxyOptions' }, resource: 'nodes', subResource: 'proxy', operation: 'CONNECT', name: NODE,
    object: { kind: 'NodeProxyOptions', apiVersion: 'v1', path: '/rewritten/p' },
  });
  // nodes/proxy is audited at Request level: the patch is logged with the mutation.
  const who = { configuration: `${P}-node-path`, webhook: 'node-path.bosun.test' };
  assert.deepEqual(dispatcherAnnotations(audited(`/api/v1/nodes/${NODE}/proxy/original?x=1`, 200).at(-1)), {
    'mutation.webhook.admission.k8s.io/round_0_index_0': JSON.stringify({ ...who, mutated: true }),
    'patch.webhook.admission.k8s.io/round_0_index_0': JSON.stringify({ ...who, patch: [{ op: 'replace', path: '/path', value: '/rewritten/p' }], patchType: 'JSONPatch' }),
  });
  await unMutate();
  await unValidate();
});

test("a mutating webhook's PodExecOptions command is the command the node is asked to run", async () => {
  const unregister = await register('Mutating', 'exec-command', '/exec-command', 'pods/exec');
  const exec = `/api/v1/namespaces/${NS}/pods/p/exec?command=rm&command=-rf&container=c&stdout=true`;
  // A plain SPDY upgrade is relayed to the agent, whose refusal carries the URL it was asked for.
  const upgrade = { method: 'POST', headers: { Connection: 'Upgrade', Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': 'v4.channel.k8s.io' } };
  const sent = `/exec/${NS}/p/c?command=rm&command=-rf&output=1`;
  const r = await eventually(async () => { const x = await admin.request(exec, upgrade); return x.body !== sent && x; }, 'the webhook to be in effect');
  assert.equal(r.status, 400);
  assert.equal(r.body, `/exec/${NS}/p/c?command=echo&command=mutated&output=1`);
  assert.deepEqual(reviewed('/exec-command')?.object, { kind: 'PodExecOptions', apiVersion: 'v1', stdout: true, container: 'c', command: ['rm', '-rf'] });
  // pods/exec is audited at Metadata level: the mutation is logged, the patch (request data) is not.
  const mutated = await eventually(() => audited(exec, 400).map(dispatcherAnnotations).find((a) => Object.keys(a).length > 0), 'the upgrade audited');
  assert.deepEqual(mutated, { 'mutation.webhook.admission.k8s.io/round_0_index_0': JSON.stringify({ configuration: `${P}-exec-command`, webhook: 'exec-command.bosun.test', mutated: true }) });
  await unregister();
});

// kubectl 1.32 receives the header on its SPDY fallback (-v=8 lists it) but prints no `Warning:` line for a
// refused upgrade: a client matter (its stream executors report only the Status), so not checked here.
test("a validating webhook's refusal of an exec upgrade (SPDY, WebSocket) carries its warning, and its audit annotation is on the upgrade's event", async () => {
  const unregister = await register('Validating', 'deny-exec', '/deny', 'pods/exec');
  const exec = `/api/v1/namespaces/${NS}/pods/p/exec?command=true&container=c&stdout=true`;
  const spdy = { method: 'POST', headers: { Connection: 'Upgrade', Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': 'v4.channel.k8s.io' } };
  const r = await eventually(async () => { const x = await admin.request(exec, spdy); return x.status === 403 && x; }, 'the webhook to be in effect');
  assert.equal(r.headers.warning, '299 - "proxy with care"');
  assert.equal(JSON.parse(r.body).message, 'admission webhook "deny-exec.bosun.test" denied the request: proxying is not allowed');
  const ws = await admin.request(exec, { method: 'GET', headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Protocol': 'v5.channel.k8s.io' } });
  assert.deepEqual([ws.status, ws.headers.warning], [403, '299 - "proxy with care"']);
  // Upgrade events complete when the socket closes.
  const events = await eventually(() => { const e = audited(exec, 403); return e.length >= 2 && e; }, 'both refusals audited');
  for (const e of events) assert.equal(e.annotations?.['deny-exec.bosun.test/reason'], 'no-proxy');
  await unregister();
});

test("a webhook's audit annotations on a create are on its event as <webhook name>/<key>; a key that is not a qualified name is dropped; a mutating webhook that fails open is noted", async () => {
  const unregister = await register('Validating', 'annotate-cm', '/annotate', 'configmaps', ['CREATE']);
  // No handler at /absent: a 404, ignored under failurePolicy Ignore.
  const unOpen = await register('Mutating', 'open-cm', '/absent', 'configmaps', ['CREATE'], 'Ignore');
  const uri = `/api/v1/namespaces/${NS}/configmaps`;
  let n = 0;
  const created = await eventually(async () => {
    const r = await admin.send('POST', uri, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${n++}` } });
    assert.equal(r.status, 201);
    return [hooks.received.get('/annotate'), hooks.received.get('/absent')].every((l) => l?.some((q) => q.name === `cm-${n - 1}`)) && r;
  }, 'the webhooks to be in effect');
  assert.ok(created);
  const annotations = audited(uri, 201).at(-1)?.annotations ?? {};
  assert.equal(annotations['annotate-cm.bosun.test/checked'], 'yes');
  assert.deepEqual(Object.keys(annotations).filter((k) => k.startsWith('annotate-cm.')), ['annotate-cm.bosun.test/checked']);
  assert.equal(annotations['authorization.k8s.io/decision'], 'allow', "the router's annotations stay");
  assert.deepEqual(dispatcherAnnotations(audited(uri, 201).at(-1)), {
    'failed-open.mutation.webhook.admission.k8s.io/round_0_index_0': 'open-cm.bosun.test',
    'mutation.webhook.admission.k8s.io/round_0_index_0': JSON.stringify({ configuration: `${P}-open-cm`, webhook: 'open-cm.bosun.test', mutated: false }),
  });
  await unregister();
  await unOpen();
});

test("portforward's ports are decoded as upstream's []int32 conversion: a value that is not a port is the request's 400, not dropped", async () => {
  assert.deepEqual(portsOption(['80', '81,8080']), [80, 81, 8080]);
  assert.deepEqual(portsOption([]), []);
  for (const bad of ['http', '80,', '-1', '65536', ' 80', '0x50']) assert.throws(() => portsOption([bad]), /cannot convert to \[\]int32/, bad);
  const upgrade = { method: 'POST', headers: { Connection: 'Upgrade', Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': 'portforward.k8s.io' } };
  const refused = await admin.request(`/api/v1/namespaces/${NS}/pods/p/portforward?ports=8080,http`, upgrade);
  assert.equal(refused.status, 400);
  const status = JSON.parse(refused.body) as { kind: string; reason: string; message: string };
  assert.equal(status.kind, 'Status');
  assert.equal(status.reason, 'BadRequest');
  assert.match(status.message, /parsing "http": invalid syntax/);
  // A good list reaches the node (whose refusal carries the URL it was asked for).
  const relayed = await admin.request(`/api/v1/namespaces/${NS}/pods/p/portforward?ports=8080,9090`, upgrade);
  assert.equal(relayed.body, `/portForward/${NS}/p?port=8080&port=9090`);
});

test('a relayed upgrade the node answers with neither a 101 nor a refusal (>= 400) is upstream\'s 500 "invalid upgrade response", reason ""', async () => {
  const upgrade = { method: 'POST', headers: { Connection: 'Upgrade', Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': 'portforward.k8s.io' } };
  const r = await admin.request(`/api/v1/namespaces/${NS}/pods/p/portforward?ports=200`, upgrade);
  assert.equal(r.status, 500);
  // A plain error (tryUpgrade's fmt.Errorf) to the responder: reason "" (StatusReasonUnknown), absent from the body.
  const status = JSON.parse(r.body) as { reason?: string; message: string };
  assert.deepEqual(['reason' in status, status.message], [false, 'invalid upgrade response: status code 200']);
});

test('a node without a usable address or whose agent is not reached: plain errors, 500 without reason (GetConnectionInfo, LocationStreamer, dial)', async () => {
  const closed = createServer().listen(0, '127.0.0.1');
  await new Promise((r) => closed.once('listening', r));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((r) => closed.close(r));
  const ctx = systemContext();
  const [nodes, pods] = [ts.server.storage('', 'v1', 'nodes')!, ts.server.storage('', 'v1', 'pods')!];
  await nodes.create(ctx, undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name: `${P}-bare` }, status: { addresses: [{ type: 'InternalDNS', address: 'd' }] } } as KubeObject);
  await nodes.create(ctx, undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name: `${P}-gone` }, status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: port } } } } as KubeObject);
  for (const [pod, node] of [['bare', `${P}-bare`], ['gone', `${P}-gone`]]) await pods.create(ctx, NS, { apiVersion: 'v1', kind: 'Pod', metadata: { name: pod, namespace: NS }, spec: { nodeName: node, containers: [{ name: 'c', image: 'busybox' }] } } as KubeObject);
  const plain = async (path: string, init?: Parameters<typeof admin.request>[1]): Promise<string> => {
    const r = await admin.request(`/api/v1/namespaces/${NS}/pods/${path}`, init);
    const st = JSON.parse(r.body) as { code: number; reason?: string; message: string };
    assert.deepEqual([r.status, st.code, 'reason' in st], [500, 500, false], r.body);
    return st.message;
  };
  const upgrade = { method: 'POST', headers: { Connection: 'Upgrade', Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': 'portforward.k8s.io' } };
  for (const path of ['bare/log', 'bare/portforward?ports=80']) assert.equal(await plain(path, path.includes('portforward') ? upgrade : undefined), 'no preferred addresses found; known addresses: [{InternalDNS d}]', path);
  assert.match(await plain('gone/log'), new RegExp(`^Get "https://127\\.0\\.0\\.1:${port}/containerLogs/${NS}/gone/c": connect ECONNREFUSED`));
  assert.match(await plain('gone/portforward?ports=80', upgrade), /^error dialing backend: connect ECONNREFUSED/);
});
