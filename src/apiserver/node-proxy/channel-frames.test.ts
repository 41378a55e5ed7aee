import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Channel, decodeChannelMessage, encodeChannelClose, encodeChannelData, offeredProtocols } from './channel-frames.js';

describe('v5.channel.k8s.io framing', () => {
  const cases = [
    { name: 'stdin data', wire: '0068690a', msg: { kind: 'data', channel: Channel.STDIN, data: Buffer.from('hi\n') } },
    { name: 'stdout data', wire: '016f6b', msg: { kind: 'data', channel: Channel.STDOUT, data: Buffer.from('ok') } },
    { name: 'an empty data message of a channel', wire: '02', msg: { kind: 'data', channel: Channel.STDERR, data: Buffer.alloc(0) } },
    {
      name: 'error status',
      wire: Buffer.concat([Buffer.from([3]), Buffer.from('{"status":"Success"}')]).toString('hex'),
      msg: { kind: 'data', channel: Channel.ERROR, data: Buffer.from('{"status":"Success"}') },
    },
    { name: 'resize', wire: Buffer.from('\x04{"Width":80,"Height":24}', 'latin1').toString('hex'), msg: { kind: 'data', channel: Channel.RESIZE, data: Buffer.from('{"Width":80,"Height":24}') } },
    { name: 'close stdin (v5)', wire: 'ff00', msg: { kind: 'close', channel: Channel.STDIN } },
    { name: 'close resize (v5)', wire: 'ff04', msg: { kind: 'close', channel: Channel.RESIZE } },
  ] as const;
  for (const c of cases) {
    it(`decodes and encodes ${c.name}`, () => {
      const wire = Buffer.from(c.wire, 'hex');
      assert.deepEqual(decodeChannelMessage(wire), c.msg);
      const enc = c.msg.kind === 'close' ? encodeChannelClose(c.msg.channel) : encodeChannelData(c.msg.channel, c.msg.data);
      assert.equal(enc.toString('hex'), c.wire);
    });
  }

  it('ignores empty messages and a close signal without its channel', () => {
    assert.equal(decodeChannelMessage(Buffer.alloc(0)), undefined);
    assert.equal(decodeChannelMessage(Buffer.from([255])), undefined);
  });

  it('reads the offered subprotocols from one or several headers', () => {
    assert.deepEqual(offeredProtocols('v5.channel.k8s.io, v4.channel.k8s.io'), ['v5.channel.k8s.io', 'v4.channel.k8s.io']);
    assert.deepEqual(offeredProtocols(['SPDY/3.1+portforward.k8s.io', 'portforward.k8s.io']), ['SPDY/3.1+portforward.k8s.io', 'portforward.k8s.io']);
    assert.deepEqual(offeredProtocols(undefined), []);
  });
});
