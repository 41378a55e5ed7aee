/**
 * Upgrade requests through pods/proxy and services/proxy, as upstream's UpgradeAwareHandler: a real
 * API server and a backend standing for the pod (HTTP and HTTPS servers on this machine's first
 * non-loopback IPv4 address: the proxies dial only global unicast pod IPs). A `ws` WebSocket client
 * and a raw upgrade get the backend's 101 and their bytes echoed; the backend's refusal (>= 400)
 * comes back as it is, any other answer and an unreachable port as a 500 Status; RBAC runs before
 * the pod is dialed; the API server's stop destroys both spliced connections.
 */
import assert from 'node:assert/strict';
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import type { TLSSocket } from 'node:tls';
import { WebSocket, WebSocketServer } from 'ws';
import type { KubeObject } from '../../api/meta.js';
import { rawConnection, readUntil, responseHead } from '../../testing/raw-tls.js';
import { startTestServer, type TestServer } from '../../testing/test-cluster.js';
import { advertisedAddress } from '../ipalloc/kubernetes-service.js';
import { issueCertificate } from '../pki/certs.js';
import { systemContext, type ApiServer } from '../server.js';
import { globalUnicast } from './pod-proxy.js';

const NS = `proxy-upgrade-${process.pid}`;
const HOST_IP = advertisedAddress('0.0.0.0');

interface Seen { method?: string; url?: string; headers: IncomingMessage['headers']; socket: Duplex }

describe('upgrade requests through pods/proxy and services/proxy', { skip: !globalUnicast(HOST_IP) && 'no non-loopback IPv4 address to stand for a pod IP' }, () => {
  let s: TestServer & { server: ApiServer };
  let plain: Server;
  let tls: Server;
  let closedPort = 0;
  const seen: Seen[] = [];
  const backendSockets = new Set<Duplex>();
  const clientSockets = new Set<TLSSocket>();
  const wss = new WebSocketServer({ noServer: true });
  const portOf = (srv: Server): number => (srv.address() as AddressInfo).port;
  const base = () => `/api/v1/namespaces/${NS}`;

  // The pod: /refuse answers 403 (chunked), /plain 200, a WebSocket is echoed by `ws`, any other
  // upgrade switches to echo/1, greets and echoes bytes (the client's early bytes included).
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    seen.push({ method: req.method, url: req.url, headers: req.headers, socket });
    backendSockets.add(socket);
    socket.once('close', () => backendSockets.delete(socket));
    if (req.url?.startsWith('/refuse')) return void socket.end('HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nX-Backend: refused\r\nTransfer-Encoding: chunked\r\n\r\n7\r\nno, sir\r\n0\r\n\r\n');
    if (req.url?.startsWith('/plain')) return void socket.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    if (req.headers.upgrade === 'websocket') return wss.handleUpgrade(req, socket, head, (ws) => ws.on('message', (m, binary) => ws.send(m, { binary })));
    socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: echo/1\r\nX-Backend: echo\r\n\r\nhello|');
    if (head.length > 0) socket.write(head);
    socket.pipe(socket);
  };

  /** A raw upgrade (with `early` bytes in the same write as the head); resolves with the answer's head and what followed. */
  const rawUpgrade = async (method: string, path: string, headers: Record<string, string>, early = ''): Promise<{ head: string; socket: TLSSocket; rest: string }> => {
    const socket = await rawConnection(s.port, s.server.pki.ca.cert, s.server.pki.admin);
    clientSockets.add(socket);
    const answer = responseHead(socket);
    const lines = Object.entries({ Host: `127.0.0.1:${s.port}`, Connection: 'Upgrade', ...headers }).map(([k, v]) => `${k}: ${v}\r\n`).join('');
    socket.write(`${method} ${path} HTTP/1.1\r\n${lines}\r\n${early}`);
    const { headers: head, body: rest } = await answer;
    return { head: `${head}\r\n`, socket, rest };
  };
  const readAll = (socket: Duplex, already: string): Promise<string> => new Promise((resolve) => {
    let got = already;
    socket.on('data', (d: Buffer) => (got += d.toString('latin1'))).once('close', () => resolve(got));
  });

  before(async () => {
    s = await startTestServer();
    const pair = issueCertificate({ commonName: 'ws', usage: 'server', validDays: 1, ips: [HOST_IP] });
    plain = createHttpServer((_req, res) => res.end('not an upgrade')).on('upgrade', onUpgrade);
    tls = createHttpsServer({ cert: pair.cert, key: pair.key }, (_req, res) => res.end('not an upgrade')).on('upgrade', onUpgrade);
    const closed = createHttpServer();
    await Promise.all([plain, tls, closed].map((srv) => new Promise<void>((r) => srv.listen(0, HOST_IP, r))));
    closedPort = portOf(closed);
    await new Promise((r) => closed.close(r));
    const ctx = systemContext();
    const store = (resource: string) => s.server.storage('', 'v1', resource)!;
    await store('namespaces').create(ctx, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } } as KubeObject);
    const pod = await store('pods').create(ctx, NS, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'ws', namespace: NS }, spec: { containers: [{ name: 'c', image: 'busybox', ports: [{ containerPort: portOf(plain) }] }] } } as KubeObject);
    await store('pods').update(ctx, NS, 'ws', { ...pod, status: { phase: 'Running', podIP: HOST_IP, podIPs: [{ ip: HOST_IP }] } } as KubeObject, 'status');
    await store('services').create(ctx, NS, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'ws', namespace: NS }, spec: { ports: [{ name: 'echo', port: 80 }, { name: 'tls', port: 443 }] } } as KubeObject);
    await store('endpoints').create(ctx, NS, {
      apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'ws', namespace: NS },
      subsets: [{ addresses: [{ ip: HOST_IP, targetRef: { kind: 'Pod', namespace: NS, name: 'ws' } }], ports: [{ name: 'echo', port: portOf(plain) }, { name: 'tls', port: portOf(tls) }] }],
    } as KubeObject);
  });
  after(async () => {
    for (const c of clientSockets) c.destroy();
    for (const b of backendSockets) b.destroy();
    await s?.stop();
    await Promise.all([plain, tls].map((srv) => srv && new Promise((r) => srv.close(r))));
  });

  test('a WebSocket through pods/proxy: the pod\'s 101 with the subprotocol it chose, messages echoed; the path and query reach the pod', async () => {
    const ws = new WebSocket(`wss://127.0.0.1:${s.port}${base()}/pods/ws/proxy/chat?room=1`, ['chat.v1'], { ca: s.server.pki.ca.cert, cert: s.server.pki.admin.cert, key: s.server.pki.admin.key });
    await new Promise<void>((resolve, reject) => ws.once('open', resolve).once('error', reject));
    assert.equal(ws.protocol, 'chat.v1');
    const reply = new Promise<string>((resolve) => ws.once('message', (m: Buffer) => resolve(m.toString('utf8'))));
    ws.send('ping-ws');
    assert.equal(await reply, 'ping-ws');
    ws.close();
    const got = seen.at(-1)!;
    assert.deepEqual({ method: got.method, url: got.url, upgrade: got.headers.upgrade, xff: got.headers['x-forwarded-for'] }, { method: 'GET', url: '/chat?room=1', upgrade: 'websocket', xff: '127.0.0.1' });
  });

  test('a raw upgrade through services/proxy (port by name and by number): the 101 and its headers, the pod\'s first bytes and the client\'s early ones echoed; credentials are not passed on', async () => {
    for (const id of ['ws:echo', 'ws:80']) {
      const { head, socket, rest } = await rawUpgrade('POST', `${base()}/services/${id}/proxy/stream/`, { Upgrade: 'echo/1', Authorization: 'Bearer not-for-the-pod', 'X-Forwarded-For': '10.9.8.7' }, 'early|');
      assert.match(head, /^HTTP\/1\.1 101 Switching Protocols\r\n/);
      assert.match(head, /\r\nUpgrade: echo\/1\r\n/);
      assert.match(head, /\r\nX-Backend: echo\r\n/);
      await readUntil(socket, 'hello|early|', rest);
      socket.write('more');
      assert.match(await readUntil(socket, 'more', ''), /more/);
      socket.destroy();
      const got = seen.at(-1)!;
      assert.deepEqual({ method: got.method, url: got.url, authorization: got.headers.authorization, xff: got.headers['x-forwarded-for'] }, { method: 'POST', url: '/stream/', authorization: undefined, xff: '10.9.8.7, 127.0.0.1' }, id);
    }
  });

  test('an https: target (pods/https:NAME:PORT and services/https:NAME:PORT) is dialed over TLS, unverified', async () => {
    for (const path of [`pods/https:ws:${portOf(tls)}`, 'services/https:ws:tls']) {
      const { head, socket, rest } = await rawUpgrade('GET', `${base()}/${path}/proxy/secure`, { Upgrade: 'echo/1' });
      assert.match(head, /^HTTP\/1\.1 101 /, path);
      socket.write('over-tls');
      await readUntil(socket, 'hello|over-tls', rest);
      socket.destroy();
    }
  });

  test('a refusal of the pod (>= 400) comes back as it is; a 200, an unreachable port or a port name is a 500 Status', async () => {
    const refused = await rawUpgrade('GET', `${base()}/pods/ws/proxy/refuse`, { Upgrade: 'echo/1' });
    assert.match(refused.head, /^HTTP\/1\.1 403 Forbidden\r\n/);
    assert.match(refused.head, /\r\nX-Backend: refused\r\n/);
    assert.match(refused.head, /\r\nContent-Length: 7\r\n/);
    assert.equal(await readAll(refused.socket, refused.rest), 'no, sir');
    // Each a plain error to upstream's responder (ErrorToAPIStatus): reason "" (absent), code 500.
    const plain = async (a: { head: string; socket: Duplex; rest: string }): Promise<string> => {
      assert.match(a.head, /^HTTP\/1\.1 500 Internal Server Error\r\n/);
      const st = JSON.parse(await readAll(a.socket, a.rest)) as { kind: string; status: string; code: number; reason?: string; message: string };
      assert.deepEqual([st.kind, st.status, st.code, 'reason' in st], ['Status', 'Failure', 500, false]);
      return st.message;
    };
    const ok = await rawUpgrade('GET', `${base()}/pods/ws/proxy/plain`, { Upgrade: 'echo/1' });
    assert.equal(await plain(ok), 'invalid upgrade response: status code 200');
    const unreachable = await rawUpgrade('GET', `${base()}/pods/ws:${closedPort}/proxy/`, { Upgrade: 'echo/1' });
    assert.match(await plain(unreachable), /^error dialing backend: .*ECONNREFUSED/);
    // pods/NAME:PORTNAME: upstream's ResourceLocation puts the name into the address as it is and Go's dialer fails on it.
    const named = await rawUpgrade('GET', `${base()}/pods/ws:http-web/proxy/`, { Upgrade: 'echo/1' });
    assert.equal(await plain(named), 'error dialing backend: dial tcp: lookup tcp/http-web: unknown port');
  });

  test('RBAC first: a user without get on pods/proxy is refused 403 and the pod is not dialed', async () => {
    const before = seen.length;
    const { head, socket } = await rawUpgrade('GET', `${base()}/pods/ws/proxy/chat`, { Upgrade: 'echo/1', 'Impersonate-User': 'proxy-nobody' });
    assert.match(head, /^HTTP\/1\.1 403 /);
    assert.equal(seen.length, before);
    socket.destroy();
  });

  // Last: stops the server.
  test('stopping the API server destroys the spliced connections, the pod\'s and the client\'s', async () => {
    const { socket, rest } = await rawUpgrade('GET', `${base()}/pods/ws/proxy/held`, { Upgrade: 'echo/1' });
    await readUntil(socket, 'hello|', rest);
    const backend = seen.at(-1)!.socket as Socket;
    assert.equal(seen.at(-1)!.url, '/held');
    const closed = Promise.all([new Promise((r) => backend.once('close', r)), new Promise((r) => socket.once('close', r))]);
    await s.stop();
    await closed;
    assert.ok(backend.destroyed && socket.destroyed);
  });
});
