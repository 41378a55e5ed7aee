/**
 * The agent server's /configz and /logs/ as the kubelet's (both answered 404 before): configz is
 * component-base/configz's `{"kubeletconfig": {...}}` (cmd/kubelet/app/server.go initConfigz), and
 * /logs/ is Go's http.FileServer over the log directory (pkg/kubelet/server/server.go getLogs ->
 * ServeLogs), authorized as nodes/log.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { issueCertificate, type KeyPair } from '../../apiserver/pki/certs.js';
import { FakeRuntime } from '../runtime/fake/fake-runtime.js';
import { startAgentServer, type AgentServer } from './agent-server.js';
import { agentResponse } from './fixtures.js';
import { goDuration, kubeletConfigz } from './kubelet-config.js';

describe('agent server /configz and /logs/', () => {
  let ca: KeyPair;
  let admin: KeyPair;
  let node: KeyPair;
  let server: AgentServer;
  let root: string;
  let logDir: string;
  const get = (path: string, client: KeyPair | undefined = admin, method = 'GET') =>
    agentResponse(path, { port: server.port, ca: ca.cert, client, method });

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'bosun-agent-syslogs-'));
    logDir = join(root, 'log');
    mkdirSync(join(logDir, 'apt'), { recursive: true });
    writeFileSync(join(logDir, 'syslog'), 'line one\nline two\n');
    writeFileSync(join(logDir, 'apt', 'history.log'), 'installed\n');
    writeFileSync(join(logDir, 'a<b>.log'), 'x');
    writeFileSync(join(logDir, 'wtmp'), Buffer.from([0, 1, 2, 3]));
    writeFileSync(join(root, 'secret'), 'outside');
    symlinkSync(join(logDir, 'apt'), join(logDir, 'apt-link'));
    ca = issueCertificate({ commonName: 'test-ca', usage: 'ca', validDays: 1 });
    admin = issueCertificate({ commonName: 'kube-apiserver-kubelet-client', organizations: ['system:masters'], usage: 'client', validDays: 1 }, ca);
    node = issueCertificate({ commonName: 'system:node:other', organizations: ['system:nodes'], usage: 'client', validDays: 1 }, ca);
    const serving = issueCertificate({ commonName: 'n1', usage: 'server', ips: ['127.0.0.1'], validDays: 1 }, ca);
    const configz = () => kubeletConfigz({ podCIDR: '10.42.7.0/24', port: 10250, runtimeSocket: '/run/c.sock', clusterDNS: ['10.43.0.10'], imageGC: { highThresholdPercent: 90 } });
    server = await startAgentServer({ runtime: new FakeRuntime(), port: 0, host: '127.0.0.1', tls: { ...serving, clientCa: ca.cert }, configz, systemLogDir: logDir });
  });
  after(async () => {
    await server?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('/configz: the KubeletConfiguration fields the node runs with, under "kubeletconfig"', async () => {
    const r = await get('/configz');
    assert.equal(r.code, 200);
    assert.equal(r.headers['content-type'], 'application/json');
    const cfg = (JSON.parse(r.body) as { kubeletconfig: Record<string, unknown> }).kubeletconfig;
    assert.deepEqual(Object.keys(JSON.parse(r.body) as object), ['kubeletconfig']);
    assert.equal(cfg.kind, undefined, 'no kind or apiVersion, as upstream\'s converted struct');
    assert.deepEqual(cfg.clusterDNS, ['10.43.0.10']);
    assert.equal(cfg.clusterDomain, 'cluster.local');
    assert.equal(cfg.maxPods, 110);
    assert.equal(cfg.podCIDR, '10.42.7.0/24');
    assert.equal(cfg.cgroupDriver, 'cgroupfs');
    assert.equal(cfg.cgroupRoot, '/bosun');
    assert.equal(cfg.imageGCHighThresholdPercent, 90, 'a flag given');
    assert.equal(cfg.imageGCLowThresholdPercent, 80, 'a default');
    assert.equal(cfg.imageMinimumGCAge, '2m0s');
    assert.equal(cfg.containerLogMaxSize, '10Mi');
    assert.deepEqual(cfg.evictionHard, { 'memory.available': '100Mi', 'nodefs.available': '10%', 'imagefs.available': '15%', 'nodefs.inodesFree': '5%' });
    assert.equal(cfg.containerRuntimeEndpoint, 'unix:///run/c.sock');
  });

  it('goDuration prints as Go\'s time.Duration', () => {
    assert.deepEqual([0, 150, 5000, 60_000, 90_500, 3_723_000].map(goDuration), ['0s', '150ms', '5s', '1m0s', '1m30.5s', '1h2m3s']);
  });

  it('/logs/ lists the directory as Go\'s FileServer: sorted, directories with "/", symlinks as files, names escaped', async () => {
    const r = await get('/logs/');
    assert.equal(r.code, 200);
    assert.equal(r.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(r.body, '<!doctype html>\n<meta name="viewport" content="width=device-width">\n<pre>\n'
      + '<a href="a%3Cb%3E.log">a&lt;b&gt;.log</a>\n<a href="apt/">apt/</a>\n<a href="apt-link">apt-link</a>\n<a href="syslog">syslog</a>\n<a href="wtmp">wtmp</a>\n</pre>\n');
    assert.match((await get('/logs/apt/')).body, /<a href="history.log">history.log<\/a>/);
    assert.match((await get('/logs/apt-link/')).body, /history\.log/, 'a symlinked directory is followed');
  });

  it('/logs/<file> streams it (text or binary by its bytes); a directory without its "/" is redirected', async () => {
    const text = await get('/logs/syslog');
    assert.deepEqual([text.code, text.headers['content-type'], text.body], [200, 'text/plain; charset=utf-8', 'line one\nline two\n']);
    assert.equal((await get('/logs/wtmp')).headers['content-type'], 'application/octet-stream');
    assert.equal((await get('/logs/apt/history.log')).body, 'installed\n');
    const dir = await get('/logs/apt');
    assert.deepEqual([dir.code, dir.headers.location], [301, 'apt/']);
    const head = await get('/logs/syslog', admin, 'HEAD');
    assert.deepEqual([head.code, head.headers['content-length'], head.body], [200, '18', '']);
  });

  it('/logs/ never leaves the directory, answers Go\'s 404 text and refuses writes', async () => {
    // Dot segments are resolved by the URL itself (to /secret: not found); an encoded slash reaches the handler, which cleans the path as Go's http.Dir.
    for (const p of ['/logs/../secret', '/logs/apt/%2e%2e/%2e%2e/secret']) assert.equal((await get(p)).code, 404, p);
    for (const p of ['/logs/..%2Fsecret', '/logs/apt%2F..%2F..%2Fsecret']) assert.deepEqual(pick(await get(p)), [404, '404 page not found\n'], p);
    assert.deepEqual(pick(await get('/logs/missing.log')), [404, '404 page not found\n']);
    assert.equal((await get('/logs/syslog', admin, 'POST')).code, 405);
  });

  it('is authorized as nodes/log, not nodes/proxy (/configz is nodes/proxy), as the kubelet', async () => {
    assert.deepEqual(pick(await get('/logs/', node)), [403, 'Forbidden (user=system:node:other, verb=get, resource=nodes, subresource=log)']);
    assert.deepEqual(pick(await get('/configz', node)), [403, 'Forbidden (user=system:node:other, verb=get, resource=nodes, subresource=proxy)']);
  });
});

function pick(r: { code: number; body: string }): [number, string] {
  return [r.code, r.body];
}
