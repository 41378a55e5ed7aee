/**
 * The agent's relay of an upgrade request to the runtime's streaming server answers as the
 * kubelet's proxyStream (UpgradeAwareHandler.tryUpgrade with its responder): a 101 is spliced, a
 * refusal of 400 or above passed back as it is, any other answer (200, 302) and an unreachable
 * streaming server answered 500 text/plain ("invalid upgrade response: status code N"). A plain
 * HTTP front and a fake streaming server on loopback; no TLS, no runtime (~50 ms).
 */
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { after, before, test } from 'node:test';
import { relayUpgrade } from './upgrade-relay.js';

/** The streaming server's raw answers by path; /switch switches and echoes. */
const ANSWERS: Record<string, string> = {
  '/ok': 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nplain',
  '/moved': 'HTTP/1.1 302 Found\r\nLocation: /elsewhere\r\nContent-Length: 0\r\n\r\n',
  '/gone': 'HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 15\r\n\r\nno such session',
};

let runtime: Server;
let front: Server;
let closedPort: number;
const sockets = new Set<Duplex>();
const track = (s: Duplex) => {
  sockets.add(s);
  s.once('close', () => sockets.delete(s));
};
const listen = (s: Server) => new Promise<number>((r) => s.listen(0, '127.0.0.1', () => r((s.address() as AddressInfo).port)));

before(async () => {
  runtime = createServer();
  runtime.on('upgrade', (req, socket: Socket, head: Buffer) => {
    track(socket);
    if (req.url === '/switch') {
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: ${req.headers.upgrade}\r\nX-Stream-Protocol-Version: ${req.headers['x-stream-protocol-version']}\r\nX-Seen-Host: ${req.headers.host}\r\nX-Seen-Framing: ${req.headers['transfer-encoding'] ?? `length ${req.headers['content-length']}`}\r\n\r\n`);
      if (head.length > 0) socket.write(head);
      socket.pipe(socket);
      return;
    }
    socket.end(ANSWERS[req.url ?? ''] ?? 'HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n');
  });
  const runtimePort = await listen(runtime);
  const spare = createServer();
  closedPort = await listen(spare);
  await new Promise((r) => spare.close(r));
  front = createServer();
  front.on('upgrade', (req, socket: Duplex, head: Buffer) => {
    track(socket);
    const path = req.url ?? '/';
    void relayUpgrade(req, socket, head, new URL(`http://127.0.0.1:${path === '/closed' ? closedPort : runtimePort}${path}`));
  });
  await listen(front);
});

after(async () => {
  for (const s of sockets) s.destroy();
  await Promise.all([front, runtime].map((s) => new Promise((r) => s?.close(r))));
});

/** An upgrade request through the front: the status, headers and body of a refusal, or the switched socket. */
function call(path: string): Promise<{ code: number; headers: Record<string, unknown>; body: string; socket?: Duplex }> {
  return new Promise((resolve, reject) => {
    const port = (front.address() as AddressInfo).port;
    const r = request({ host: '127.0.0.1', port, path, method: 'POST', agent: false, headers: { Connection: 'Upgrade', Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': 'v4.channel.k8s.io' } });
    r.once('upgrade', (res, socket) => {
      track(socket);
      resolve({ code: res.statusCode!, headers: res.headers, body: '', socket });
    });
    r.once('response', (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d)).once('end', () => resolve({ code: res.statusCode!, headers: res.headers, body }));
    });
    r.once('error', reject);
    r.end();
  });
}

test('answers below 400 other than 101 are a 500 "invalid upgrade response", as the kubelet', async () => {
  for (const [path, code] of [['/ok', 200], ['/moved', 302]] as const) {
    const r = await call(path);
    assert.deepEqual([r.code, r.headers['content-type'], r.body], [500, 'text/plain; charset=utf-8', `invalid upgrade response: status code ${code}\n`], path);
  }
});

test('a refusal of 400 or above is passed back as it is; an unreachable streaming server is a 500', async () => {
  const gone = await call('/gone');
  assert.deepEqual([gone.code, gone.headers['content-type'], gone.body], [404, 'text/plain', 'no such session']);
  const closed = await call('/closed');
  assert.equal(closed.code, 500);
  assert.match(closed.body, /ECONNREFUSED/);
});

test('a 101 is passed back with the runtime\'s headers and the connections spliced; the runtime sees its Host', async () => {
  const r = await call('/switch');
  // The runtime is asked with its own Host (Go's server refuses a request without one) and an empty
  // POST body (chunks' end bytes would be read as the upgraded stream's first ones).
  assert.deepEqual([r.code, r.headers['x-stream-protocol-version'], r.headers['x-seen-host'], r.headers['x-seen-framing']], [
    101, 'v4.channel.k8s.io', `127.0.0.1:${(runtime.address() as AddressInfo).port}`, 'length 0',
  ]);
  const echoed = new Promise<string>((resolve) => r.socket!.once('data', (d: Buffer) => resolve(d.toString())));
  r.socket!.write('ping');
  assert.equal(await echoed, 'ping');
  r.socket!.destroy();
});
