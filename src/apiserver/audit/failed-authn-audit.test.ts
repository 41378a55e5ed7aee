/**
 * The audit log of requests whose authentication failed, as kube-apiserver writes them
 * (staging/src/k8s.io/apiserver/pkg/endpoints/filters/authn_audit.go WithFailedAuthenticationAudit,
 * and its authn_audit_test.go TestFailedAuthnAudit): the authentication filter runs before the
 * audit filter, so such a request has no user. Its one event is stage ResponseStarted (no
 * RequestReceived, no ResponseComplete), `user: {}`, and responseStatus the 401 with
 * getAuthMethods' message ("Authentication failed, attempted: bearer" / "x509" / "basic",
 * or "no credentials provided"). The policy is evaluated without a user, so rules naming users or
 * groups never pick it (upstream's policy/checker.go ruleMatches). The server runs with
 * --anonymous-auth=false, where a request without credentials fails authentication too.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueCertificate } from '../pki/certs.js';
import { RawClient, type RawResponse } from '../../testing/raw-client.js';
import { runKubectl, startTestServer, type TestServer } from '../../testing/test-cluster.js';
import { writeTokenKubeconfig } from '../../testing/token-kubeconfig.js';
import { eventually } from '../../testing/eventually.js';
import type { AuditEvent } from './auditor.js';
import { parseAuditPolicy } from './policy.js';

// Rules that name users or groups come first: a failed login has neither, so only the last rule
// may pick it (evaluated as system:anonymous, it would be None and never logged).
const POLICY = parseAuditPolicy(`apiVersion: audit.k8s.io/v1
kind: Policy
rules:
  - {level: None, userGroups: ['system:unauthenticated']}
  - {level: None, users: ['system:anonymous']}
  - {level: None, userGroups: ['system:masters']}
  - {level: Metadata}
`);

describe('audit of failed authentication (--anonymous-auth=false)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bosun-authn-audit-'));
  const logPath = join(dir, 'audit.log');
  let srv: TestServer;
  let raw: RawClient;

  before(async () => {
    srv = await startTestServer({ audit: { policy: POLICY, path: logPath }, anonymousAuth: false });
    raw = new RawClient(srv.url, srv.dataDir);
  });
  after(async () => {
    raw.close();
    await srv.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The events of one request, by the Audit-Id its answer carries (the log is written as the answer ends). */
  async function eventsOf(r: RawResponse): Promise<AuditEvent[]> {
    const id = r.headers['audit-id'];
    assert.equal(typeof id, 'string', 'the 401 carries an Audit-Id');
    return eventually(() => {
      const evs = readFileSync(logPath, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as AuditEvent).filter((e) => e.auditID === id);
      return evs.length > 0 ? evs : undefined;
    }, `the audit event of ${String(id)}`);
  }

  async function expectFailedLogin(r: RawResponse, message: string, verb: string, path: string): Promise<void> {
    assert.equal(r.status, 401, r.body);
    assert.equal(r.json?.reason, 'Unauthorized');
    const evs = await eventsOf(r);
    assert.deepEqual(evs.map((e) => e.stage), ['ResponseStarted'], 'one event, at ResponseStarted');
    const [ev] = evs;
    assert.deepEqual(ev!.user, {}, 'no user');
    assert.deepEqual(ev!.responseStatus, { metadata: {}, message, code: 401 });
    assert.deepEqual([ev!.level, ev!.verb, ev!.requestURI], ['Metadata', verb, path]);
    assert.equal(ev!.impersonatedUser, undefined);
    assert.equal(ev!.annotations, undefined, 'no authorization decision: authorization never ran');
  }

  it('a bad bearer token: "Authentication failed, attempted: bearer"', async () => {
    const path = '/api/v1/namespaces/default/pods';
    const r = await raw.request(path, { clientCert: false, headers: { Authorization: 'Bearer not-a-token' } });
    await expectFailedLogin(r, 'Authentication failed, attempted: bearer', 'list', path);
    const [ev] = await eventsOf(r);
    assert.deepEqual(ev!.objectRef, { resource: 'pods', namespace: 'default', apiVersion: 'v1' });
  });

  it('a client certificate of another CA: "attempted: x509"; with a bearer token too: "bearer, x509"', async () => {
    const pair = issueCertificate({ commonName: 'authn-audit-stranger', organizations: ['system:masters'], usage: 'client', validDays: 1 });
    const ca = readFileSync(join(srv.dataDir, 'pki', 'ca.crt'), 'utf8');
    const send = (headers: Record<string, string>): Promise<RawResponse> => new Promise((resolve, reject) => {
      request(new URL('/api/v1/namespaces', srv.url), { ca, cert: pair.cert, key: pair.key, agent: false, headers }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: JSON.parse(body), bytes: Buffer.from(body) }));
      }).on('error', reject).end();
    });
    await expectFailedLogin(await send({}), 'Authentication failed, attempted: x509', 'list', '/api/v1/namespaces');
    await expectFailedLogin(await send({ Authorization: 'Bearer nope' }), 'Authentication failed, attempted: bearer, x509', 'list', '/api/v1/namespaces');
  });

  it('k3s\'s own handlers (GET /cacerts) answer a request without credentials outside the audited chain: no event', async () => {
    const ca = await raw.request('/cacerts', { clientCert: false });
    assert.equal(ca.status, 200, ca.body);
    const later = await raw.request('/api', { clientCert: false });
    assert.equal((await eventsOf(later)).length, 1, 'the later request is logged');
    const id = ca.headers['audit-id'];
    assert.equal(typeof id, 'string', 'audited up to the handler (the policy picked it)');
    assert.equal(readFileSync(logPath, 'utf8').includes(`"auditID":"${String(id)}"`), false, 'nothing for /cacerts');
  });

  it('no credentials with anonymous authentication off: "no credentials provided"; basic auth: "attempted: basic"', async () => {
    await expectFailedLogin(await raw.request('/healthz', { clientCert: false }), 'Authentication failed, no credentials provided', 'get', '/healthz');
    const basic = `Basic ${Buffer.from('admin:secret').toString('base64')}`;
    await expectFailedLogin(await raw.request('/api', { clientCert: false, headers: { Authorization: basic } }), 'Authentication failed, attempted: basic', 'get', '/api');
  });

  it('the real kubectl with a bad token: Unauthorized, logged the same way; the admin\'s requests are not (system:masters rule)', async () => {
    const before = readFileSync(logPath, 'utf8').length;
    const kubeconfig = writeTokenKubeconfig(dir, srv.url, join(srv.dataDir, 'pki', 'ca.crt'), 'bad-token');
    const out = await runKubectl(kubeconfig, join(dir, 'cache'), ['get', '--raw', '/api/v1/namespaces/kube-system/configmaps']);
    assert.notEqual(out.code, 0);
    assert.match(out.stderr, /Unauthorized|provide credentials/);
    assert.equal((await raw.request('/api/v1/namespaces/kube-system/configmaps')).status, 200);
    const evs = await eventually(() => {
      const e = readFileSync(logPath, 'utf8').slice(before).trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as AuditEvent).filter((x) => x.objectRef?.resource === 'configmaps');
      return e.length > 0 ? e : undefined;
    }, 'kubectl\'s failed request in the log');
    assert.ok(evs.every((e) => e.stage === 'ResponseStarted' && e.responseStatus?.code === 401 && e.responseStatus.message === 'Authentication failed, attempted: bearer'), JSON.stringify(evs));
  });

  it('an upgrade request (a WebSocket watch) with a bad token: the same single event, from the 401 it is refused with', async () => {
    const ca = readFileSync(join(srv.dataDir, 'pki', 'ca.crt'), 'utf8');
    const path = '/api/v1/namespaces/default/configmaps?watch=true';
    const r = await new Promise<RawResponse>((resolve, reject) => {
      const req = request(new URL(path, srv.url), {
        ca, agent: false,
        headers: { Authorization: 'Bearer not-a-token', Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==' },
      });
      req.on('response', (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: JSON.parse(body), bytes: Buffer.from(body) }));
      }).on('upgrade', () => reject(new Error('upgraded'))).on('error', reject).end();
    });
    assert.equal(r.status, 401, r.body);
    const evs = await eventually(() => {
      const e = readFileSync(logPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as AuditEvent).filter((x) => x.requestURI === path);
      return e.length > 0 ? e : undefined;
    }, 'the refused upgrade\'s event');
    assert.deepEqual(evs.map((e) => [e.stage, e.user, e.verb, e.responseStatus]), [['ResponseStarted', {}, 'watch', { metadata: {}, message: 'Authentication failed, attempted: bearer', code: 401 }]]);
  });
});

