/**
 * The SPDY client session against a peer built from the same codec over a socket pair, playing the
 * part of kubelet's streaming server (spdystream): replies, data, FIN, PING, RST_STREAM.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { SpdyClientSession } from './client-session.js';
import { decodeFrames, encodeFrame, FLAG_FIN, type Frame } from './frames.js';
import { HeaderCompressor, HeaderDecompressor, type HeaderList } from './header-block.js';

/** The server end: collects frames (header blocks decompressed) and sends frames. */
class Peer {
  frames: (Frame & { headers?: HeaderList })[] = [];
  private pending: Buffer = Buffer.alloc(0);
  private readonly inflate = new HeaderDecompressor();
  private readonly deflate = new HeaderCompressor();
  private chain: Promise<void> = Promise.resolve();

  constructor(readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      const { frames, rest } = decodeFrames(Buffer.concat([this.pending, d]));
      this.pending = rest;
      for (const f of frames) {
        this.chain = this.chain.then(async () => {
          const headers = 'headerBlock' in f ? await this.inflate.decompress(f.headerBlock) : undefined;
          this.frames.push({ ...f, headers });
        });
      }
    });
  }

  async until(pred: (fs: Peer['frames']) => boolean): Promise<void> {
    for (let i = 0; i < 400 && !pred(this.frames); i++) await new Promise((r) => setTimeout(r, 5));
    assert.ok(pred(this.frames), `frames so far: ${JSON.stringify(this.frames.map((f) => f.type))}`);
  }

  async reply(streamId: number, headers: HeaderList = []): Promise<void> {
    this.socket.write(encodeFrame({ type: 'syn_reply', streamId, flags: 0, headerBlock: await this.deflate.compress(headers) }));
  }

  send(f: Frame): void {
    this.socket.write(encodeFrame(f));
  }

  close(): void {
    this.inflate.close();
    this.deflate.close();
    this.socket.destroy();
  }
}

let server: ReturnType<typeof createServer>;
let port: number;
const accepted: Socket[] = [];

async function pair(): Promise<{ session: SpdyClientSession; peer: Peer }> {
  const client = connect(port, '127.0.0.1');
  await once(client, 'connect');
  while (accepted.length === 0) await new Promise((r) => setTimeout(r, 1));
  return { session: new SpdyClientSession(client), peer: new Peer(accepted.shift()!) };
}

describe('SPDY client session', () => {
  before(async () => {
    server = createServer((s) => accepted.push(s));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as { port: number }).port;
  });
  after(() => server.close());

  it('opens streams with odd ids and compressed headers, then sends data and FIN in order', async () => {
    const { session, peer } = await pair();
    const err = session.openStream([['streamtype', 'error']]);
    const stdin = session.openStream([['streamtype', 'stdin']]);
    stdin.write(Buffer.from('abc'));
    stdin.end();
    await peer.until((fs) => fs.length === 4);
    assert.deepEqual(peer.frames.map((f) => [f.type, 'streamId' in f ? f.streamId : 0]), [['syn_stream', 1], ['syn_stream', 3], ['data', 3], ['data', 3]]);
    assert.deepEqual(peer.frames[0]!.headers, [['streamtype', 'error']]);
    assert.deepEqual(peer.frames[1]!.headers, [['streamtype', 'stdin']]);
    assert.equal((peer.frames[2] as { data: Buffer }).data.toString(), 'abc');
    assert.equal(peer.frames[3]!.flags & FLAG_FIN, FLAG_FIN);
    assert.equal(err.id, 1);
    session.destroy();
    peer.close();
  });

  it('delivers replies, data and FIN per stream, answers PINGs, and reports resets', async () => {
    const { session, peer } = await pair();
    const out = session.openStream([['streamtype', 'stdout']]);
    const other = session.openStream([['streamtype', 'stderr']]);
    const got: string[] = [];
    out.on('data', (d: Buffer) => got.push(d.toString()));
    const ended = once(out, 'end');
    const reset = once(other, 'reset');
    await peer.until((fs) => fs.length === 2);
    await peer.reply(1, [['x', 'y']]);
    peer.send({ type: 'data', streamId: 1, flags: 0, data: Buffer.from('hello ') });
    peer.send({ type: 'ping', flags: 0, id: 2 });
    peer.send({ type: 'window_update', streamId: 1, flags: 0, delta: 1000 });
    peer.send({ type: 'data', streamId: 1, flags: FLAG_FIN, data: Buffer.from('world') });
    peer.send({ type: 'rst_stream', streamId: 3, flags: 0, status: 5 });
    await ended;
    assert.deepEqual(await reset, [5]);
    assert.equal(got.join(''), 'hello world');
    assert.deepEqual(out.replyHeaders, [['x', 'y']]);
    await peer.until((fs) => fs.some((f) => f.type === 'ping'));
    assert.deepEqual(peer.frames.find((f) => f.type === 'ping'), { type: 'ping', flags: 0, id: 2, headers: undefined });
    session.destroy();
    peer.close();
  });

  it('refuses streams the server opens, and ends every stream when the connection closes', async () => {
    const { session, peer } = await pair();
    const s = session.openStream([['streamtype', 'stdout']]);
    const deflate = new HeaderCompressor();
    peer.send({ type: 'syn_stream', streamId: 2, associatedStreamId: 0, priority: 0, slot: 0, flags: 0, headerBlock: await deflate.compress([['a', 'b']]) });
    await peer.until((fs) => fs.some((f) => f.type === 'rst_stream'));
    assert.deepEqual(peer.frames.find((f) => f.type === 'rst_stream'), { type: 'rst_stream', streamId: 2, flags: 0, status: 3, headers: undefined });
    const ended = once(s, 'end');
    const closed = once(session, 'close');
    peer.close();
    await ended;
    await closed;
    assert.ok(session.isClosed);
    deflate.close();
  });
});
