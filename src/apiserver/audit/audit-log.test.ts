/**
 * The audit log with the real kubectl: audit.k8s.io/v1 Events as upstream writes them (stages,
 * levels from the policy, objectRef completed from the body, responseStatus, the authorization
 * annotations), Secret data never in the log even under a RequestResponse rule, and rotation by
 * size keeping --audit-log-maxbackup files. Policy matching follows upstream's
 * pkg/audit/policy/checker.go (rule order, resources with subresources, nonResourceURLs prefixes).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnServer, startTestServer, type TestServer } from '../../testing/test-cluster.js';
import { kubectlOk } from '../../testing/kubectl-ok.js';
import type { AuditEvent } from './auditor.js';
import { evaluatePolicy, parseAuditPolicy } from './policy.js';
import { AuditLogFile } from './log-file.js';
import { request } from 'node:https';
import WebSocket from 'ws';
import type { ApiServer } from '../server.js';
import { issueClientCertificate } from '../pki/pki.js';
import type { KeyPair } from '../pki/certs.js';
import { eventually } from '../../testing/eventually.js';

const POLICY = parseAuditPolicy(`apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: None
    nonResourceURLs: ['/api', '/api/*', '/apis', '/apis/*', '/openapi/*', '/version']
  - level: RequestResponse
    resources: [{group: '', resources: [secrets, configmaps]}]
  - level: Request
    verbs: [create]
    namespaces: [audit-a]
    omitStages: [ResponseComplete]
  - level: Metadata
`);

const readEvents = (file: string): AuditEvent[] => readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as AuditEvent);

describe('audit policy matching', () => {
  const p = parseAuditPolicy(`apiVersion: audit.k8s.io/v1
kind: Policy
rules:
  - {level: None, users: [system:kube-proxy], verbs: [watch]}
  - {level: RequestResponse, resources: [{group: '', resources: ['pods/log', '*/status']}]}
  - {level: Request, resources: [{group: apps, resources: [deployments], resourceNames: [web]}]}
  - {level: Metadata, userGroups: [system:nodes], omitStages: [RequestReceived]}
  - {level: Request, nonResourceURLs: ['/healthz*']}
`);
  const at = (user: string, groups: string[], verb: string, path: string, resource?: Parameters<typeof evaluatePolicy>[1]['resource']) =>
    evaluatePolicy(p, { user, groups, verb, path, resource });
  it('first matching rule wins; subresources, resourceNames and URL prefixes as upstream; no match is None', () => {
    assert.equal(at('system:kube-proxy', [], 'watch', '/api/v1/services', { group: '', resource: 'services' }).level, 'None');
    assert.equal(at('u', [], 'get', '/api/v1/namespaces/a/pods/p/log', { group: '', resource: 'pods', subresource: 'log', namespace: 'a', name: 'p' }).level, 'RequestResponse');
    assert.equal(at('u', [], 'update', '/x', { group: '', resource: 'nodes', subresource: 'status', name: 'n' }).level, 'RequestResponse');
    assert.equal(at('u', [], 'get', '/x', { group: '', resource: 'pods', namespace: 'a', name: 'p' }).level, 'None');
    assert.equal(at('u', [], 'get', '/x', { group: 'apps', resource: 'deployments', namespace: 'a', name: 'web' }).level, 'Request');
    assert.equal(at('u', [], 'get', '/x', { group: 'apps', resource: 'deployments', namespace: 'a', name: 'other' }).level, 'None');
    const node = at('system:node:n1', ['system:nodes'], 'get', '/api/v1/nodes/n1', { group: '', resource: 'nodes', name: 'n1' });
    assert.deepEqual([node.level, node.omitStages], ['Metadata', ['RequestReceived']]);
    assert.equal(at('u', [], 'get', '/healthz/ready').level, 'Request');
    assert.equal(at('u', [], 'get', '/livez').level, 'None');
  });
  it('refuses a bad policy naming the field', () => {
    assert.throws(() => parseAuditPolicy('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: [{level: Everything}]', 'p.yaml'), /loading audit policy file "p\.yaml": rules\[0\]\.level: Unsupported value: "Everything"/);
    assert.throws(() => parseAuditPolicy('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: [{level: Metadata, omitStages: [Sometimes]}]'), /rules\[0\]\.omitStages\[0\]: Unsupported value: "Sometimes"/);
    assert.throws(() => parseAuditPolicy('apiVersion: audit.k8s.io/v1beta1\nkind: Policy\nrules: []'), /want Policy in audit\.k8s\.io\/v1/);
  });
});

describe('audit log with the real kubectl', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bosun-audit-'));
  const logPath = join(dir, 'audit.log');
  let server: TestServer & { server: ApiServer };
  before(async () => {
    server = await startTestServer({ audit: { policy: POLICY, path: logPath } });
  });
  after(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes Events with upstream\'s fields at the policy\'s levels; Secret data never appears', async () => {
    const secretValue = `audit-secret-${randomBytes(8).toString('hex')}`;
    await kubectlOk(server, ['create', 'namespace', 'audit-a']);
    await kubectlOk(server, ['create', 'configmap', 'cm1', '-n', 'audit-a', '--from-literal=k=visible-cm-value']);
    await kubectlOk(server, ['create', 'secret', 'generic', 's1', '-n', 'audit-a', `--from-literal=password=${secretValue}`]);
    await kubectlOk(server, ['get', 'secret', 's1', '-n', 'audit-a', '-o', 'yaml']);
    await kubectlOk(server, ['create', 'serviceaccount', 'sa1', '-n', 'audit-a']);
    await kubectlOk(server, ['get', '--raw', '/api/v1/namespaces/audit-a/configmaps?watch=1&timeoutSeconds=1']);
    const nf = await server.kubectl(['get', 'configmap', 'missing', '-n', 'audit-a']);
    assert.notEqual(nf.code, 0);
    // A user without any role: RBAC's 403, logged as a forbid decision; one with a binding: allow
    // with RBAC's reason.
    const listPods = (who: KeyPair) => new Promise<number>((resolve, reject) => {
      request(new URL('/api/v1/namespaces/audit-a/pods', server.url), { ca: server.server.pki.ca.cert, cert: who.cert, key: who.key, agent: false }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      }).on('error', reject).end();
    });
    assert.equal(await listPods(issueClientCertificate(server.server.pki, 'audit-nobody', ['audit-nobodies'])), 403);
    await kubectlOk(server, ['create', 'clusterrole', 'audit-reader', '--verb=list', '--resource=pods']);
    await kubectlOk(server, ['create', 'clusterrolebinding', 'audit-reader', '--clusterrole=audit-reader', '--user=audit-reader']);
    const reader = issueClientCertificate(server.server.pki, 'audit-reader', []);
    await eventually(async () => (await listPods(reader)) === 200, 'the binding to take effect');
    // An exec upgrade (SPDY, as kubectl sends it) for a pod that does not exist: audited with its refusal.
    const upgraded = await new Promise<number>((resolve, reject) => {
      const admin = { cert: readFileSync(join(server.dataDir, 'pki', 'admin.crt')), key: readFileSync(join(server.dataDir, 'pki', 'admin.key')) };
      request(new URL('/api/v1/namespaces/default/pods/no-such-pod/exec?command=true&stdout=true', server.url), {
        method: 'POST', ca: server.server.pki.ca.cert, ...admin, agent: false,
        headers: { Connection: 'Upgrade', Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': 'v4.channel.k8s.io' },
      }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on('upgrade', (res, socket) => {
        socket.destroy();
        resolve(res.statusCode ?? 0);
      }).on('error', reject).end();
    });
    assert.equal(upgraded, 404);
    // A watch over WebSocket: upgraded (101), then closed by the client.
    const ws = new WebSocket(`${server.url.replace('https:', 'wss:')}/api/v1/namespaces/default/secrets?watch=1`, {
      ca: server.server.pki.ca.cert, cert: readFileSync(join(server.dataDir, 'pki', 'admin.crt')), key: readFileSync(join(server.dataDir, 'pki', 'admin.key')),
    });
    await new Promise<void>((resolve, reject) => ws.once('open', () => resolve()).once('error', reject));
    ws.close();
    await eventually(() => readEvents(logPath).some((e) => e.verb === 'watch' && e.objectRef?.resource === 'secrets' && e.stage === 'ResponseComplete'), 'the WebSocket watch\'s ResponseComplete');
    // The admin acting as another user (kubectl --as): both users in the event.
    await server.kubectl(['get', 'configmaps', '-n', 'audit-a', '--as=audit-imp', '--as-group=audit-imps']);

    // The exec's connection closes after its answer: its last stage may follow the client's reading.
    await eventually(() => readEvents(logPath).some((e) => e.objectRef?.subresource === 'exec' && e.stage === 'ResponseComplete'), 'the exec\'s ResponseComplete');
    const text = readFileSync(logPath, 'utf8');
    assert.equal(text.includes(secretValue), false, 'secret value in the audit log');
    assert.equal(text.includes(Buffer.from(secretValue).toString('base64')), false, 'secret data in the audit log');
    const events = readEvents(logPath);
    for (const e of events) {
      assert.equal(e.kind, 'Event');
      assert.equal(e.apiVersion, 'audit.k8s.io/v1');
      assert.match(e.auditID, /^[0-9a-f-]{36}$/);
      assert.match(e.requestReceivedTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
      assert.ok(e.stageTimestamp >= e.requestReceivedTimestamp);
      assert.notEqual(e.stage, 'RequestReceived', 'omitted by the policy');
      assert.ok(!e.requestURI.startsWith('/api?') && e.requestURI !== '/api' && !e.requestURI.startsWith('/openapi'), 'discovery is level None');
    }
    const find = (pred: (e: AuditEvent) => boolean, what: string): AuditEvent => {
      const e = events.find(pred);
      assert.ok(e, `no event for ${what}: ${JSON.stringify(events.map((x) => `${x.stage} ${x.verb} ${x.requestURI}`))}`);
      return e;
    };
    // ConfigMaps at RequestResponse: request and response objects, name from the body.
    const cm = find((e) => e.verb === 'create' && e.objectRef?.resource === 'configmaps', 'configmap create');
    assert.equal(cm.level, 'RequestResponse');
    assert.equal(cm.stage, 'ResponseComplete');
    assert.deepEqual(cm.objectRef, { resource: 'configmaps', namespace: 'audit-a', name: 'cm1', apiVersion: 'v1' });
    assert.deepEqual(cm.responseStatus, { metadata: {}, code: 201 });
    assert.equal((cm.requestObject as { data: { k: string } }).data.k, 'visible-cm-value');
    assert.equal((cm.responseObject as { metadata: { name: string } }).metadata.name, 'cm1');
    assert.match(cm.userAgent ?? '', /^kubectl/);
    assert.ok(cm.sourceIPs.includes('127.0.0.1'));
    assert.ok(cm.user.groups?.includes('system:masters'));
    assert.equal(cm.annotations?.['authorization.k8s.io/decision'], 'allow');
    assert.equal(typeof cm.annotations?.['authorization.k8s.io/reason'], 'string');
    // Secrets: capped at Metadata although the rule says RequestResponse.
    for (const verb of ['create', 'get']) {
      const s = find((e) => e.verb === verb && e.objectRef?.resource === 'secrets', `secret ${verb}`);
      assert.equal(s.level, 'Metadata');
      assert.equal(s.requestObject, undefined);
      assert.equal(s.responseObject, undefined);
      assert.equal(s.objectRef?.name, 's1');
    }
    // The create rule in audit-a: Request level, and its ResponseComplete stage omitted (so no event at all).
    assert.equal(events.some((e) => e.objectRef?.resource === 'serviceaccounts' && e.verb === 'create'), false);
    // Metadata for the namespace create (no rule above matches it).
    const ns = find((e) => e.verb === 'create' && e.objectRef?.resource === 'namespaces', 'namespace create');
    assert.equal(ns.level, 'Metadata');
    assert.equal(ns.requestObject, undefined);
    // A watch: ResponseStarted then ResponseComplete with one auditID.
    const watch = events.filter((e) => e.verb === 'watch' && e.objectRef?.resource === 'configmaps');
    assert.deepEqual(watch.map((e) => e.stage), ['ResponseStarted', 'ResponseComplete']);
    assert.equal(watch[0]!.auditID, watch[1]!.auditID);
    assert.deepEqual(watch[1]!.responseStatus, { metadata: {}, code: 200 });
    // The denied request: decision forbid, user as authenticated, the 403 Status.
    const forbid = find((e) => e.user.username === 'audit-nobody', 'the forbidden list');
    assert.deepEqual(forbid.annotations, { 'authorization.k8s.io/decision': 'forbid', 'authorization.k8s.io/reason': '' });
    assert.equal(forbid.verb, 'list');
    assert.equal(forbid.responseStatus?.code, 403);
    assert.equal(forbid.responseStatus?.reason, 'Forbidden');
    const allowed = events.filter((e) => e.user.username === 'audit-reader').at(-1)!;
    assert.deepEqual(allowed.annotations, {
      'authorization.k8s.io/decision': 'allow',
      'authorization.k8s.io/reason': 'RBAC: allowed by ClusterRoleBinding "audit-reader" of ClusterRole "audit-reader" to User "audit-reader"',
    });
    const imp = find((e) => e.impersonatedUser?.username === 'audit-imp', 'the impersonated list');
    assert.ok(imp.user.groups?.includes('system:masters'));
    assert.deepEqual(imp.impersonatedUser?.groups.sort(), ['audit-imps', 'system:authenticated']);
    const wsWatch = events.filter((e) => e.verb === 'watch' && e.objectRef?.resource === 'secrets');
    assert.deepEqual(wsWatch.map((e) => [e.stage, e.responseStatus?.code]), [['ResponseStarted', 101], ['ResponseComplete', 101]]);
    const exec = events.filter((e) => e.objectRef?.subresource === 'exec');
    assert.deepEqual(exec.map((e) => [e.stage, e.verb, e.objectRef?.name, e.responseStatus?.code]), [['ResponseComplete', 'create', 'no-such-pod', 404]]);
    assert.equal(exec[0]!.annotations?.['authorization.k8s.io/decision'], 'allow');
    // A failure's Status.
    const missing = find((e) => e.verb === 'get' && e.objectRef?.name === 'missing', 'get missing');
    const { details, ...status } = missing.responseStatus!;
    assert.deepEqual(status, { metadata: {}, status: 'Failure', message: 'configmaps "missing" not found', reason: 'NotFound', code: 404 });
    assert.equal((details as { name: string }).name, 'missing');
  });
});

describe('audit log rotation', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bosun-audit-rot-'));
  const logPath = join(dir, 'audit.log');
  let server: TestServer;
  before(async () => {
    const policy = parseAuditPolicy('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: [{level: RequestResponse}]');
    server = await startTestServer({ audit: { policy, path: logPath, maxSizeBytes: 8 * 1024, maxBackups: 2 } });
  });
  after(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('rotates past the size into <name>-<time>.log files and keeps --audit-log-maxbackup of them', async () => {
    for (let i = 0; i < 6; i++) await kubectlOk(server, ['create', 'configmap', `rot-${i}`, `--from-literal=k=${'x'.repeat(1500)}`]);
    const backups = readdirBackups(dir);
    assert.equal(backups.length, 2, `backups: ${backups.join(', ')}`);
    for (const f of [logPath, ...backups.map((b) => join(dir, b))]) {
      assert.ok(readFileSync(f).length <= 8 * 1024, `${f} over the limit`);
      for (const e of readEvents(f)) assert.equal(e.kind, 'Event');
    }
  });
});

describe('bosun server --audit-policy-file --audit-log-path', () => {
  it('logs through the flags; a bad policy stops the start with the field at fault', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bosun-audit-flags-'));
    try {
      const policy = join(dir, 'policy.yaml');
      const log = join(dir, 'audit.log');
      writeFileSync(policy, 'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: [{level: Metadata, resources: [{group: "", resources: [namespaces]}]}]\n');
      const s = await spawnServer({ store: 'memory', extraArgs: ['--disable-agent', '--audit-policy-file', policy, '--audit-log-path', log, '--audit-log-maxsize', '1', '--audit-log-maxbackup', '2'] });
      try {
        await kubectlOk(s, ['create', 'namespace', 'audit-flags']);
      } finally {
        await s.stop();
      }
      const events = readEvents(log);
      const done = events.find((e) => e.verb === 'create' && e.objectRef?.name === 'audit-flags');
      const stages = events.filter((e) => e.auditID === done?.auditID);
      assert.deepEqual(stages.map((e) => e.stage), ['RequestReceived', 'ResponseComplete']);
      // As upstream, the name of a create is known once the body is read: not at RequestReceived.
      assert.equal(stages[0]!.objectRef?.name, undefined);
      writeFileSync(policy, 'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: [{level: Loud}]\n');
      await assert.rejects(spawnServer({ store: 'memory', extraArgs: ['--disable-agent', '--audit-policy-file', policy, '--audit-log-path', log] }),
        /loading audit policy file "[^"]*policy\.yaml": rules\[0\]\.level: Unsupported value: "Loud"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('audit log file', () => {
  it('drops an event that ends after the server closed the log (a watch closing during stop) instead of crashing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bosun-audit-close-'));
    try {
      const f = new AuditLogFile({ path: join(dir, 'audit.log') });
      f.write('{"a":1}');
      f.close();
      assert.doesNotThrow(() => f.write('{"a":2}'));
      assert.equal(readFileSync(join(dir, 'audit.log'), 'utf8'), '{"a":1}\n');
      assert.equal(f.failures, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

function readdirBackups(dir: string): string[] {
  return readdirSync(dir).filter((f) => /^audit-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}\.log$/.test(f));
}
