/**
 * A minimal DER reader for the X.509 structures Bosun inspects (PKCS#10 requests): each element's
 * tag and exact byte range, so the signed part of a request is verified over the bytes as sent
 * (re-encoding could change them). Throws on truncated or indefinite-length input.
 */

/** One DER element: `tag` byte, the whole element `raw`, its contents `body`. */
export interface Der {
  tag: number;
  raw: Buffer;
  body: Buffer;
}

export class DerError extends Error {}

/** The element starting at `off` of `buf`. */
export function readDer(buf: Buffer, off = 0): Der {
  if (off + 2 > buf.length) throw new DerError('truncated element');
  const tag = buf[off]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError('multi-byte tags are not supported');
  let len = buf[off + 1]!;
  let hdr = 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new DerError('unsupported length encoding');
    if (off + 2 + n > buf.length) throw new DerError('truncated length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[off + 2 + i]!;
    hdr += n;
  }
  const end = off + hdr + len;
  if (end > buf.length) throw new DerError('truncated element');
  return { tag, raw: buf.subarray(off, end), body: buf.subarray(off + hdr, end) };
}

/** The elements inside a constructed element (SEQUENCE, SET, context-specific). */
export function children(el: Der): Der[] {
  const out: Der[] = [];
  let off = 0;
  while (off < el.body.length) {
    const c = readDer(el.body, off);
    out.push(c);
    off += c.raw.length;
  }
  return out;
}

/** Dotted text of an OBJECT IDENTIFIER's contents. */
export function oidText(body: Buffer): string {
  if (body.length === 0) throw new DerError('empty OID');
  const first = body[0]!;
  const parts = [Math.min(2, Math.floor(first / 40)), first - Math.min(2, Math.floor(first / 40)) * 40];
  let v = 0;
  for (let i = 1; i < body.length; i++) {
    v = v * 128 + (body[i]! & 0x7f);
    if (!(body[i]! & 0x80)) {
      parts.push(v);
      v = 0;
    }
  }
  return parts.join('.');
}

export const TAG = { SEQUENCE: 0x30, SET: 0x31, OID: 0x06, BIT_STRING: 0x03, OCTET_STRING: 0x04, BOOLEAN: 0x01 } as const;

/** The DER bytes of the first PEM block of type `type` in `pem`; undefined when there is none. */
export function pemBlock(pem: string, type: string): Buffer | undefined {
  const m = new RegExp(`-----BEGIN ${type}-----\\r?\\n([A-Za-z0-9+/=\\r\\n]*?)-----END ${type}-----`).exec(pem);
  if (!m) return undefined;
  return Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64');
}

/** The type of the first PEM block in `pem` (as Go's pem.Decode finds it), or undefined. */
export function firstPemType(pem: string): string | undefined {
  return /-----BEGIN ([A-Z0-9 ]+)-----/.exec(pem)?.[1];
}
