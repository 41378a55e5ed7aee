/**
 * proxyTo, the connection pods/proxy and services/proxy make, between a front server standing for
 * the API server's handler and a backend on loopback that echoes the method and URL it got: the proxy
 * root without its trailing slash is redirected (301) for GET and HEAD only, as upstream's
 * proxyRedirectsforRootPath (apimachinery util/proxy/upgradeaware.go); other methods go on to the
 * backend's root with the query (the [sig-network] Proxy version v1 conformance test's ?method=X).
 * Links in HTML answers and redirects to the pod come back through the proxy, as upstream's proxy
 * transport (util/proxy/transport.go), with X-Forwarded-Uri sent on.
 */
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { proxyTo } from './pod-proxy.js';

let backend: Server;
let front: Server;
const portOf = (s: Server): number => (s.address() as AddressInfo).port;

before(async () => {
  backend = createServer((req, res) => {
    const self = `127.0.0.1:${portOf(backend)}`;
    if (req.url === '/page') return res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(`<a href="/a">a</a><img src="http://${self}/b.png"><a href="rel">r</a><a href="http://example.com/c">c</a>`);
    if (req.url === '/text') return res.writeHead(200, { 'Content-Type': 'text/plain' }).end('<a href="/a">a</a>');
    if (req.url === '/redirect') return res.writeHead(302, { Location: `http://${self}/moved/` }).end();
    res.end(`${req.method} ${req.url} ${req.headers['x-forwarded-uri']}`);
  });
  // /named/...: the target's port is a name, as pods/NAME:PORTNAME/proxy gives it (never resolved upstream).
  front = createServer((req, res) => {
    const port = req.url?.includes('/named/') ? 'http-web' : String(portOf(backend));
    proxyTo(req, res, { scheme: '', host: '127.0.0.1', port }).catch((err: { code?: unknown; message: string }) => res.writeHead(typeof err.code === 'number' ? err.code : 500).end(err.message));
  });
  await Promise.all([new Promise<void>((r) => backend.listen(0, '127.0.0.1', r)), new Promise<void>((r) => front.listen(0, '127.0.0.1', r))]);
});
after(() => {
  backend.close();
  front.close();
});

function send(method: string, path: string): Promise<{ status: number; location?: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: portOf(front), method, path, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const root = '/api/v1/namespaces/ns/pods/agnhost/proxy';

test('GET and HEAD of the proxy root without a slash are redirected to it, the query kept', async () => {
  for (const method of ['GET', 'HEAD']) {
    const r = await send(method, `${root}?method=${method}`);
    assert.equal(r.status, 301, method);
    assert.equal(r.location, `${root}/?method=${method}`);
  }
});

test('other methods on the proxy root reach the backend root with the query', async () => {
  for (const method of ['DELETE', 'OPTIONS', 'PATCH', 'POST', 'PUT']) {
    const r = await send(method, `${root}?method=${method}`);
    assert.equal(r.status, 200, method);
    assert.equal(r.body, `${method} /?method=${method} ${root}/`);
  }
});

test('a path after /proxy goes on as written, for every method', async () => {
  for (const method of ['GET', 'DELETE', 'PUT']) {
    assert.equal((await send(method, `${root}/some/path/with/${method}`)).body, `${method} /some/path/with/${method} ${root}/some/path/with/${method}`);
  }
});

test("an HTML page's absolute links to the pod come back under the proxy prefix; other hosts, relative links and text/plain are left alone", async () => {
  const r = await send('GET', `${root}/page`);
  assert.equal(r.status, 200);
  assert.equal(r.body, `<a href="${root}/a">a</a><img src="${root}/b.png"><a href="rel">r</a><a href="http://example.com/c">c</a>`);
  assert.equal((await send('GET', `${root}/text`)).body, '<a href="/a">a</a>');
});

test("a redirect to the pod's own address is sent back through the proxy", async () => {
  const r = await send('GET', `${root}/redirect`);
  assert.equal(r.status, 302);
  assert.equal(r.location, `${root}/moved/`);
});

test('a port that is not a number fails as a dial error does (503 error trying to reach service), as Go\'s dialer fails for it', async () => {
  const r = await send('GET', `${root}/named/x`);
  assert.deepEqual([r.status, r.body], [503, 'error trying to reach service: dial tcp: lookup tcp/http-web: unknown port']);
});
