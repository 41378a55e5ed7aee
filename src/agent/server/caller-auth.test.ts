/**
 * Authentication and authorization on the agent's server, as the kubelet's webhook modes
 * (upstream pkg/kubelet/server/auth.go and server.go InstallAuthFilter): the attributes per path and
 * method, and over real TLS with the fake runtime: anonymous logs/exec are 401, a token caller
 * without rights 403 with the kubelet's body, an authorized token caller is served, and the client
 * certificate is optional at the handshake. The reviews here are a table; webhook-reviews.test.ts
 * asks a real API server.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { issueCertificate, type KeyPair } from '../../apiserver/pki/certs.js';
import { FakeRuntime } from '../runtime/fake/fake-runtime.js';
import { startAgentServer, type AgentServer } from './agent-server.js';
import type { CallerReviews } from './caller-auth.js';
import { agentRequest } from './fixtures.js';
import { nodeRequestAttributes, type NodeAttributes } from './node-attributes.js';

describe('node request attributes (GetRequestAttributes)', () => {
  it('maps paths to subresources and methods to verbs as upstream', () => {
    const cases: [string, string, string, string][] = [
      ['GET', '/containerLogs/ns/p/c', 'get', 'proxy'],
      ['POST', '/exec/ns/p/c', 'create', 'proxy'],
      ['POST', '/portForward/ns/p', 'create', 'proxy'],
      ['GET', '/stats/summary', 'get', 'stats'],
      ['GET', '/stats', 'get', 'stats'],
      ['GET', '/statsfoo', 'get', 'proxy'],
      ['GET', '/metrics', 'get', 'metrics'],
      ['GET', '/metrics/resource', 'get', 'metrics'],
      ['GET', '/logs/syslog', 'get', 'log'],
      ['PUT', '/healthz', 'update', 'proxy'],
    ];
    for (const [method, path, verb, sub] of cases) {
      assert.deepEqual(nodeRequestAttributes(method, path, 'n1'), { verb, resource: 'nodes', subresource: sub, name: 'n1', path }, `${method} ${path}`);
    }
  });
});

describe('agent server callers', () => {
  let ca: KeyPair;
  let server: AgentServer;
  const asked: NodeAttributes[] = [];
  // alice may read logs (proxy get); bob may do nothing; both are token callers.
  const reviews: CallerReviews = {
    authenticateToken: async (t) => (t === 'alice-token' ? { name: 'alice', groups: ['dev'] } : t === 'bob-token' ? { name: 'bob', groups: [] } : undefined),
    authorize: async (caller, attrs) => {
      asked.push(attrs);
      return caller.name === 'alice' && attrs.subresource === 'proxy';
    },
  };

  function call(path: string, o: { token?: string; method?: string; upgrade?: boolean } = {}): Promise<{ code: number; body: string }> {
    const headers: Record<string, string> = {};
    if (o.token) headers.Authorization = `Bearer ${o.token}`;
    if (o.upgrade) Object.assign(headers, { Connection: 'Upgrade', Upgrade: 'SPDY/3.1' });
    return agentRequest(path, { port: server.port, ca: ca.cert, method: o.method, headers });
  }

  before(async () => {
    ca = issueCertificate({ commonName: 'test-ca', usage: 'ca', validDays: 1 });
    const serving = issueCertificate({ commonName: 'n1', usage: 'server', ips: ['127.0.0.1'], validDays: 1 }, ca);
    server = await startAgentServer({ runtime: new FakeRuntime({ images: ['busybox'] }), port: 0, host: '127.0.0.1', tls: { ...serving, clientCa: ca.cert }, nodeName: 'n1', reviews });
  });
  after(async () => {
    await server?.close();
  });

  it('anonymous logs and exec are 401 Unauthorized; an unknown token too', async () => {
    assert.deepEqual(await call('/containerLogs/ns1/web/app'), { code: 401, body: 'Unauthorized' });
    assert.equal((await call('/exec/ns1/web/app?command=true&output=1', { method: 'POST', upgrade: true })).code, 401);
    assert.deepEqual(await call('/containerLogs/ns1/web/app', { token: 'forged' }), { code: 401, body: 'Unauthorized' });
    assert.equal(asked.length, 0, 'nothing is authorized before authentication');
  });

  it('a token caller without rights is 403 for logs and exec, with the kubelet body', async () => {
    assert.deepEqual(await call('/containerLogs/ns1/web/app', { token: 'bob-token' }), { code: 403, body: 'Forbidden (user=bob, verb=get, resource=nodes, subresource=proxy)' });
    assert.equal((await call('/exec/ns1/web/app?command=true&output=1', { token: 'bob-token', method: 'POST', upgrade: true })).code, 403);
    assert.deepEqual(asked.at(-1), { verb: 'create', resource: 'nodes', subresource: 'proxy', name: 'n1', path: '/exec/ns1/web/app' });
  });

  it('an authorized token caller passes: logs reach the runtime (404 for a pod it does not have), exec the streaming check', async () => {
    const logs = await call('/containerLogs/ns1/web/app', { token: 'alice-token' });
    assert.equal(logs.code, 404);
    assert.equal(JSON.parse(logs.body).kind, 'Status');
    assert.equal((await call('/healthz', { token: 'alice-token' })).code, 200);
    // Same caller, other subresource: denied by the review, not by path.
    assert.deepEqual(await call('/stats/summary', { token: 'alice-token' }), { code: 403, body: 'Forbidden (user=alice, verb=get, resource=nodes, subresource=stats)' });
  });
});
