/**
 * The protobuf wire format's primitives (https://protobuf.dev/programming-guides/encoding/): varints,
 * 64-bit integers as decimal strings, length-delimited bytes and skipping unknown fields. What
 * proto-codec.ts builds messages from; no reflection, no generated code, no int64 library.
 */

export const WireType = { VARINT: 0, I64: 1, LEN: 2, SGROUP: 3, EGROUP: 4, I32: 5 } as const;

const TWO_32 = 4294967296;

/** An unsigned 64-bit integer (any integral string, number or bigint) as its two 32-bit halves. */
export function int64Halves(v: string | number | bigint): [lo: number, hi: number] {
  if (typeof v === 'number' && v >= 0 && v < TWO_32 && Number.isInteger(v)) return [v, 0];
  const n = BigInt.asUintN(64, typeof v === 'number' ? BigInt(Math.trunc(v)) : BigInt(v));
  return [Number(n & 0xffffffffn), Number(n >> 32n)];
}

/** A 64-bit integer's halves as a decimal string (signed: two's complement). */
export function int64String(lo: number, hi: number, signed: boolean): string {
  if (hi === 0) return String(lo);
  if (!signed || hi < 0x80000000) {
    const n = hi * TWO_32 + lo;
    if (n <= Number.MAX_SAFE_INTEGER) return String(n);
  }
  const n = (BigInt(hi) << 32n) | BigInt(lo);
  return (signed ? BigInt.asIntN(64, n) : n).toString();
}

/** Appends to a growing buffer. */
export class ProtoWriter {
  private buf = Buffer.allocUnsafe(256);
  private len = 0;

  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  /** A varint of an unsigned 32-bit value. */
  uint32(v: number): this {
    this.room(5);
    v >>>= 0;
    while (v > 127) {
      this.buf[this.len++] = (v & 127) | 128;
      v >>>= 7;
    }
    this.buf[this.len++] = v;
    return this;
  }

  /** A varint of a 64-bit value given as its halves (a negative int32 is sign-extended to 64 bits by the caller). */
  varint64(lo: number, hi: number): this {
    if (hi === 0) return this.uint32(lo);
    this.room(10);
    lo >>>= 0;
    hi >>>= 0;
    while (hi > 0 || lo > 127) {
      this.buf[this.len++] = (lo & 127) | 128;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    this.buf[this.len++] = lo;
    return this;
  }

  tag(no: number, wireType: number): this {
    return this.uint32(no * 8 + wireType);
  }

  /** Length-delimited bytes. */
  bytes(b: Uint8Array): this {
    this.uint32(b.length);
    this.room(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
    return this;
  }

  string(s: string): this {
    const n = Buffer.byteLength(s);
    this.uint32(n);
    this.room(n);
    this.len += this.buf.write(s, this.len, n, 'utf8');
    return this;
  }

  /** The bytes written (a view of the writer's buffer). */
  finish(): Buffer {
    return this.buf.subarray(0, this.len);
  }
}

/** Reads one message's bytes. Throws RangeError on input that ends inside a field. */
export class ProtoReader {
  pos: number;

  constructor(readonly buf: Buffer, pos = 0, readonly end = buf.length) {
    this.pos = pos;
  }

  private need(n: number): void {
    if (this.pos + n > this.end) throw new RangeError(`protobuf: index out of range: ${this.pos} + ${n} > ${this.end}`);
  }

  /** A varint's low 32 bits, unsigned (the rest of a 10-byte varint is read and dropped). */
  uint32(): number {
    let v = 0;
    for (let shift = 0; shift < 70; shift += 7) {
      this.need(1);
      const b = this.buf[this.pos++]!;
      if (shift < 32) v |= (b & 127) << shift;
      if (b < 128) return v >>> 0;
    }
    throw new RangeError('protobuf: varint longer than 10 bytes');
  }

  /** A varint as its 64-bit halves. */
  varint64(): [lo: number, hi: number] {
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      this.need(1);
      const b = this.buf[this.pos++]!;
      if (i < 4) lo |= (b & 127) << (i * 7);
      else if (i === 4) {
        lo |= (b & 15) << 28;
        hi |= (b & 127) >> 4;
      } else hi |= (b & 127) << (i * 7 - 32);
      if (b < 128) return [lo >>> 0, hi >>> 0];
    }
    throw new RangeError('protobuf: varint longer than 10 bytes');
  }

  /** A length-delimited field's extent; the reader moves past it. */
  delimited(): [start: number, end: number] {
    const n = this.uint32();
    this.need(n);
    const start = this.pos;
    this.pos += n;
    return [start, this.pos];
  }

  /** Skips one field's value of `wireType` (a group up to its end tag). */
  skip(wireType: number): void {
    switch (wireType) {
      case WireType.VARINT: this.varint64(); return;
      case WireType.I64: this.need(8); this.pos += 8; return;
      case WireType.LEN: this.delimited(); return;
      case WireType.I32: this.need(4); this.pos += 4; return;
      case WireType.SGROUP:
        for (;;) {
          const t = this.uint32();
          if ((t & 7) === WireType.EGROUP) return;
          this.skip(t & 7);
        }
      default: throw new RangeError(`protobuf: invalid wire type ${wireType} at offset ${this.pos}`);
    }
  }
}
