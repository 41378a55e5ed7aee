/**
 * Issue 13 #7, connections: one client cannot hold more than its share of open connections, and
 * the server as a whole keeps a bounded number; connections past either cap are closed at accept,
 * the others keep working, and a slot freed is a slot usable again.
 */
import assert from 'node:assert/strict';
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { after, before, test } from 'node:test';
import { eventually } from '../../testing/eventually.js';
import { issueCertificate } from '../pki/certs.js';
import { listen, type Listener } from './listener.js';

let l: Listener;
const open: TLSSocket[] = [];

before(async () => {
  const ca = issueCertificate({ commonName: 'limits-test-ca', usage: 'ca', validDays: 1 });
  const serving = issueCertificate({ commonName: 'limits-test', usage: 'server', ips: ['127.0.0.1'], validDays: 1 }, ca);
  // The test's client connects from loopback, so loopback is not exempt here.
  l = await listen({
    cert: serving.cert, key: serving.key, clientCa: ca.cert,
    onRequest: (_req, res) => res.end('ok'),
    maxConnections: 6, maxConnectionsPerClient: 3, perClientExempt: () => false,
  }, 0, '127.0.0.1');
});
after(async () => {
  for (const s of open) s.destroy();
  await l?.close(100);
});

/** A TLS connection that completes its handshake, or 'closed' when the server drops it first. */
function dial(localAddress = '127.0.0.1'): Promise<TLSSocket | 'closed'> {
  return new Promise((resolve) => {
    const tcp = netConnect({ host: '127.0.0.1', port: l.port, localAddress });
    const s = tlsConnect({ socket: tcp, rejectUnauthorized: false });
    s.once('secureConnect', () => {
      open.push(s);
      resolve(s);
    });
    s.once('error', () => resolve('closed'));
    s.once('close', () => resolve('closed'));
  });
}

test('a client past its connection cap is closed at accept; a freed slot is usable again', async () => {
  const first = [await dial(), await dial(), await dial()];
  assert.ok(first.every((s) => s !== 'closed'), 'the first three connect');
  assert.equal(await dial(), 'closed', 'the fourth from the same address is closed');
  (first[0] as TLSSocket).destroy();
  // The server sees the close a moment later; until then a new connection may still be refused.
  await eventually(async () => (await dial()) !== 'closed', 'a freed slot usable again');
});

test('the whole server keeps at most maxConnections; other clients still get theirs up to it', async () => {
  // Three from 127.0.0.1 are open (previous test); three more from another loopback address fill the server.
  const others = [await dial('127.0.0.2'), await dial('127.0.0.2'), await dial('127.0.0.2')];
  assert.ok(others.every((s) => s !== 'closed'), 'another client gets its three');
  assert.equal(await dial('127.0.0.3'), 'closed', 'a seventh connection is over the server cap');
});
