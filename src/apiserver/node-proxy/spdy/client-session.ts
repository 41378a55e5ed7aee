/**
 * The client end of a SPDY/3.1 session over an upgraded connection, enough for the kubelet streaming
 * protocols: the client opens streams (odd ids) whose SYN_STREAM headers say what they carry
 * (`streamtype: stdout`, `port: 8080`, ...), both sides send data and half-close with FIN.
 * As Kubernetes' spdystream, no flow control is applied (WINDOW_UPDATE is accepted and ignored), the
 * peer's PINGs are answered, and server-initiated streams are refused.
 */
import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { decodeFrames, encodeFrame, FLAG_FIN, RstStatus, type Frame } from './frames.js';
import { HeaderCompressor, HeaderDecompressor, type HeaderList } from './header-block.js';

/** Data frames are cut to this size (kubelet's streams use 32 KiB buffers). */
const MAX_DATA_CHUNK = 32 * 1024;

/**
 * One stream. Events: 'data' (Buffer), 'end' (the peer half-closed), 'reset' (RST_STREAM, with its
 * status), 'close' (both halves done or reset).
 */
export class SpdyStream extends EventEmitter {
  /** Headers of the peer's SYN_REPLY, once it came. */
  replyHeaders?: HeaderList;
  localClosed = false;
  remoteClosed = false;
  reset = false;

  constructor(readonly id: number, readonly headers: HeaderList, private readonly session: SpdyClientSession) {
    super();
  }

  write(data: Buffer): void {
    if (this.localClosed || this.reset) return;
    for (let off = 0; off < data.length; off += MAX_DATA_CHUNK) {
      this.session.send({ type: 'data', streamId: this.id, flags: 0, data: data.subarray(off, off + MAX_DATA_CHUNK) });
    }
  }

  /** Half-closes our side (an empty DATA frame with FIN). */
  end(): void {
    if (this.localClosed || this.reset) return;
    this.localClosed = true;
    this.session.send({ type: 'data', streamId: this.id, flags: FLAG_FIN, data: Buffer.alloc(0) });
    this.maybeClosed();
  }

  /** Aborts the stream (RST_STREAM CANCEL). */
  cancel(): void {
    if (this.reset) return;
    this.reset = true;
    this.session.send({ type: 'rst_stream', streamId: this.id, flags: 0, status: RstStatus.CANCEL });
    this.emit('close');
  }

  /** @internal */
  remoteEnd(): void {
    if (this.remoteClosed) return;
    this.remoteClosed = true;
    this.emit('end');
    this.maybeClosed();
  }

  /** @internal */
  remoteReset(status: number): void {
    if (this.reset) return;
    this.reset = true;
    if (!this.remoteClosed) {
      this.remoteClosed = true;
      this.emit('end');
    }
    this.emit('reset', status);
    this.emit('close');
  }

  private maybeClosed(): void {
    if (this.localClosed && this.remoteClosed) this.emit('close');
  }
}

/**
 * Events: 'close' (the connection ended; every stream has had its 'end'), 'error' (protocol error;
 * the connection is then destroyed).
 */
export class SpdyClientSession extends EventEmitter {
  private readonly compressor = new HeaderCompressor();
  private readonly decompressor = new HeaderDecompressor();
  private readonly streams = new Map<number, SpdyStream>();
  private nextId = 1;
  private pending: Buffer = Buffer.alloc(0);
  /** Frames are written strictly in order; header compression makes some of them asynchronous. */
  private writeChain: Promise<void> = Promise.resolve();
  /** Incoming frames are handled strictly in order for the same reason. */
  private readChain: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly socket: Duplex, initial: Buffer = Buffer.alloc(0)) {
    super();
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.once('close', () => this.onClose());
    socket.once('end', () => this.onClose());
    socket.on('error', () => this.onClose());
    if (initial.length > 0) this.onData(initial);
  }

  /** Opens a stream with these headers (names lower-case). `fin` opens it already half-closed. */
  openStream(headers: HeaderList, opts: { fin?: boolean } = {}): SpdyStream {
    const id = this.nextId;
    this.nextId += 2;
    const s = new SpdyStream(id, headers, this);
    if (opts.fin) s.localClosed = true;
    this.streams.set(id, s);
    this.enqueue(async () =>
      encodeFrame({
        type: 'syn_stream', streamId: id, associatedStreamId: 0, priority: 0, slot: 0,
        flags: opts.fin ? FLAG_FIN : 0, headerBlock: await this.compressHeaders(headers),
      }),
    );
    return s;
  }

  /** @internal Sends a frame without a header block. */
  send(f: Frame): void {
    this.enqueue(async () => encodeFrame(f));
  }

  /** Ends the session: the connection is closed after what is queued has been written. */
  close(): void {
    this.enqueue(async () => Buffer.alloc(0));
    void this.writeChain.then(() => this.socket.end());
  }

  /** Stops reading from the connection (backpressure); frames already read are still delivered. */
  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  destroy(): void {
    this.socket.destroy();
    this.onClose();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private compressHeaders(headers: HeaderList): Promise<Buffer> {
    return this.compressor.compress(headers);
  }

  private enqueue(build: () => Promise<Buffer>): void {
    this.writeChain = this.writeChain.then(async () => {
      const b = await build();
      if (b.length > 0 && !this.closed && this.socket.writable) this.socket.write(b);
    }).catch((err) => this.fail(err));
  }

  private onData(d: Buffer): void {
    this.pending = this.pending.length > 0 ? Buffer.concat([this.pending, d]) : d;
    let frames: Frame[];
    try {
      ({ frames, rest: this.pending } = decodeFrames(this.pending));
    } catch (err) {
      this.fail(err);
      return;
    }
    for (const f of frames) this.readChain = this.readChain.then(() => this.handle(f)).catch((err) => this.fail(err));
  }

  private async handle(f: Frame): Promise<void> {
    switch (f.type) {
      case 'data': {
        const s = this.streams.get(f.streamId);
        if (!s) return;
        if (f.data.length > 0) s.emit('data', f.data);
        if (f.flags & FLAG_FIN) s.remoteEnd();
        return;
      }
      case 'syn_reply': {
        const headers = await this.decompressor.decompress(f.headerBlock);
        const s = this.streams.get(f.streamId);
        if (!s) return;
        s.replyHeaders = headers;
        s.emit('reply', headers);
        if (f.flags & FLAG_FIN) s.remoteEnd();
        return;
      }
      case 'headers': {
        await this.decompressor.decompress(f.headerBlock); // keeps the zlib context in step
        if (f.flags & FLAG_FIN) this.streams.get(f.streamId)?.remoteEnd();
        return;
      }
      case 'syn_stream':
        await this.decompressor.decompress(f.headerBlock);
        this.send({ type: 'rst_stream', streamId: f.streamId, flags: 0, status: RstStatus.REFUSED_STREAM });
        return;
      case 'rst_stream':
        this.streams.get(f.streamId)?.remoteReset(f.status);
        return;
      case 'ping':
        // Even ids are the server's pings: echo them. Odd ones would be answers to ours.
        if (f.id % 2 === 0) this.send({ type: 'ping', flags: 0, id: f.id });
        return;
      case 'goaway':
        this.destroy();
        return;
      default:
        return; // settings, window_update, unknown control frames
    }
  }

  private fail(err: unknown): void {
    if (this.closed) return;
    this.emit('error', err);
    this.destroy();
  }

  private onClose(): void {
    if (this.closed) return;
    // Frames already received are handled before the session reports its end.
    void this.readChain.then(() => {
      if (this.closed) return;
      this.closed = true;
      for (const s of this.streams.values()) {
        if (!s.remoteClosed) s.remoteEnd();
      }
      this.compressor.close();
      this.decompressor.close();
      this.emit('close');
    });
  }
}
