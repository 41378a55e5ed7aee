/**
 * SPDY/3 name/value header blocks and their compression. A block is
 *   count(32) { name-length(32) name value-length(32) value }*
 * (names lower-case; several values of one name joined by NUL), compressed with zlib using the
 * SPDY/3 dictionary, with one compression context per direction for the whole session: each block is
 * ended by a sync flush, never by the end of the zlib stream.
 */
import { constants, createDeflate, createInflate, type Deflate, type Inflate } from 'node:zlib';

/** Words of the SPDY/3 dictionary, each preceded by its length as a 32-bit big-endian number. */
const DICTIONARY_WORDS = [
  'options', 'head', 'post', 'put', 'delete', 'trace', 'accept', 'accept-charset', 'accept-encoding',
  'accept-language', 'accept-ranges', 'age', 'allow', 'authorization', 'cache-control', 'connection',
  'content-base', 'content-encoding', 'content-language', 'content-length', 'content-location',
  'content-md5', 'content-range', 'content-type', 'date', 'etag', 'expect', 'expires', 'from', 'host',
  'if-match', 'if-modified-since', 'if-none-match', 'if-range', 'if-unmodified-since', 'last-modified',
  'location', 'max-forwards', 'pragma', 'proxy-authenticate', 'proxy-authorization', 'range', 'referer',
  'retry-after', 'server', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'user-agent', 'vary', 'via',
  'warning', 'www-authenticate', 'method', 'get', 'status', '200 OK', 'version', 'HTTP/1.1', 'url',
  'public', 'set-cookie', 'keep-alive', 'origin',
];

/** The dictionary's unprefixed tail. */
const DICTIONARY_TAIL =
  '100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505' +
  '203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized' +
  '403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable' +
  'Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT' +
  'chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,' +
  'text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.';

/** The zlib dictionary of SPDY/3 header compression (1423 bytes). */
export const SPDY3_DICTIONARY: Buffer = Buffer.concat([
  ...DICTIONARY_WORDS.map((w) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(w.length, 0);
    return Buffer.concat([len, Buffer.from(w, 'latin1')]);
  }),
  Buffer.from(DICTIONARY_TAIL, 'latin1'),
]);

/** Header name (lower-case) to its values, in order. */
export type HeaderList = [name: string, value: string][];

export function encodeHeaderBlock(headers: HeaderList): Buffer {
  const byName = new Map<string, string[]>();
  for (const [n, v] of headers) {
    const key = n.toLowerCase();
    byName.set(key, [...(byName.get(key) ?? []), v]);
  }
  const parts: Buffer[] = [u32(byName.size)];
  for (const [name, values] of byName) {
    const n = Buffer.from(name, 'utf8');
    const v = Buffer.from(values.join('\0'), 'utf8');
    parts.push(u32(n.length), n, u32(v.length), v);
  }
  return Buffer.concat(parts);
}

/** Decodes an uncompressed block; a NUL-joined value becomes several entries of the same name. */
export function decodeHeaderBlock(block: Buffer): HeaderList {
  let off = 0;
  const read = (): Buffer => {
    if (off + 4 > block.length) throw new Error('truncated SPDY header block');
    const len = block.readUInt32BE(off);
    off += 4;
    if (off + len > block.length) throw new Error('truncated SPDY header block');
    const b = block.subarray(off, off + len);
    off += len;
    return b;
  };
  if (block.length < 4) throw new Error('truncated SPDY header block');
  const count = block.readUInt32BE(0);
  off = 4;
  const out: HeaderList = [];
  for (let i = 0; i < count; i++) {
    const name = read().toString('utf8');
    for (const v of read().toString('utf8').split('\0')) out.push([name, v]);
  }
  return out;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0, 0);
  return b;
}

/**
 * One direction's zlib context. Calls are serialized: each input is written with a sync flush and the
 * output produced for it is returned, so the peer can decode each block as soon as it arrives.
 */
class ZlibContext {
  private chain: Promise<unknown> = Promise.resolve();
  private chunks: Buffer[] = [];

  constructor(private readonly z: Deflate | Inflate) {
    z.on('data', (d: Buffer) => this.chunks.push(d));
    z.on('error', () => undefined); // surfaced through the pending call's callback
  }

  run(input: Buffer): Promise<Buffer> {
    const p = this.chain.then(
      () =>
        new Promise<Buffer>((resolve, reject) => {
          this.chunks = [];
          this.z.write(input, (err) => {
            if (err) return reject(err);
            // Output of this write is pushed before its callback; setImmediate covers a deferred push.
            setImmediate(() => resolve(Buffer.concat(this.chunks)));
          });
        }),
    );
    this.chain = p.catch(() => undefined);
    return p;
  }

  close(): void {
    this.z.close();
  }
}

/** Compresses outgoing header blocks of one session. */
export class HeaderCompressor {
  private readonly ctx = new ZlibContext(createDeflate({ dictionary: SPDY3_DICTIONARY, flush: constants.Z_SYNC_FLUSH }));
  compress(headers: HeaderList): Promise<Buffer> {
    return this.ctx.run(encodeHeaderBlock(headers));
  }
  close(): void {
    this.ctx.close();
  }
}

/** Decompresses incoming header blocks of one session. */
export class HeaderDecompressor {
  private readonly ctx = new ZlibContext(createInflate({ dictionary: SPDY3_DICTIONARY, flush: constants.Z_SYNC_FLUSH }));
  async decompress(compressed: Buffer): Promise<HeaderList> {
    return decodeHeaderBlock(await this.ctx.run(compressed));
  }
  close(): void {
    this.ctx.close();
  }
}
