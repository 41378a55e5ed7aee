/**
 * The agent server over real mutual TLS with the fake runtime: who may call, and /containerLogs
 * (current, previous, errors). exec and portForward need a runtime streaming server: see
 * test/e2e/kubectl-pod-streams.test.ts.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { issueCertificate, type KeyPair } from '../../apiserver/pki/certs.js';
import { FakeRuntime } from '../runtime/fake/fake-runtime.js';
import type { PodSandboxConfig } from '../runtime/types.js';
import { startAgentServer, type AgentServer } from './agent-server.js';
import { agentRequest } from './fixtures.js';

let ca: KeyPair;
let admin: KeyPair;
let node: KeyPair;
let server: AgentServer;
let dir: string;
const runtime = new FakeRuntime({ images: ['busybox'] });

function get(path: string, client?: KeyPair, method = 'GET', headers: Record<string, string> = {}): Promise<{ code: number; body: string }> {
  return agentRequest(path, { port: server.port, ca: ca.cert, client, method, headers });
}

describe('agent server', () => {
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bosun-agent-server-'));
    ca = issueCertificate({ commonName: 'test-ca', usage: 'ca', validDays: 1 });
    admin = issueCertificate({ commonName: 'kube-apiserver-kubelet-client', organizations: ['system:masters'], usage: 'client', validDays: 1 }, ca);
    node = issueCertificate({ commonName: 'system:node:other', organizations: ['system:nodes'], usage: 'client', validDays: 1 }, ca);
    const serving = issueCertificate({ commonName: 'n1', usage: 'server', ips: ['127.0.0.1'], validDays: 1 }, ca);
    server = await startAgentServer({ runtime, port: 0, host: '127.0.0.1', tls: { ...serving, clientCa: ca.cert } });

    const sc: PodSandboxConfig = { metadata: { name: 'web', namespace: 'ns1', uid: 'u1', attempt: 0 }, logDirectory: join(dir, 'u1') };
    const sid = await runtime.runPodSandbox(sc);
    mkdirSync(join(dir, 'u1', 'app'), { recursive: true });
    writeFileSync(join(dir, 'u1', 'app', '0.log'), '2024-01-01T00:00:01Z stdout F crashed once\n');
    writeFileSync(join(dir, 'u1', 'app', '1.log'), '2024-01-01T00:00:02Z stdout F running now\n2024-01-01T00:00:03Z stderr F warn\n');
    const c0 = await runtime.createContainer(sid, { metadata: { name: 'app', attempt: 0 }, image: 'busybox', logPath: 'app/0.log' }, sc);
    await runtime.startContainer(c0);
    runtime.exitContainer(c0, 1);
    const c1 = await runtime.createContainer(sid, { metadata: { name: 'app', attempt: 1 }, image: 'busybox', logPath: 'app/1.log' }, sc);
    await runtime.startContainer(c1);
  });

  after(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses anonymous callers and certificates of another CA (401), callers without rights (403), as the kubelet', async () => {
    assert.deepEqual(await get('/healthz'), { code: 401, body: 'Unauthorized' });
    const stranger = issueCertificate({ commonName: 'x', organizations: ['system:masters'], usage: 'client', validDays: 1 });
    assert.deepEqual(await get('/healthz', stranger), { code: 401, body: 'Unauthorized' });
    assert.deepEqual(await get('/healthz', node), { code: 403, body: 'Forbidden (user=system:node:other, verb=get, resource=nodes, subresource=proxy)' });
    assert.deepEqual(await get('/healthz', admin), { code: 200, body: 'ok' });
  });

  it('serves the current container log, with tail and timestamps', async () => {
    assert.deepEqual(await get('/containerLogs/ns1/web/app', admin), { code: 200, body: 'running now\nwarn\n' });
    assert.equal((await get('/containerLogs/ns1/web/app?tailLines=1&timestamps=true', admin)).body, '2024-01-01T00:00:03.000000000Z warn\n');
  });

  it('serves the previous instance, found in the runtime or else by its file name', async () => {
    assert.equal((await get('/containerLogs/ns1/web/app?previous=true', admin)).body, 'crashed once\n');
    // The agent removed the exited instance; its file is still there.
    const old = (await runtime.listContainers()).find((c) => c.metadata.attempt === 0)!;
    await runtime.removeContainer(old.id);
    assert.equal((await get('/containerLogs/ns1/web/app?previous=true', admin)).body, 'crashed once\n');
  });

  it('answers Status errors as kubelet: unknown pod 404, unknown container and bad query 400', async () => {
    const noPod = await get('/containerLogs/ns1/nope/app', admin);
    assert.equal(noPod.code, 404);
    assert.equal(JSON.parse(noPod.body).kind, 'Status');
    const noC = await get('/containerLogs/ns1/web/other', admin);
    assert.equal(noC.code, 400);
    assert.match(JSON.parse(noC.body).message, /container "other" in pod "web"/);
    assert.equal((await get('/containerLogs/ns1/web/app?tailLines=-1', admin)).code, 400);
    assert.equal((await get('/exec/ns1/web/app?command=true', admin)).code, 400, 'exec needs an upgrade');
  });

  it('refuses exec when the runtime has no streaming server', async () => {
    const r = await get('/exec/ns1/web/app?command=true&output=1', admin, 'POST', { Connection: 'Upgrade', Upgrade: 'SPDY/3.1' });
    assert.equal(r.code, 501);
  });
});
