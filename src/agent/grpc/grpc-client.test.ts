import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { GrpcClient, GrpcError, GrpcStatus } from './grpc-client.js';

/**
 * The agent's own gRPC client against grpc-js's server (a reference implementation of the
 * protocol): framing, status and message decoding, deadlines, streaming, limits, reconnection.
 * Messages are raw bytes here; the CRI codec on top is tested against containerd.
 */

const raw = { requestSerialize: (b: Buffer) => b, requestDeserialize: (b: Buffer) => b, responseSerialize: (b: Buffer) => b, responseDeserialize: (b: Buffer) => b };
const unary = (name: string) => ({ path: `/bosun.test.Svc/${name}`, requestStream: false, responseStream: false, ...raw });
const service = {
  Echo: unary('Echo'),
  Fail: unary('Fail'),
  Hang: unary('Hang'),
  Big: unary('Big'),
  Stream: { path: '/bosun.test.Svc/Stream', requestStream: false, responseStream: true, ...raw },
};

const dir = mkdtempSync(join(tmpdir(), 'bosun-grpc-'));
const socketPath = join(dir, 'test.sock');
let server: grpc.Server | undefined;
let hangDeadline: number | undefined;
let streamCancelled: Promise<void> = Promise.resolve();

async function startServer(): Promise<void> {
  const s = new grpc.Server();
  s.addService(service, {
    Echo: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => cb(null, call.request),
    Fail: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) =>
      cb({ code: grpc.status.NOT_FOUND, details: `no such thing: ${call.request.toString()} — ünïcode` } as grpc.ServiceError),
    Hang: (call: grpc.ServerUnaryCall<Buffer, Buffer>) => {
      const d = call.getDeadline();
      hangDeadline = d instanceof Date ? d.getTime() : d;
    },
    Big: (_call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => cb(null, Buffer.alloc(2048, 7)),
    Stream: (call: grpc.ServerWritableStream<Buffer, Buffer>) => {
      const n = call.request.readUInt8(0);
      if (n === 255) {
        streamCancelled = new Promise((r) => call.on('cancelled', () => r()));
        call.write(Buffer.from('first'));
        return;
      }
      for (let i = 0; i < n; i++) call.write(Buffer.from(`m${i}`));
      if (call.request[1] === 1) call.emit('error', { code: grpc.status.INTERNAL, details: 'broke mid-stream' });
      else call.end();
    },
  });
  await new Promise<void>((resolve, reject) => s.bindAsync(`unix://${socketPath}`, grpc.ServerCredentials.createInsecure(), (err) => (err ? reject(err) : resolve())));
  server = s;
}

async function stopServer(): Promise<void> {
  server?.forceShutdown();
  server = undefined;
  rmSync(socketPath, { force: true });
}

async function rejectsWith(p: Promise<unknown>, code: number, details?: RegExp): Promise<GrpcError> {
  const err = await p.then(() => assert.fail('expected a gRPC error'), (e: unknown) => e);
  assert.ok(err instanceof GrpcError, `not a GrpcError: ${String(err)}`);
  assert.equal(err.code, code, `code ${err.code} (${err.details})`);
  if (details) assert.match(err.details, details);
  return err;
}

describe('GrpcClient', () => {
  const client = new GrpcClient({ connect: () => connect(socketPath), maxReceiveBytes: 1024 });
  before(startServer);
  after(async () => {
    client.close();
    await stopServer();
    rmSync(dir, { recursive: true, force: true });
  });

  it('round-trips unary messages, empty and multi-frame ones too', async () => {
    assert.deepEqual(await client.call('/bosun.test.Svc/Echo', Buffer.from('hello'), 5000), Buffer.from('hello'));
    assert.equal((await client.call('/bosun.test.Svc/Echo', new Uint8Array(0), 0)).length, 0);
    const big = new GrpcClient({ connect: () => connect(socketPath), maxReceiveBytes: 4 << 20 });
    try {
      const m = Buffer.alloc(1 << 20, 'x'); // 16 DATA frames of the default 64 KiB window and more
      assert.deepEqual(await big.call('/bosun.test.Svc/Echo', m, 5000), m);
      const many = await Promise.all(Array.from({ length: 50 }, (_, i) => big.call('/bosun.test.Svc/Echo', Buffer.from(`n${i}`), 5000)));
      assert.deepEqual(many.map(String), Array.from({ length: 50 }, (_, i) => `n${i}`));
    } finally {
      big.close();
    }
  });

  it('reports the server status and its percent-decoded message', async () => {
    await rejectsWith(client.call('/bosun.test.Svc/Fail', Buffer.from('abc'), 5000), GrpcStatus.NOT_FOUND, /^no such thing: abc — ünïcode$/);
    await rejectsWith(client.call('/bosun.test.Svc/Nope', Buffer.from(''), 5000), GrpcStatus.UNIMPLEMENTED);
  });

  it('sends the deadline as grpc-timeout and fails DEADLINE_EXCEEDED when it passes', async () => {
    const t0 = Date.now();
    await rejectsWith(client.call('/bosun.test.Svc/Hang', Buffer.from(''), 300), GrpcStatus.DEADLINE_EXCEEDED);
    assert.ok(hangDeadline !== undefined && Number.isFinite(hangDeadline), `server saw deadline ${hangDeadline}`);
    assert.ok(hangDeadline! >= t0 && hangDeadline! <= t0 + 5000, 'the server-side deadline is the one sent');
  });

  it('refuses a response over the size limit', async () => {
    await rejectsWith(client.call('/bosun.test.Svc/Big', Buffer.from(''), 5000), GrpcStatus.RESOURCE_EXHAUSTED, /2048 bytes/);
    assert.deepEqual(await client.call('/bosun.test.Svc/Echo', Buffer.from('still fine'), 5000), Buffer.from('still fine'));
  });

  it('streams server messages in order, then the status', async () => {
    const got: string[] = [];
    const end = await new Promise<GrpcError | undefined>((resolve) => client.serverStream('/bosun.test.Svc/Stream', Buffer.from([5]), (m) => got.push(m.toString()), resolve));
    assert.equal(end, undefined);
    assert.deepEqual(got, ['m0', 'm1', 'm2', 'm3', 'm4']);
    const failed: string[] = [];
    const err = await new Promise<GrpcError | undefined>((resolve) => client.serverStream('/bosun.test.Svc/Stream', Buffer.from([2, 1]), (m) => failed.push(m.toString()), resolve));
    assert.equal(err?.code, GrpcStatus.INTERNAL);
    assert.equal(err?.details, 'broke mid-stream');
  });

  it('cancels a stream: the server sees the cancel and onEnd is not called', async () => {
    let ended = false;
    const first = new Promise<string>((resolve) => {
      const s = client.serverStream('/bosun.test.Svc/Stream', Buffer.from([255]), (m) => {
        resolve(m.toString());
        s.cancel();
      }, () => (ended = true));
    });
    assert.equal(await first, 'first');
    await streamCancelled;
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(ended, false);
  });

  it('fails UNAVAILABLE while the server is down and reconnects once it is back', async () => {
    const stream = new Promise<GrpcError | undefined>((resolve) => client.serverStream('/bosun.test.Svc/Stream', Buffer.from([255]), () => undefined, resolve));
    await new Promise((r) => setTimeout(r, 100));
    await stopServer();
    assert.equal((await stream)?.code, GrpcStatus.UNAVAILABLE, 'a stream open when the server went away');
    await rejectsWith(client.call('/bosun.test.Svc/Echo', Buffer.from('x'), 5000), GrpcStatus.UNAVAILABLE);
    await startServer();
    assert.deepEqual(await client.call('/bosun.test.Svc/Echo', Buffer.from('back'), 5000), Buffer.from('back'));
  });

  it('refuses calls after close', async () => {
    const c = new GrpcClient({ connect: () => connect(socketPath), maxReceiveBytes: 1024 });
    assert.deepEqual(await c.call('/bosun.test.Svc/Echo', Buffer.from('a'), 5000), Buffer.from('a'));
    c.close();
    await rejectsWith(c.call('/bosun.test.Svc/Echo', Buffer.from('a'), 5000), GrpcStatus.UNAVAILABLE, /closed/);
  });
});
