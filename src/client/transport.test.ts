/** The connection pool: how many idle keep-alive connections a client keeps after a burst of requests. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { eventually } from '../testing/eventually.js';
import { Transport } from './transport.js';

/** An HTTP server that holds its first `burst` answers until that many requests are open at once, counting connections. */
async function burstServer(burst: number): Promise<{ url: string; opened: () => number; open: Set<Socket>; close: () => Promise<void> }> {
  const open = new Set<Socket>();
  let opened = 0;
  const held: ServerResponse[] = [];
  let released = false;
  const server = createServer((_req, res) => {
    if (released) return void res.end('{}');
    held.push(res);
    if (held.length === burst) {
      released = true;
      for (const r of held.splice(0)) r.end('{}');
    }
  });
  server.on('connection', (s: Socket) => {
    opened++;
    open.add(s);
    s.once('close', () => open.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`, open, opened: () => opened,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
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
