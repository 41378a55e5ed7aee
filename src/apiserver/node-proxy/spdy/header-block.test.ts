import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inflateSync } from 'node:zlib';
import { decodeHeaderBlock, encodeHeaderBlock, HeaderCompressor, HeaderDecompressor, SPDY3_DICTIONARY, type HeaderList } from './header-block.js';

/** Adler-32 as zlib's FDICT field carries it (RFC 1950). */
function adler32(b: Buffer): number {
  let a = 1;
  let s = 0;
  for (const x of b) {
    a = (a + x) % 65521;
    s = (s + a) % 65521;
  }
  return ((s << 16) | a) >>> 0;
}

describe('SPDY/3 header blocks', () => {
  it('uses the SPDY/3 dictionary: 1423 bytes, zlib dictionary id e3c6a7c2 (the id Go\'s spdystream checks)', () => {
    assert.equal(SPDY3_DICTIONARY.length, 1423);
    assert.equal(adler32(SPDY3_DICTIONARY).toString(16), 'e3c6a7c2');
    assert.equal(SPDY3_DICTIONARY.subarray(0, 11).toString('latin1'), '\0\0\0\x07options');
    assert.ok(SPDY3_DICTIONARY.toString('latin1').endsWith(',*,enq=0.'));
  });

  const blocks: { name: string; headers: HeaderList; wire: string }[] = [
    { name: 'empty', headers: [], wire: '00000000' },
    { name: 'one pair', headers: [['streamtype', 'error']], wire: '00000001 0000000a 73747265616d74797065 00000005 6572726f72' },
    { name: 'names lower-cased, repeated names NUL-joined', headers: [['Port', '80'], ['port', '81']], wire: '00000001 00000004 706f7274 00000005 3830003831' },
  ];
  for (const b of blocks) {
    it(`encodes and decodes a block: ${b.name}`, () => {
      const wire = Buffer.from(b.wire.replace(/\s+/g, ''), 'hex');
      assert.equal(encodeHeaderBlock(b.headers).toString('hex'), wire.toString('hex'));
      assert.deepEqual(decodeHeaderBlock(wire), b.headers.map(([n, v]) => [n.toLowerCase(), v]));
    });
  }

  it('refuses truncated blocks', () => {
    assert.throws(() => decodeHeaderBlock(Buffer.from('0000000100000005616263', 'hex')), /truncated/);
  });

  it('compresses with the dictionary and one context per session: later blocks reuse earlier ones', async () => {
    const c = new HeaderCompressor();
    const d = new HeaderDecompressor();
    try {
      const h: HeaderList = [['streamtype', 'stdout'], ['port', '8080'], ['requestid', '0']];
      const first = await c.compress(h);
      // zlib header with FDICT set, then the dictionary's id.
      assert.equal(first.subarray(2, 6).toString('hex'), 'e3c6a7c2');
      assert.equal(first[1]! & 0x20, 0x20);
      // A fresh inflater given the dictionary reads the first block on its own.
      assert.deepEqual(decodeHeaderBlock(inflateSync(first, { dictionary: SPDY3_DICTIONARY, finishFlush: 2 })), h);
      const second = await c.compress(h);
      assert.ok(second.length < first.length / 2, 'the second block refers back to the first');
      assert.deepEqual(await d.decompress(first), h);
      assert.deepEqual(await d.decompress(second), h);
      // Concurrent calls keep their order.
      const many = await Promise.all([1, 2, 3, 4].map((i) => c.compress([['n', String(i)]])));
      for (const [i, blk] of many.entries()) assert.deepEqual(await d.decompress(blk), [['n', String(i + 1)]]);
    } finally {
      c.close();
      d.close();
    }
  });
});
