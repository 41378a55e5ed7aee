/** The connection pool: how many idle keep-alive connections a client keeps after a burst of requests. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { eventually } from '../testing/eventually.js';
import type { StatusError } from '../api/status.js';
import { Transport } from './transport.js';

/** An HTTP server that holds its first `burst` answers until that many requests are open at once, counting connections. */
async function burstServer(burst: number): Promise<{ url: string; opened: () => number; open: Set<Socket>; onStream?: (res: ServerResponse) => void; close: () => Promise<void> }> {
  const open = new Set<Socket>();
  const ret: { onStream?: (res: ServerResponse) => void } = {};
  let opened = 0;
  const held: ServerResponse[] = [];
  let released = false;
  const server = createServer((req, res) => {
    // A watch answers its headers at once and keeps the stream open (chunked) for later events.
    if (req.url?.includes('watch=true') && ret.onStream) {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.flushHeaders();
      return ret.onStream(res);
    }
    if (released) return void res.end('{}');
    held.push(res);
    if (held.length === burst) {
      released = true;
      for (const r of held.splice(0)) r.end('{}');
    }
  });
  // The server never closes an idle connection itself (node's default is 5 s): what closes is the client's doing.
  server.keepAliveTimeout = 0;
  server.on('connection', (s: Socket) => {
    opened++;
    open.add(s);
    s.once('close', () => open.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return Object.assign(ret, {
    url: `http://127.0.0.1:${port}`, open, opened: () => opened,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  });
}

const burst = (t: Transport, n: number) =>
  Promise.all(Array.from({ length: n }, (_, i) => t.request({ method: 'GET', path: `/api/v1/namespaces/default/pods/p${i}` })));

test('maxFreeSockets: after a burst over 6 connections only that many stay open, and serve what follows', async () => {
  const srv = await burstServer(6);
  const t = new Transport({ server: srv.url }, { maxFreeSockets: 2 });
  try {
    await burst(t, 6);
    assert.equal(srv.opened(), 6, 'the server held every answer until six connections were open');
    await eventually(() => srv.open.size === 2, 'the four surplus idle connections closed');
    await burst(t, 2);
    assert.equal(srv.opened(), 6, 'two requests at once went over the two kept connections');
  } finally {
    t.close();
    await srv.close();
  }
});

test('by default idle connections are kept up to the pool size (no handshakes again at the next burst)', async () => {
  const srv = await burstServer(6);
  const t = new Transport({ server: srv.url });
  try {
    await burst(t, 6);
    await burst(t, 6);
    assert.equal(srv.opened(), 6, 'the second burst reused the six pooled connections');
    assert.equal(srv.open.size, 6);
  } finally {
    t.close();
    await srv.close();
  }
});

test('idleTimeoutMs: an idle pooled connection closes after it, a quiet watch stream on the same pool stays open', async () => {
  const srv = await burstServer(2);
  const streams: ServerResponse[] = [];
  srv.onStream = (res) => streams.push(res);
  const t = new Transport({ server: srv.url }, { idleTimeoutMs: 50 });
  try {
    // A watch-like stream: headers, then nothing until the server has something to say.
    const watch = await t.stream({ method: 'GET', path: '/api/v1/pods?watch=true' });
    await burst(t, 2);
    assert.equal(srv.open.size, 3, 'one stream and two pooled connections');
    // Go's http.Transport IdleConnTimeout (client-go: 90 s): idle pooled connections are closed.
    await eventually(() => srv.open.size === 1, 'the two idle connections closed');
    // The stream's socket has been quiet for longer than the idle ones were: it still carries events.
    const line = new Promise<string>((resolve) => watch.once('data', (d: Buffer) => resolve(d.toString())));
    streams[0]!.write('{"type":"ADDED"}\n');
    assert.equal(await line, '{"type":"ADDED"}\n');
    watch.destroy();
  } finally {
    t.close();
    await srv.close();
  }
});

test('a 429 or 503 with a plain-text body carries its Retry-After as details.retryAfterSeconds (client-go)', async () => {
  const server = createServer((req, res) => {
    if (req.url === '/busy') res.writeHead(429, { 'Retry-After': '3', 'Content-Type': 'text/plain' }).end('Too many requests, please try again later.\n');
    else res.writeHead(503, { 'Content-Type': 'text/plain' }).end('down');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const t = new Transport({ server: `http://127.0.0.1:${(server.address() as { port: number }).port}` });
  try {
    await assert.rejects(t.request({ method: 'GET', path: '/busy' }), (e: StatusError) => {
      assert.equal(e.code, 429);
      assert.equal(e.reason, 'TooManyRequests');
      assert.equal(e.status.details?.retryAfterSeconds, 3);
      return true;
    });
    await assert.rejects(t.request({ method: 'GET', path: '/down' }), (e: StatusError) => e.code === 503 && e.status.details === undefined);
  } finally {
    t.close();
    await new Promise((r) => server.close(r));
  }
});
