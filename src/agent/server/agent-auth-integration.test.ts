/**
 * The agent's server with a real API server behind its reviews (integration): the agent asks with
 * the node's own credential (system:node:ai-n1), as a kubelet in webhook mode. Anonymous logs and
 * exec are 401; a ServiceAccount token and a user certificate without rights on nodes/proxy are 403
 * with the kubelet's body; a token bound to system:kubelet-api-admin reads the container log and
 * passes to exec (the fake runtime then answers 501: it has no streaming server); the API server's
 * own kubelet client (system:masters) is served. RBAC, TokenReview and SubjectAccessReview are the
 * API server's own.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { issueCertificate, type KeyPair } from '../../apiserver/pki/certs.js';
import { issueClientCertificate } from '../../apiserver/pki/pki.js';
import type { ApiServer } from '../../apiserver/server.js';
import { KubeClient } from '../../client/kube-client.js';
import { kubectlOk } from '../../testing/kubectl-ok.js';
import { startTestServer, type TestServer } from '../../testing/test-cluster.js';
import { FakeRuntime } from '../runtime/fake/fake-runtime.js';
import type { PodSandboxConfig } from '../runtime/types.js';
import { startAgentServer, type AgentServer } from './agent-server.js';
import { agentRequest } from './fixtures.js';
import { webhookReviews } from './webhook-reviews.js';

describe('agent server callers reviewed by the API server', () => {
  let api: TestServer & { server: ApiServer };
  let nodeClient: KubeClient;
  let agent: AgentServer;
  let dir: string;
  const tokens: Record<string, string> = {};
  const runtime = new FakeRuntime({ images: ['busybox'] });

  const call = (path: string, o: { token?: string; client?: KeyPair; exec?: boolean } = {}) => agentRequest(path, {
    port: agent.port, ca: api.server.pki.ca.cert, client: o.client, method: o.exec ? 'POST' : 'GET',
    headers: { ...(o.token ? { Authorization: `Bearer ${o.token}` } : {}), ...(o.exec ? { Connection: 'Upgrade', Upgrade: 'SPDY/3.1' } : {}) },
  });
  const LOGS = '/containerLogs/ns1/web/app';
  const EXEC = '/exec/ns1/web/app?command=true&output=1';

  before(async () => {
    api = await startTestServer();
    const pki = api.server.pki;
    const nodeCert = issueClientCertificate(pki, 'system:node:ai-n1', ['system:nodes']);
    nodeClient = new KubeClient({ server: api.url, ca: pki.ca.cert, cert: nodeCert.cert, key: nodeCert.key });
    const serving = issueCertificate({ commonName: 'system:node:ai-n1', usage: 'server', ips: ['127.0.0.1'], validDays: 1 }, pki.ca);
    agent = await startAgentServer({ runtime, port: 0, host: '127.0.0.1', tls: { ...serving, clientCa: pki.ca.cert }, nodeName: 'ai-n1', reviews: webhookReviews(nodeClient) });

    dir = mkdtempSync(join(tmpdir(), 'bosun-agent-auth-'));
    const sc: PodSandboxConfig = { metadata: { name: 'web', namespace: 'ns1', uid: 'u1', attempt: 0 }, logDirectory: join(dir, 'u1') };
    const sid = await runtime.runPodSandbox(sc);
    mkdirSync(join(dir, 'u1', 'app'), { recursive: true });
    writeFileSync(join(dir, 'u1', 'app', '0.log'), '2024-01-01T00:00:01Z stdout F hello from app\n');
    const c = await runtime.createContainer(sid, { metadata: { name: 'app', attempt: 0 }, image: 'busybox', logPath: 'app/0.log' }, sc);
    await runtime.startContainer(c);

    for (const sa of ['ai-monitor', 'ai-nobody']) {
      await kubectlOk(api, ['create', 'serviceaccount', sa]);
      tokens[sa] = (await kubectlOk(api, ['create', 'token', sa])).trim();
    }
    await kubectlOk(api, ['create', 'clusterrolebinding', 'ai-monitor', '--clusterrole=system:kubelet-api-admin', '--serviceaccount=default:ai-monitor']);
  });
  after(async () => {
    await agent?.close();
    nodeClient?.close();
    await api?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('anonymous logs and exec are 401', async () => {
    assert.deepEqual(await call(LOGS), { code: 401, body: 'Unauthorized' });
    assert.equal((await call(EXEC, { exec: true })).code, 401);
    assert.deepEqual(await call(LOGS, { token: 'not-a-token' }), { code: 401, body: 'Unauthorized' });
  });

  it('a token and a certificate without rights are 403 for logs and exec', async () => {
    assert.deepEqual(await call(LOGS, { token: tokens['ai-nobody'] }),
      { code: 403, body: 'Forbidden (user=system:serviceaccount:default:ai-nobody, verb=get, resource=nodes, subresource=proxy)' });
    assert.equal((await call(EXEC, { token: tokens['ai-nobody'], exec: true })).code, 403);
    const bob = issueClientCertificate(api.server.pki, 'ai-bob', ['ai-devs']);
    assert.deepEqual(await call(LOGS, { client: bob }), { code: 403, body: 'Forbidden (user=ai-bob, verb=get, resource=nodes, subresource=proxy)' });
    assert.equal((await call(EXEC, { client: bob, exec: true })).code, 403);
  });

  it('a token bound to system:kubelet-api-admin reads logs and reaches exec; the API server\'s kubelet client too', async () => {
    assert.deepEqual(await call(LOGS, { token: tokens['ai-monitor'] }), { code: 200, body: 'hello from app\n' });
    assert.equal((await call(EXEC, { token: tokens['ai-monitor'], exec: true })).code, 501, 'past authorization: the fake runtime has no streaming server');
    const kubeletClient = issueClientCertificate(api.server.pki, 'kube-apiserver-kubelet-client', ['system:masters']);
    assert.deepEqual(await call(LOGS, { client: kubeletClient }), { code: 200, body: 'hello from app\n' });
  });
});
