import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeFrames, encodeFrame, FLAG_FIN, SpdyProtocolError, type Frame } from './frames.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/** Wire bytes per the SPDY/3 draft (section 2.6), big-endian. */
const cases: { name: string; frame: Frame; wire: string }[] = [
  { name: 'data with FIN', frame: { type: 'data', streamId: 5, flags: FLAG_FIN, data: Buffer.from('hi') }, wire: '00000005 01000002 6869' },
  { name: 'empty data', frame: { type: 'data', streamId: 0x7fffffff, flags: 0, data: Buffer.alloc(0) }, wire: '7fffffff 00000000' },
  {
    name: 'SYN_STREAM',
    frame: { type: 'syn_stream', streamId: 1, associatedStreamId: 0, priority: 0, slot: 0, flags: 0, headerBlock: hex('aabb') },
    wire: '80030001 0000000c 00000001 00000000 0000 aabb',
  },
  {
    name: 'SYN_STREAM with priority, FIN and unidirectional',
    frame: { type: 'syn_stream', streamId: 3, associatedStreamId: 1, priority: 7, slot: 2, flags: 0x03, headerBlock: Buffer.alloc(0) },
    wire: '80030001 0300000a 00000003 00000001 e002',
  },
  { name: 'SYN_REPLY', frame: { type: 'syn_reply', streamId: 1, flags: 0, headerBlock: hex('01') }, wire: '80030002 00000005 00000001 01' },
  { name: 'RST_STREAM CANCEL', frame: { type: 'rst_stream', streamId: 9, flags: 0, status: 5 }, wire: '80030003 00000008 00000009 00000005' },
  {
    name: 'SETTINGS with two entries',
    frame: { type: 'settings', flags: 0, entries: [{ flags: 1, id: 4, value: 100 }, { flags: 0, id: 7, value: 65536 }] },
    wire: '80030004 00000014 00000002 01000004 00000064 00000007 00010000',
  },
  { name: 'PING', frame: { type: 'ping', flags: 0, id: 2 }, wire: '80030006 00000004 00000002' },
  { name: 'GOAWAY', frame: { type: 'goaway', flags: 0, lastGoodStreamId: 7, status: 0 }, wire: '80030007 00000008 00000007 00000000' },
  { name: 'HEADERS', frame: { type: 'headers', streamId: 1, flags: 1, headerBlock: hex('ff') }, wire: '80030008 01000005 00000001 ff' },
  { name: 'WINDOW_UPDATE', frame: { type: 'window_update', streamId: 1, flags: 0, delta: 65536 }, wire: '80030009 00000008 00000001 00010000' },
  { name: 'unknown control type kept as is', frame: { type: 'unknown', frameType: 10, flags: 0, payload: hex('0102') }, wire: '8003000a 00000002 0102' },
];

describe('SPDY/3.1 frames', () => {
  for (const c of cases) {
    it(`encodes and decodes ${c.name}`, () => {
      assert.equal(encodeFrame(c.frame).toString('hex'), hex(c.wire).toString('hex'));
      const { frames, rest } = decodeFrames(hex(c.wire));
      assert.equal(rest.length, 0);
      assert.deepEqual(frames, [c.frame]);
    });
  }

  it('keeps an incomplete frame for the next read, whatever the split', () => {
    const all = Buffer.concat(cases.map((c) => hex(c.wire)));
    for (let cut = 0; cut <= all.length; cut++) {
      const a = decodeFrames(all.subarray(0, cut));
      const b = decodeFrames(Buffer.concat([a.rest, all.subarray(cut)]));
      assert.deepEqual([...a.frames, ...b.frames], cases.map((c) => c.frame), `cut at ${cut}`);
      assert.equal(b.rest.length, 0);
    }
  });

  it('refuses control frames of another SPDY version and too short control frames', () => {
    assert.throws(() => decodeFrames(hex('80020001 00000000')), SpdyProtocolError);
    assert.throws(() => decodeFrames(hex('80030003 00000004 00000001')), /RST_STREAM frame too short/);
  });

  it('refuses payloads beyond the 24-bit length', () => {
    assert.throws(() => encodeFrame({ type: 'data', streamId: 1, flags: 0, data: Buffer.alloc(0x1000000) }), SpdyProtocolError);
  });
});
