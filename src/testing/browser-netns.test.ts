/**
 * The console tests' Chromium against the host's network churn (browser-netns.ts): while an address
 * is added to and removed from a veth of the host every 50 ms (as pods beside the console e2e do),
 * the page fetches from an HTTPS server on the host's 127.0.0.1 twenty times, each on a new
 * connection. In the host's network namespace Chromium failed 13 of 20 with ERR_NETWORK_CHANGED;
 * in its own, none may fail. The relay reaches loopback only. Needs root and Debian's chromium.
 * About 6 s.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import { connect, type AddressInfo } from 'node:net';
import { issueCertificate } from '../apiserver/pki/certs.js';
import { deleteLink } from '../agent/testing/host-state.js';
import { openConsoleBrowser, type ConsoleBrowser } from './console-browser.js';
import { startLoopbackRelay } from './browser-netns.js';

let server: Server;
let base = '';
let b: ConsoleBrowser;

before(async () => {
  const { cert, key } = issueCertificate({ commonName: '127.0.0.1', ips: ['127.0.0.1'], usage: 'server', validDays: 1 });
  server = createServer({ cert, key }, (req, res) => {
    // A new connection (a new TLS handshake) for every request: those are what a change fails.
    res.setHeader('connection', 'close');
    if (req.url === '/') {
      res.setHeader('content-type', 'text/html');
      res.end('<!doctype html><p>page</p>');
      return;
    }
    setTimeout(() => res.end('answered'), 100);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  b = await openConsoleBrowser();
});
after(async () => {
  await b?.close();
  await new Promise((r) => server?.close(r));
});

test("requests of the console's browser survive address changes of the host", async () => {
  await b.page.goto(`${base}/`);
  const veth = `bzb${randomBytes(3).toString('hex')}`;
  const ip = (...a: string[]): void => void execFileSync('ip', a, { stdio: 'ignore' });
  ip('link', 'add', veth, 'type', 'veth', 'peer', 'name', `${veth}p`);
  let stop = false;
  let changes = 0;
  const churn = (async () => {
    ip('link', 'set', veth, 'up');
    ip('link', 'set', `${veth}p`, 'up');
    for (let i = 0; !stop; i++) {
      // TEST-NET-2 (RFC 5737): no test node's pod or service network.
      const addr = `198.51.100.${1 + (i % 254)}/32`;
      ip('addr', 'add', addr, 'dev', veth);
      await new Promise((r) => setTimeout(r, 50));
      ip('addr', 'del', addr, 'dev', veth);
      changes += 2;
    }
  })();
  try {
    const results = await b.page.evaluate(async () => {
      const out: string[] = [];
      for (let i = 0; i < 20; i++) out.push(await fetch(`/r${i}`, { cache: 'no-store' }).then((r) => r.text(), (e: Error) => `failed: ${e.message}`));
      return out;
    });
    stop = true;
    await churn;
    assert.ok(changes >= 20, `the host's addresses changed ${changes} times`);
    assert.deepEqual(results, Array(20).fill('answered'));
  } finally {
    stop = true;
    await churn.catch(() => undefined);
    deleteLink(veth);
  }
});

test('the relay connects to loopback addresses only', async () => {
  const relay = await startLoopbackRelay();
  try {
    const path = relay.env('')['BOSUN_BROWSER_RELAY']!;
    // SOCKS5: no authentication, then CONNECT to the given IPv4 address and port; the reply's second byte.
    const reply = (addr: number[], port: number) => new Promise<number>((resolve, reject) => {
      const s = connect(path);
      let got = Buffer.alloc(0);
      s.on('data', (d: Buffer) => {
        got = Buffer.concat([got, d]);
        if (got.length >= 4) {
          resolve(got[3]!);
          s.destroy();
        }
      }).on('error', reject);
      const p = Buffer.alloc(2);
      p.writeUInt16BE(port);
      s.write(Buffer.concat([Buffer.from([5, 1, 0, 5, 1, 0, 1, ...addr]), p]));
    });
    const { port } = server.address() as AddressInfo;
    assert.equal(await reply([127, 0, 0, 1], port), 0, 'loopback: granted');
    assert.equal(await reply([10, 255, 0, 1], port), 2, 'elsewhere: not allowed');
  } finally {
    await relay.close();
  }
});
