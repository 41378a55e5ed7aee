/**
 * WebSocket upgrades through pods/proxy and services/proxy to a real pod on containerd (the unit
 * test, src/apiserver/node-proxy/proxy-upgrade.test.ts, stands a host address in for the pod IP).
 * Declared into operator-pod.test.ts's describe, whose node already has bosun.test/node-operator:1
 * (Node.js; scripts/build-test-node-operator-image.sh). The pod runs WS_SERVER with `node -e`: Node
 * has no WebSocket server, so a small RFC 6455 one by hand (node:http's 'upgrade', the
 * Sec-WebSocket-Accept hash, masked client frames). On any other path than /refuse and /plain it
 * switches, greets with `hello <hostname> <path>` (so the test sees which pod and path it reached)
 * and echoes each text or binary message; /refuse answers 403 and /plain 200 to the upgrade, the
 * non-101 answers upstream's UpgradeAwareHandler.tryUpgrade passes back as they are (>= 400) or
 * turns into a 500 "invalid upgrade response" (anything else). A `ws` client speaks to the API
 * server with the admin's certificate, as kubectl's WebSocket dialer would. pods/proxy takes the
 * port by number or none (the first container port), services/proxy by the Service port's name or
 * number; a container port's name in pods/proxy is a dial error, as upstream.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { it } from 'node:test';
import { WebSocket } from 'ws';
import { waitFor, type NodeServer } from '../../src/testing/node-server.js';

const NAME = 'ws-echo';
const PORT = 8080;

/**
 * The pod's server. Frames are read whole (no fragmentation: the `ws` client sends each message in
 * one frame); a close frame is answered and the connection ended; a ping gets its pong.
 */
const WS_SERVER = String.raw`
const { createServer } = require('node:http');
const { createHash } = require('node:crypto');
const { hostname } = require('node:os');
const frame = (op, payload) => {
  const n = payload.length;
  const head = Buffer.from([0x80 | op, n < 126 ? n : n < 65536 ? 126 : 127, 0, 0, 0, 0, 0, 0, 0, 0]);
  if (n >= 65536) head.writeBigUInt64BE(BigInt(n), 2);
  else if (n >= 126) head.writeUInt16BE(n, 2);
  return Buffer.concat([head.subarray(0, n < 126 ? 2 : n < 65536 ? 4 : 10), payload]);
};
const server = createServer((req, res) => res.end('not an upgrade\n'));
server.on('upgrade', (req, socket, head) => {
  if (req.url.startsWith('/refuse')) return socket.end('HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nX-Pod: ' + hostname() + '\r\nContent-Length: 7\r\n\r\nno, sir');
  if (req.url.startsWith('/plain')) return socket.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
  const accept = createHash('sha1').update(req.headers['sec-websocket-key'] + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
  const proto = (req.headers['sec-websocket-protocol'] || '').split(',')[0].trim();
  socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ' + accept + '\r\n' +
    (proto ? 'Sec-WebSocket-Protocol: ' + proto + '\r\n' : '') + '\r\n');
  socket.write(frame(1, Buffer.from('hello ' + hostname() + ' ' + req.url)));
  let buf = head;
  const parse = () => {
    while (buf.length >= 2) {
      const op = buf[0] & 15;
      let n = buf[1] & 127, off = 2;
      if (n === 126) { if (buf.length < 4) return; n = buf.readUInt16BE(2); off = 4; }
      else if (n === 127) { if (buf.length < 10) return; n = Number(buf.readBigUInt64BE(2)); off = 10; }
      const mask = buf[1] & 128 ? buf.subarray(off, off + 4) : undefined;
      if (mask) off += 4;
      if (buf.length < off + n) return;
      const p = Buffer.from(buf.subarray(off, off + n));
      if (mask) for (let i = 0; i < n; i++) p[i] ^= mask[i & 3];
      buf = buf.subarray(off + n);
      if (op === 8) return void socket.end(frame(8, p));
      if (op === 9) socket.write(frame(10, p));
      else if (op === 1 || op === 2) socket.write(frame(op, p));
    }
  };
  socket.on('data', (d) => { buf = Buffer.concat([buf, d]); parse(); });
  socket.on('error', () => socket.destroy());
  parse();
});
server.listen(${PORT});
process.on('SIGTERM', () => process.exit(0));
`;

const manifests = (ns: string): string => JSON.stringify({
  apiVersion: 'v1', kind: 'List', items: [
    {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: NAME, namespace: ns, labels: { app: NAME } },
      spec: {
        terminationGracePeriodSeconds: 1,
        containers: [{
          name: 'ws', image: 'bosun.test/node-operator:1', args: ['-e', WS_SERVER],
          ports: [{ name: 'ws', containerPort: PORT }], readinessProbe: { httpGet: { port: PORT }, periodSeconds: 1 },
        }],
      },
    },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: NAME, namespace: ns }, spec: { selector: { app: NAME }, ports: [{ name: 'echo', port: 80, targetPort: 'ws' }] } },
  ],
});

/** What a WebSocket handshake through the API server got: the socket once open, or the non-101 answer. */
type Opened = { ws: WebSocket; greeting: string } | { status: number; headers: IncomingMessage['headers']; body: string };

function openWebSocket(node: NodeServer, path: string, protocols: string[] = []): Promise<Opened> {
  const pki = join(node.dataDir, 'pki');
  const url = `${node.url.replace(/^https:/, 'wss:')}${path}`;
  const ws = new WebSocket(url, protocols, {
    ca: readFileSync(join(pki, 'ca.crt')), cert: readFileSync(join(pki, 'admin.crt')), key: readFileSync(join(pki, 'admin.key')),
  });
  return new Promise((resolve, reject) => {
    ws.once('message', (m: Buffer) => resolve({ ws, greeting: m.toString('utf8') }));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c)).once('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
        ws.terminate();
      });
    });
    ws.once('error', reject);
  });
}

/** Sends each message and awaits its echo, in order; then closes and awaits the close handshake. */
async function exchange(ws: WebSocket, messages: (string | Buffer)[]): Promise<(string | Buffer)[]> {
  const got: (string | Buffer)[] = [];
  for (const m of messages) {
    const echoed = new Promise<string | Buffer>((resolve) => ws.once('message', (d: Buffer, binary: boolean) => resolve(binary ? d : d.toString('utf8'))));
    ws.send(m);
    got.push(await echoed);
  }
  const closed = new Promise<number>((resolve) => ws.once('close', resolve));
  ws.close(1000, 'done');
  assert.equal(await closed, 1000, 'the pod answered the close frame');
  return got;
}

export function proxyWebSocketTests(ctx: () => { node: NodeServer; ns: string }): void {
  it('a WebSocket through pods/proxy and services/proxy to a real pod: messages echoed; its refusal passed back, a 200 turned into a 500', async () => {
    const { node, ns } = ctx();
    const applied = await node.kubectl(['apply', '-f', '-'], { input: manifests(ns) });
    assert.equal(applied.code, 0, applied.stderr);
    try {
      await waitFor(`${NAME} endpoints`, async () => {
        const r = await node.kubectl(['-n', ns, 'get', 'endpoints', NAME, '-o', 'jsonpath={.subsets[*].addresses[*].ip}']);
        return r.code === 0 && r.stdout.trim() !== '';
      }, 60_000, 300);
      const base = `/api/v1/namespaces/${ns}`;
      for (const [via, proto] of [[`pods/${NAME}:${PORT}`, 'chat.v1'], [`pods/${NAME}`, ''], [`services/${NAME}:echo`, 'chat.v1'], [`services/${NAME}:80`, '']] as const) {
        const opened = await openWebSocket(node, `${base}/${via}/proxy/chat?room=1`, proto ? [proto, 'other'] : []);
        assert.ok('ws' in opened, `${via}: ${JSON.stringify(opened)}`);
        assert.equal(opened.greeting, `hello ${NAME} /chat?room=1`, via);
        assert.equal(opened.ws.protocol, proto, via);
        // Short, 16-bit and 64-bit frame lengths; the last spans many TCP segments both ways.
        const sent = ['ping', 'x'.repeat(1000), Buffer.from([0, 1, 2, 255]), Buffer.alloc(200_000, 7)];
        assert.deepEqual(await exchange(opened.ws, sent), sent, via);
      }
      for (const via of [`pods/${NAME}:${PORT}`, `services/${NAME}:echo`]) {
        const refused = await openWebSocket(node, `${base}/${via}/proxy/refuse`);
        assert.ok('status' in refused);
        assert.deepEqual([refused.status, refused.headers['x-pod'], refused.body], [403, NAME, 'no, sir'], via);
        const ok = await openWebSocket(node, `${base}/${via}/proxy/plain`);
        assert.ok('status' in ok);
        assert.equal(ok.status, 500, via);
        assert.equal(JSON.parse(ok.body).message, 'invalid upgrade response: status code 200', via);
      }
      // A container port's name is not resolved by pods/proxy (upstream's ResourceLocation): Go's dial error.
      const named = await openWebSocket(node, `${base}/pods/${NAME}:ws/proxy/chat`);
      assert.ok('status' in named);
      assert.deepEqual([named.status, JSON.parse(named.body).message], [500, 'error dialing backend: dial tcp: lookup tcp/ws: unknown port']);
    } finally {
      await node.kubectl(['-n', ns, 'delete', 'pod,service', NAME, '--ignore-not-found']);
    }
  });
}
