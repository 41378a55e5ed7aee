/**
 * SPDY/3.1 framing (draft-mbelshe-httpbis-spdy-00 with the 3.1 flow-control additions), the transport
 * of kubectl's and kubelet's legacy streaming protocols. Pure encode/decode; header blocks are carried
 * compressed (see header-block.ts). Frame layout, big-endian:
 *   control: 1 | version(15) | type(16) | flags(8) | length(24) | payload
 *   data:    0 | stream-id(31)           | flags(8) | length(24) | payload
 */

export const SPDY_VERSION = 3;

export const FrameType = {
  SYN_STREAM: 1,
  SYN_REPLY: 2,
  RST_STREAM: 3,
  SETTINGS: 4,
  PING: 6,
  GOAWAY: 7,
  HEADERS: 8,
  WINDOW_UPDATE: 9,
} as const;

export const FLAG_FIN = 0x01;
export const FLAG_UNIDIRECTIONAL = 0x02;

/** RST_STREAM status codes. */
export const RstStatus = {
  PROTOCOL_ERROR: 1,
  INVALID_STREAM: 2,
  REFUSED_STREAM: 3,
  UNSUPPORTED_VERSION: 4,
  CANCEL: 5,
  INTERNAL_ERROR: 6,
  FLOW_CONTROL_ERROR: 7,
  STREAM_IN_USE: 8,
  STREAM_ALREADY_CLOSED: 9,
} as const;

/** Largest payload a frame's 24-bit length can carry. */
export const MAX_FRAME_PAYLOAD = 0xffffff;

export type Frame =
  | { type: 'data'; streamId: number; flags: number; data: Buffer }
  | { type: 'syn_stream'; streamId: number; associatedStreamId: number; priority: number; slot: number; flags: number; headerBlock: Buffer }
  | { type: 'syn_reply'; streamId: number; flags: number; headerBlock: Buffer }
  | { type: 'rst_stream'; streamId: number; flags: number; status: number }
  | { type: 'settings'; flags: number; entries: { flags: number; id: number; value: number }[] }
  | { type: 'ping'; flags: number; id: number }
  | { type: 'goaway'; flags: number; lastGoodStreamId: number; status: number }
  | { type: 'headers'; streamId: number; flags: number; headerBlock: Buffer }
  | { type: 'window_update'; streamId: number; flags: number; delta: number }
  /** A control frame of a type this codec does not know (SPDY says: ignore it). */
  | { type: 'unknown'; frameType: number; flags: number; payload: Buffer };

export class SpdyProtocolError extends Error {
  override readonly name = 'SpdyProtocolError';
}

function control(type: number, flags: number, payload: Buffer): Buffer {
  if (payload.length > MAX_FRAME_PAYLOAD) throw new SpdyProtocolError(`frame payload of ${payload.length} bytes is too large`);
  const h = Buffer.alloc(8);
  h.writeUInt16BE(0x8000 | SPDY_VERSION, 0);
  h.writeUInt16BE(type, 2);
  h.writeUInt32BE(((flags & 0xff) << 24 | payload.length) >>> 0, 4);
  return Buffer.concat([h, payload]);
}

const u31 = (n: number): number => n & 0x7fffffff;

function words(...values: number[]): Buffer {
  const b = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => b.writeUInt32BE(v >>> 0, i * 4));
  return b;
}

export function encodeFrame(f: Frame): Buffer {
  switch (f.type) {
    case 'data': {
      if (f.data.length > MAX_FRAME_PAYLOAD) throw new SpdyProtocolError(`data frame of ${f.data.length} bytes is too large`);
      const h = Buffer.alloc(8);
      h.writeUInt32BE(u31(f.streamId), 0);
      h.writeUInt32BE(((f.flags & 0xff) << 24 | f.data.length) >>> 0, 4);
      return Buffer.concat([h, f.data]);
    }
    case 'syn_stream': {
      const fixed = Buffer.alloc(10);
      fixed.writeUInt32BE(u31(f.streamId), 0);
      fixed.writeUInt32BE(u31(f.associatedStreamId), 4);
      fixed[8] = (f.priority & 0x7) << 5;
      fixed[9] = f.slot & 0xff;
      return control(FrameType.SYN_STREAM, f.flags, Buffer.concat([fixed, f.headerBlock]));
    }
    case 'syn_reply':
      return control(FrameType.SYN_REPLY, f.flags, Buffer.concat([words(u31(f.streamId)), f.headerBlock]));
    case 'headers':
      return control(FrameType.HEADERS, f.flags, Buffer.concat([words(u31(f.streamId)), f.headerBlock]));
    case 'rst_stream':
      return control(FrameType.RST_STREAM, f.flags, words(u31(f.streamId), f.status));
    case 'settings': {
      const b = Buffer.alloc(4 + 8 * f.entries.length);
      b.writeUInt32BE(f.entries.length, 0);
      f.entries.forEach((e, i) => {
        b.writeUInt32BE(((e.flags & 0xff) << 24 | (e.id & 0xffffff)) >>> 0, 4 + i * 8);
        b.writeUInt32BE(e.value >>> 0, 8 + i * 8);
      });
      return control(FrameType.SETTINGS, f.flags, b);
    }
    case 'ping':
      return control(FrameType.PING, f.flags, words(f.id));
    case 'goaway':
      return control(FrameType.GOAWAY, f.flags, words(u31(f.lastGoodStreamId), f.status));
    case 'window_update':
      return control(FrameType.WINDOW_UPDATE, f.flags, words(u31(f.streamId), u31(f.delta)));
    case 'unknown':
      return control(f.frameType, f.flags, f.payload);
  }
}

function need(p: Buffer, n: number, what: string): void {
  if (p.length < n) throw new SpdyProtocolError(`${what} frame too short (${p.length} < ${n} bytes)`);
}

function decodeControl(type: number, flags: number, p: Buffer): Frame {
  switch (type) {
    case FrameType.SYN_STREAM:
      need(p, 10, 'SYN_STREAM');
      return {
        type: 'syn_stream', flags,
        streamId: u31(p.readUInt32BE(0)), associatedStreamId: u31(p.readUInt32BE(4)),
        priority: p[8]! >> 5, slot: p[9]!, headerBlock: p.subarray(10),
      };
    case FrameType.SYN_REPLY:
      need(p, 4, 'SYN_REPLY');
      return { type: 'syn_reply', flags, streamId: u31(p.readUInt32BE(0)), headerBlock: p.subarray(4) };
    case FrameType.HEADERS:
      need(p, 4, 'HEADERS');
      return { type: 'headers', flags, streamId: u31(p.readUInt32BE(0)), headerBlock: p.subarray(4) };
    case FrameType.RST_STREAM:
      need(p, 8, 'RST_STREAM');
      return { type: 'rst_stream', flags, streamId: u31(p.readUInt32BE(0)), status: p.readUInt32BE(4) };
    case FrameType.SETTINGS: {
      need(p, 4, 'SETTINGS');
      const n = p.readUInt32BE(0);
      need(p, 4 + 8 * n, 'SETTINGS');
      const entries = [];
      for (let i = 0; i < n; i++) {
        const w = p.readUInt32BE(4 + i * 8);
        entries.push({ flags: w >>> 24, id: w & 0xffffff, value: p.readUInt32BE(8 + i * 8) });
      }
      return { type: 'settings', flags, entries };
    }
    case FrameType.PING:
      need(p, 4, 'PING');
      return { type: 'ping', flags, id: p.readUInt32BE(0) };
    case FrameType.GOAWAY:
      need(p, 8, 'GOAWAY');
      return { type: 'goaway', flags, lastGoodStreamId: u31(p.readUInt32BE(0)), status: p.readUInt32BE(4) };
    case FrameType.WINDOW_UPDATE:
      need(p, 8, 'WINDOW_UPDATE');
      return { type: 'window_update', flags, streamId: u31(p.readUInt32BE(0)), delta: u31(p.readUInt32BE(4)) };
    default:
      return { type: 'unknown', frameType: type, flags, payload: p };
  }
}

/**
 * Decodes every complete frame at the front of `buf`; `rest` is the incomplete remainder to prepend
 * to the next read. Throws SpdyProtocolError on a control frame of another SPDY version.
 */
export function decodeFrames(buf: Buffer): { frames: Frame[]; rest: Buffer } {
  const frames: Frame[] = [];
  let off = 0;
  while (buf.length - off >= 8) {
    const w0 = buf.readUInt32BE(off);
    const w1 = buf.readUInt32BE(off + 4);
    const length = w1 & 0xffffff;
    if (buf.length - off < 8 + length) break;
    const flags = w1 >>> 24;
    const payload = buf.subarray(off + 8, off + 8 + length);
    if (w0 & 0x80000000) {
      const version = (w0 >>> 16) & 0x7fff;
      if (version !== SPDY_VERSION) throw new SpdyProtocolError(`unsupported SPDY version ${version}`);
      frames.push(decodeControl(w0 & 0xffff, flags, payload));
    } else {
      frames.push({ type: 'data', streamId: w0, flags, data: payload });
    }
    off += 8 + length;
  }
  return { frames, rest: buf.subarray(off) };
}
