/**
 * Upgrade requests to an extension API server through the aggregator, as kube-aggregator hands them
 * to apimachinery's UpgradeAwareHandler (handler_proxy.go): a raw SPDY/3.1 upgrade (as kubectl exec's
 * POST .../exec) and a WebSocket (v5.channel.k8s.io, as kubectl 1.32's exec) reach the test
 * extension with the front proxy's client certificate and the caller in X-Remote-* headers, its
 * 101 comes back with the protocol it chose, and bytes flow both ways. Bosun's RBAC runs first (403,
 * the extension never dialed); the client's X-Remote-* headers, Authorization and a bearer token
 * offered as a WebSocket subprotocol never reach the extension; an extension's refusal (>= 400) comes
 * back as it is, any other answer that is not a 101 as kube-aggregator's 503 "invalid upgrade
 * response"; an APIService that is not Available answers 503.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { connect, type TLSSocket } from 'node:tls';
import { WebSocket } from 'ws';
import { eventually } from '../../testing/eventually.js';
import { kubectlOk } from '../../testing/kubectl-ok.js';
import { readUntil } from '../../testing/raw-tls.js';
import { startTestServer, type TestServer } from '../../testing/test-cluster.js';
import type { ApiServer } from '../server.js';
import { missingServiceApiService, startRegisteredExtension, type TestExtensionServer } from './testing/extension-server.js';

const NS = 'agg-upgrade-6427';
const GROUP = 'flights.upgrade-test.example.com';
const EXEC = `/apis/${GROUP}/v1alpha1/namespaces/${NS}/flights/lh-400/exec?command=date&stdout=true`;
/** What the extension answers an upgrade of these flights' exec with instead of switching protocols. */
const NOT_SWITCHING: Record<string, string> = {
  'lh-200': 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok',
  'lh-302': 'HTTP/1.1 302 Found\r\nLocation: https://elsewhere.example/\r\nContent-Length: 0\r\n\r\n',
  'lh-403': 'HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nX-Extension: refused\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n{"reason":"no"}\n\r\n0\r\n\r\n',
};

describe('upgrade requests proxied to an extension API server (UpgradeAwareHandler)', () => {
  let s: TestServer & { server: ApiServer };
  let ext: TestExtensionServer;
  const sockets = new Set<TLSSocket>();
  const tlsOptions = () => ({ ca: s.server.pki.ca.cert, cert: s.server.pki.admin.cert, key: s.server.pki.admin.key });

  /** A raw upgrade request; resolves with the answer's head (through the blank line) and the socket. */
  const rawUpgrade = (path: string, headers: Record<string, string>): Promise<{ head: string; socket: TLSSocket; rest: Buffer }> => new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: s.port, ...tlsOptions() }, () => {
      const lines = Object.entries({ Host: `127.0.0.1:${s.port}`, Connection: 'Upgrade', ...headers }).map(([k, v]) => `${k}: ${v}\r\n`).join('');
      socket.write(`POST ${path} HTTP/1.1\r\n${lines}\r\n`);
    });
    sockets.add(socket);
    let got = Buffer.alloc(0);
    const onData = (d: Buffer): void => {
      got = Buffer.concat([got, d]);
      const end = got.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      resolve({ head: got.subarray(0, end + 4).toString('utf8'), socket, rest: got.subarray(end + 4) });
    };
    socket.on('data', onData).on('error', reject);
  });
  before(async () => {
    s = await startTestServer();
    ext = await startRegisteredExtension(s, {
      group: GROUP, version: 'v1alpha1', namespace: NS, service: 'ext-api',
      resources: [{ name: 'flights', singularName: 'flight', namespaced: true, kind: 'Flight', verbs: ['get', 'list'] }, { name: 'flights/exec', namespaced: true, kind: 'Status', verbs: ['create', 'get'] }],
      answer: () => undefined,
      upgradeAnswer: (path) => NOT_SWITCHING[path.split('/').at(-2) ?? ''],
    });
    await eventually(async () => (await kubectlOk(s, ['get', 'apiservice', `v1alpha1.${GROUP}`])).includes('True'), 'the extension Available');
  });
  after(async () => {
    for (const sock of sockets) sock.destroy();
    await ext?.close();
    await s?.stop();
  });

  test('SPDY/3.1: the extension\'s 101 with its X-Stream-Protocol-Version comes back, then bytes flow both ways; the extension sees the caller, not the client\'s headers', async () => {
    const before = ext.seen.length;
    const { head, socket, rest } = await rawUpgrade(EXEC, {
      Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': 'v4.channel.k8s.io', 'X-Remote-User': 'agg-mallory', 'X-Remote-Group': 'agg-spoofed', Authorization: 'Bearer agg-not-for-the-extension',
    });
    assert.match(head, /^HTTP\/1\.1 101 Switching Protocols\r\n/);
    assert.match(head, /\r\nUpgrade: SPDY\/3\.1\r\n/i);
    assert.match(head, /\r\nX-Stream-Protocol-Version: v4\.channel\.k8s\.io\r\n/i);
    socket.write('ping-spdy');
    assert.match(await readUntil(socket, 'pong:ping-spdy', rest.toString('latin1')), /pong:ping-spdy/);
    const seen = ext.seen.slice(before).find((r) => r.upgrade !== undefined);
    assert.deepEqual(seen && { method: seen.method, path: seen.path, command: seen.query.get('command'), upgrade: seen.upgrade, user: seen.user, groups: [...seen.groups].sort(), authorization: seen.authorization },
      { method: 'POST', path: `/apis/${GROUP}/v1alpha1/namespaces/${NS}/flights/lh-400/exec`, command: 'date', upgrade: 'SPDY/3.1', user: 'system:admin', groups: ['system:authenticated', 'system:masters'], authorization: false });
    assert.equal(ext.refused, 0, 'the extension accepted the proxy\'s client certificate');
    socket.destroy();
  });

  test('WebSocket: the subprotocol the extension chose comes back and messages flow; a bearer token offered as a subprotocol is not passed on', async () => {
    const before = ext.seen.length;
    const ws = new WebSocket(`wss://127.0.0.1:${s.port}${EXEC}`, ['v5.channel.k8s.io', 'base64url.bearer.authorization.k8s.io.YWdnLXNlY3JldA'], tlsOptions());
    const opened = new Promise<void>((resolve, reject) => ws.once('open', resolve).once('error', reject));
    await opened;
    assert.equal(ws.protocol, 'v5.channel.k8s.io');
    const reply = new Promise<string>((resolve) => ws.once('message', (m: Buffer) => resolve(m.toString('utf8'))));
    ws.send('ping-ws');
    assert.equal(await reply, 'pong:ping-ws');
    ws.close();
    const seen = ext.seen.slice(before).find((r) => r.upgrade !== undefined);
    assert.deepEqual(seen && { method: seen.method, upgrade: seen.upgrade, protocols: seen.protocols, user: seen.user }, { method: 'GET', upgrade: 'websocket', protocols: 'v5.channel.k8s.io', user: 'system:admin' });
  });

  test('RBAC is Bosun\'s: an impersonated user without a grant gets 403 and the extension is not dialed', async () => {
    const before = ext.seen.length;
    const { head, socket } = await rawUpgrade(EXEC, { Upgrade: 'SPDY/3.1', 'Impersonate-User': 'agg-bob' });
    assert.match(head, /^HTTP\/1\.1 403 /);
    assert.equal(ext.seen.length, before);
    socket.destroy();
  });

  test('an answer neither 101 nor a refusal (200, 302) is kube-aggregator\'s 503 "invalid upgrade response"; a refusal (>= 400) comes back as it is', async () => {
    const execOf = (flight: string): string => EXEC.replace('/lh-400/', `/${flight}/`);
    for (const code of [200, 302]) {
      const { head, socket, rest } = await rawUpgrade(execOf(`lh-${code}`), { Upgrade: 'SPDY/3.1' });
      assert.match(head, /^HTTP\/1\.1 503 /, `${code}`);
      assert.match(head, /\r\nContent-Type: text\/plain; charset=utf-8\r\n/);
      assert.equal(await readUntil(socket, '\n', rest.toString('latin1')), `invalid upgrade response: status code ${code}\n`);
      socket.destroy();
    }
    const { head, socket, rest } = await rawUpgrade(execOf('lh-403'), { Upgrade: 'SPDY/3.1' });
    assert.match(head, /^HTTP\/1\.1 403 Forbidden\r\n/);
    assert.match(head, /\r\nX-Extension: refused\r\n/);
    assert.match(head, /\r\nContent-Type: application\/json\r\n/);
    assert.equal(await readUntil(socket, '}\n', rest.toString('latin1')), '{"reason":"no"}\n');
    socket.destroy();
  });

  test('an APIService that is not Available answers 503', async () => {
    await kubectlOk(s, ['apply', '-f', '-'], { input: missingServiceApiService('nowhere.upgrade-test.example.com', NS) });
    await eventually(async () => (await kubectlOk(s, ['get', 'apiservice', 'v1.nowhere.upgrade-test.example.com'])).includes('ServiceNotFound'), 'ServiceNotFound');
    const { head, socket } = await rawUpgrade(`/apis/nowhere.upgrade-test.example.com/v1/namespaces/${NS}/things/t/exec`, { Upgrade: 'SPDY/3.1' });
    assert.match(head, /^HTTP\/1\.1 503 /);
    socket.destroy();
  });
});
