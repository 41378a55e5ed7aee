/**
 * Anonymous requests, as kube-apiserver with --anonymous-auth=true (the default): a request with no
 * credentials is user system:anonymous in group system:unauthenticated and RBAC decides
 * (pkg/kubeapiserver/authenticator/config.go wraps the authenticators in
 * union.NewFailOnError(..., anonymous.NewAuthenticator())). The bootstrap policy's
 * system:public-info-viewer (plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go) lets it GET
 * /healthz, /livez, /readyz, /version and /version/; anything else is 403 with upstream's message.
 * Credentials that fail (a bad bearer token, a certificate of another CA) are 401, never anonymous;
 * with --anonymous-auth=false a request without credentials is 401 too.
 */
import assert from 'node:assert/strict';
import { request as httpsRequest } from 'node:https';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { parseAuditPolicy } from '../audit/policy.js';
import type { AuditEvent } from '../audit/auditor.js';
import { issueCertificate } from '../pki/certs.js';
import { eventually } from '../../testing/eventually.js';
import { RawClient, type RawResponse } from '../../testing/raw-client.js';
import { runKubectl, spawnServer, startTestServer, type SpawnedServer, type TestServer } from '../../testing/test-cluster.js';
import { writeTokenKubeconfig } from '../../testing/token-kubeconfig.js';

const PUBLIC = ['/healthz', '/livez', '/readyz', '/version', '/version/'];

/** A GET with a client certificate the cluster CA did not sign. */
function getWithStrangerCert(url: string, ca: string, path: string): Promise<number> {
  const stranger = issueCertificate({ commonName: 'anon-stranger', organizations: ['system:masters'], usage: 'client', validDays: 1 });
  return new Promise((resolve, reject) => {
    const req = httpsRequest(new URL(path, url), { ca, cert: stranger.cert, key: stranger.key, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The HTTP status a WebSocket watch upgrade without credentials is refused with (0: it opened). */
function anonymousUpgradeStatus(url: string, ca: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace('https', 'wss')}${path}`, ['base64.binary.k8s.io'], { ca });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
      ws.terminate();
    });
    ws.once('open', () => {
      resolve(0);
      ws.close();
    });
    ws.once('error', reject);
  });
}

const expectForbidden = (r: RawResponse, message: string): void => {
  assert.equal(r.status, 403, r.body);
  assert.equal(r.json?.kind, 'Status', r.body);
  assert.equal(r.json.reason, 'Forbidden');
  assert.equal(r.json.message, message);
};

describe('anonymous requests (--anonymous-auth=true, the default)', () => {
  let srv: TestServer;
  let raw: RawClient;
  let ca: string;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bosun-anon-'));
    const policy = parseAuditPolicy('apiVersion: audit.k8s.io/v1\nkind: Policy\nomitStages: [RequestReceived]\nrules: [{level: Metadata, userGroups: [system:unauthenticated]}]');
    srv = await startTestServer({ audit: { policy, path: join(dir, 'audit.log') } });
    raw = new RawClient(srv.url, srv.dataDir);
    ca = readFileSync(join(srv.dataDir, 'pki', 'ca.crt'), 'utf8');
  });
  after(async () => {
    raw.close();
    await srv.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads /healthz, /livez, /readyz and /version without credentials (system:public-info-viewer)', async () => {
    for (const path of PUBLIC) assert.equal((await raw.request(path, { clientCert: false })).status, 200, path);
    assert.match((await raw.request('/version', { clientCert: false })).json?.gitVersion ?? '', /^v1\./);
  });

  it('the bootstrap policy gives system:unauthenticated system:public-info-viewer and nothing else (as upstream since 1.14)', async () => {
    const role = (await raw.request('/apis/rbac.authorization.k8s.io/v1/clusterroles/system:public-info-viewer')).json;
    assert.deepEqual(role?.rules, [{ verbs: ['get'], nonResourceURLs: ['/livez', '/readyz', '/healthz', '/version', '/version/'] }]);
    const bindings = (await raw.request('/apis/rbac.authorization.k8s.io/v1/clusterrolebindings')).json?.items as { metadata: { name: string }; subjects?: { kind: string; name: string }[] }[];
    const to = (group: string) => bindings.filter((b) => b.subjects?.some((x) => x.kind === 'Group' && x.name === group)).map((b) => b.metadata.name).sort();
    assert.deepEqual(to('system:unauthenticated'), ['system:public-info-viewer']);
    assert.deepEqual(to('system:authenticated'), ['system:basic-user', 'system:discovery', 'system:public-info-viewer']);
    assert.deepEqual(bindings.filter((b) => b.subjects?.some((x) => x.name === 'system:anonymous')).map((b) => b.metadata.name), []);
  });

  it('is 403 with upstream\'s message on discovery, other paths and resources', async () => {
    expectForbidden(await raw.request('/api', { clientCert: false }), 'forbidden: User "system:anonymous" cannot get path "/api"');
    expectForbidden(await raw.request('/apis', { clientCert: false }), 'forbidden: User "system:anonymous" cannot get path "/apis"');
    // The role names exact paths, as upstream's: a health check's sub-path is not public.
    expectForbidden(await raw.request('/readyz/ping', { clientCert: false }), 'forbidden: User "system:anonymous" cannot get path "/readyz/ping"');
    expectForbidden(await raw.request('/api/v1/namespaces/default/pods', { clientCert: false }),
      'pods is forbidden: User "system:anonymous" cannot list resource "pods" in API group "" in the namespace "default"');
    expectForbidden(await raw.request('/api/v1/namespaces/default/configmaps', { clientCert: false, method: 'POST', body: '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"anon-cm"}}' }),
      'configmaps is forbidden: User "system:anonymous" cannot create resource "configmaps" in API group "" in the namespace "default"');
    // system:basic-user is bound to system:authenticated only: no self reviews for anonymous users.
    expectForbidden(await raw.request('/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
      clientCert: false, method: 'POST', body: JSON.stringify({ apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { verb: 'get', resource: 'pods' } } }),
    }), 'selfsubjectaccessreviews.authorization.k8s.io is forbidden: User "system:anonymous" cannot create resource "selfsubjectaccessreviews" in API group "authorization.k8s.io" at the cluster scope');
    assert.equal((await raw.request('/api/v1/namespaces/default/configmaps/anon-cm')).status, 404, 'nothing was written');
  });

  it('a WebSocket watch without credentials is 403, not 401', async () => {
    assert.equal(await anonymousUpgradeStatus(srv.url, ca, '/api/v1/namespaces/default/configmaps?watch=1'), 403);
  });

  it('failed credentials are 401, not anonymous: a bad bearer token, a certificate of another CA', async () => {
    for (const path of ['/readyz', '/api']) {
      const r = await raw.request(path, { clientCert: false, headers: { Authorization: 'Bearer not-a-token' } });
      assert.equal(r.status, 401, `${path}: ${r.body}`);
      assert.equal(r.json?.reason, 'Unauthorized');
      assert.equal(await getWithStrangerCert(srv.url, ca, path), 401, path);
    }
  });

  it('real kubectl without a credential the server knows: Forbidden naming system:anonymous', async () => {
    // A kubeconfig without any user credential makes kubectl prompt for a username; a basic-auth
    // user is what it sends instead, and like upstream (no basic-auth authenticator since 1.19) the
    // server takes an Authorization header of another scheme for no credential at all.
    const tokenOnly = writeTokenKubeconfig(dir, srv.url, join(srv.dataDir, 'pki', 'ca.crt'), 'unused');
    const kubeconfig = `${tokenOnly}-basic`;
    writeFileSync(kubeconfig, readFileSync(tokenOnly, 'utf8').replace('{token: "unused"}', '{username: anon-user, password: anon-pass}'), { mode: 0o600 });
    const r = await runKubectl(kubeconfig, join(dir, 'cache'), ['get', '--raw', '/api/v1/namespaces/default/pods']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Error from server \(Forbidden\): pods is forbidden: User "system:anonymous" cannot list resource "pods"/);
    const v = await runKubectl(kubeconfig, join(dir, 'cache'), ['get', '--raw', '/readyz']);
    assert.equal(v.code, 0, v.stderr);
    assert.equal(v.stdout.trim(), 'ok');
  });

  it('the audit log names the anonymous user and RBAC\'s forbid decision, as upstream\'s', async () => {
    const r = await raw.request('/api/v1/namespaces/anon-audit/secrets', { clientCert: false });
    assert.equal(r.status, 403);
    const ev = await eventually(() => readFileSync(join(dir, 'audit.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as AuditEvent)
      .find((e) => e.objectRef?.namespace === 'anon-audit' && e.stage === 'ResponseComplete'), 'the anonymous request\'s audit event');
    assert.deepEqual(ev.user, { username: 'system:anonymous', groups: ['system:unauthenticated'] });
    assert.equal(ev.responseStatus?.code, 403);
    assert.equal(ev.annotations?.['authorization.k8s.io/decision'], 'forbid');
  });

  it('APF classifies anonymous requests as upstream: probes for health checks, global-default otherwise', async () => {
    const uid = async (name: string): Promise<string> =>
      (await raw.request(`/apis/flowcontrol.apiserver.k8s.io/v1/flowschemas/${name}`)).json?.metadata?.uid as string;
    assert.equal((await raw.request('/readyz', { clientCert: false })).headers['x-kubernetes-pf-flowschema-uid'], await uid('probes'));
    assert.equal((await raw.request('/api', { clientCert: false })).headers['x-kubernetes-pf-flowschema-uid'], await uid('global-default'));
  });
});

describe('--anonymous-auth=false', () => {
  let srv: SpawnedServer;
  let raw: RawClient;

  before(async () => {
    srv = await spawnServer({ store: 'memory', extraArgs: ['--disable-agent', '--anonymous-auth=false'] });
    raw = new RawClient(srv.url, srv.dataDir);
  });
  after(async () => {
    raw.close();
    await srv.stop();
  });

  it('answers every request without credentials 401, health checks included', async () => {
    for (const path of [...PUBLIC, '/api', '/api/v1/namespaces/default/pods']) {
      const r = await raw.request(path, { clientCert: false });
      assert.equal(r.status, 401, `${path}: ${r.body}`);
      assert.equal(r.json?.reason, 'Unauthorized');
    }
    assert.equal((await raw.request('/readyz')).status, 200, 'a client certificate still works');
  });
});
