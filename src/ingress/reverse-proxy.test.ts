/**
 * The ingress's reverse proxy against backends in this process on loopback: bodies streamed both
 * ways (a request body arrives before the client has finished sending it), hop-by-hop headers
 * dropped (RFC 9110 7.6.1, also those the Connection header names), X-Forwarded-* set by the proxy
 * whatever the client sent (ingress-nginx's use-forwarded-headers=false), the router's 404/503
 * answered as they are, 502 when the pod refuses, and an Upgrade (WebSocket handshake) tunnelled
 * both ways after the pod's 101.
 */
import assert from 'node:assert/strict';
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import { connect, createServer as createTcpServer, type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { quietLogger } from '../testing/quiet-logger.js';
import { ReverseProxy, type Resolution } from './reverse-proxy.js';

let backend: Server;
let front: Server;
let backendPort: number;
let frontPort: number;
let route: Resolution;
let lastHeaders: IncomingHttpHeaders = {};
let stopProxy = (): void => {};

const listen = (s: Server): Promise<number> => new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve((s.address() as AddressInfo).port)));
const close = (s: Server): Promise<void> => new Promise((resolve) => {
  s.close(() => resolve());
  s.closeAllConnections();
});

function send(o: { path?: string; method?: string; headers?: Record<string, string>; body?: (write: (s: string) => void, end: () => void) => void }): Promise<{ status: number; body: string; headers: IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: frontPort, path: o.path ?? '/', method: o.method ?? 'GET', headers: o.headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    if (o.body) o.body((s) => req.write(s), () => req.end());
    else req.end();
  });
}

describe('ingress reverse proxy', () => {
  before(async () => {
    backend = createServer((req, res) => {
      lastHeaders = req.headers;
      if (req.url === '/stream') {
        // Answers the first chunk at once: the client sends the rest only after it sees that.
        res.writeHead(200, { 'content-type': 'text/plain', connection: 'keep-alive, x-secret', 'x-secret': 'hop', 'keep-alive': 'timeout=5' });
        req.setEncoding('utf8').on('data', (d: string) => res.write(`got:${d};`)).on('end', () => res.end('done'));
        return;
      }
      res.end(`${req.method} ${req.url}`);
    });
    backend.on('upgrade', (req, socket) => {
      lastHeaders = req.headers;
      socket.write('HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\n\r\n');
      socket.on('data', (d: Buffer) => socket.write(`echo:${d.toString()}`)).on('end', () => socket.end());
    });
    backendPort = await listen(backend);
    route = { ok: true, host: '127.0.0.1', port: backendPort };
    const proxy = new ReverseProxy({ route: () => route, proto: 'http', port: () => frontPort, log: quietLogger });
    front = createServer(proxy.onRequest);
    front.on('upgrade', proxy.onUpgrade);
    stopProxy = () => proxy.close();
    frontPort = await listen(front);
  });
  after(async () => {
    stopProxy();
    await close(front);
    await close(backend);
  });

  it('passes method, path and query; sets X-Forwarded-* over the client\'s; drops hop-by-hop headers', async () => {
    const r = await send({ path: '/a/b?c=1', method: 'DELETE', headers: { host: 'app.test:8080', 'x-forwarded-for': '6.6.6.6', 'x-real-ip': '6.6.6.6', 'x-forwarded-proto': 'https', connection: 'x-drop', 'x-drop': '1', 'x-keep': '2' } });
    assert.equal(r.body, 'DELETE /a/b?c=1');
    assert.equal(lastHeaders['x-forwarded-for'], '127.0.0.1');
    assert.equal(lastHeaders['x-real-ip'], '127.0.0.1');
    assert.equal(lastHeaders['x-forwarded-proto'], 'http');
    assert.equal(lastHeaders['x-forwarded-host'], 'app.test:8080');
    assert.equal(lastHeaders['x-forwarded-port'], String(frontPort));
    assert.equal(lastHeaders.host, 'app.test:8080', 'the Host is passed as the client sent it');
    assert.equal(lastHeaders['x-drop'], undefined, 'a header the Connection header names is hop-by-hop');
    assert.equal(lastHeaders['x-keep'], '2');
  });

  it('streams: the pod\'s answer to the first chunk arrives before the client sends the second', async () => {
    const r = await new Promise<{ body: string; headers: IncomingHttpHeaders }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: frontPort, path: '/stream', method: 'POST', agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d: string) => {
          body += d;
          if (body === 'got:one;') req.end('two');
        }).on('end', () => resolve({ body, headers: res.headers }));
      });
      req.on('error', reject);
      req.write('one');
    });
    assert.equal(r.body, 'got:one;got:two;done');
    assert.equal(r.headers['x-secret'], undefined);
    assert.equal(r.headers['keep-alive'], undefined);
  });

  it('answers the router\'s 404 and 503 itself, and 502 when the pod refuses the connection', async () => {
    route = { ok: false, status: 404, message: '404 page not found' };
    assert.deepEqual([(await send({})).status, (await send({})).body], [404, '404 page not found\n']);
    route = { ok: false, status: 503, message: 'no ready endpoints' };
    assert.equal((await send({})).status, 503);
    const closed = createTcpServer();
    const port = await new Promise<number>((resolve) => closed.listen(0, '127.0.0.1', () => resolve((closed.address() as AddressInfo).port)));
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    route = { ok: true, host: '127.0.0.1', port };
    assert.equal((await send({})).status, 502);
    route = { ok: true, host: '127.0.0.1', port: backendPort };
  });

  it('tunnels an Upgrade both ways after the pod\'s 101', async () => {
    const socket = connect(frontPort, '127.0.0.1');
    socket.write('GET /ws HTTP/1.1\r\nhost: app.test\r\nconnection: Upgrade\r\nupgrade: websocket\r\nx-forwarded-for: 6.6.6.6\r\n\r\n');
    let got = '';
    await new Promise<void>((resolve, reject) => {
      socket.setEncoding('utf8').on('data', (d: string) => {
        got += d;
        if (got.endsWith('\r\n\r\n')) socket.write('ping');
        if (got.endsWith('echo:ping')) resolve();
      }).on('error', reject);
    });
    socket.destroy();
    assert.match(got, /^HTTP\/1\.1 101 /);
    assert.equal(lastHeaders.upgrade, 'websocket');
    assert.equal(lastHeaders['x-forwarded-for'], '127.0.0.1');
  });
});
