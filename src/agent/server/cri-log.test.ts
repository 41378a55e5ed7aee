import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fixedNanoTimestamp, formatEntry, parseCriLogLine, splitLines, tailStart, timestampMillis } from './cri-log.js';

describe('CRI log format', () => {
  const lines = [
    { line: '2016-10-06T00:17:09.669794202Z stdout F log content 1', want: { time: '2016-10-06T00:17:09.669794202Z', stream: 'stdout', full: true, message: 'log content 1' } },
    { line: '2016-10-06T00:17:09.669794203Z stderr P partial ', want: { time: '2016-10-06T00:17:09.669794203Z', stream: 'stderr', full: false, message: 'partial ' } },
    { line: '2016-10-06T00:17:10.113242941+02:00 stdout F ', want: { time: '2016-10-06T00:17:10.113242941+02:00', stream: 'stdout', full: true, message: '' } },
    { line: '2016-10-06T00:17:10Z stdout F', want: { time: '2016-10-06T00:17:10Z', stream: 'stdout', full: true, message: '' } },
    { line: '2016-10-06T00:17:10Z stdout F:x multiple  spaces kept', want: { time: '2016-10-06T00:17:10Z', stream: 'stdout', full: true, message: 'multiple  spaces kept' } },
    { line: 'garbage', want: undefined },
    { line: '2016-10-06T00:17:10Z stdin F x', want: undefined },
    { line: '2016-10-06T00:17:10Z stdout X x', want: undefined },
  ];
  for (const c of lines) {
    it(`parses ${JSON.stringify(c.line)}`, () => {
      const e = parseCriLogLine(Buffer.from(c.line));
      assert.deepEqual(e && { ...e, message: e.message.toString() }, c.want);
    });
  }

  const stamps = [
    ['2016-10-06T00:17:09.669794202Z', '2016-10-06T00:17:09.669794202Z'],
    ['2016-10-06T00:17:09.6697Z', '2016-10-06T00:17:09.669700000Z'],
    ['2016-10-06T00:17:09Z', '2016-10-06T00:17:09.000000000Z'],
    ['2016-10-06T00:17:09.5+02:00', '2016-10-06T00:17:09.500000000+02:00'],
    ['not a time', 'not a time'],
  ];
  for (const [input, want] of stamps) {
    it(`prints ${input} as kubelet's RFC3339NanoFixed`, () => assert.equal(fixedNanoTimestamp(input!), want));
  }

  it('reads timestamps to the millisecond', () => {
    assert.equal(timestampMillis('2016-10-06T00:17:09.669794202Z'), Date.UTC(2016, 9, 6, 0, 17, 9, 669));
    assert.ok(Number.isNaN(timestampMillis('nope')));
  });

  it('formats entries as kubelet: newline back after F, none after P, optional time first', () => {
    const full = parseCriLogLine(Buffer.from('2016-10-06T00:17:09.5Z stdout F a'))!;
    const part = parseCriLogLine(Buffer.from('2016-10-06T00:17:09.5Z stdout P b'))!;
    assert.equal(formatEntry(full, false).toString(), 'a\n');
    assert.equal(formatEntry(part, false).toString(), 'b');
    assert.equal(formatEntry(full, true).toString(), '2016-10-06T00:17:09.500000000Z a\n');
  });

  const tails: [string, number, string][] = [
    ['a\nb\nc\n', 1, 'c\n'],
    ['a\nb\nc\n', 2, 'b\nc\n'],
    ['a\nb\nc\n', 5, 'a\nb\nc\n'],
    ['a\nb\nc\n', 0, ''],
    ['a\nb\nc\n', -1, 'a\nb\nc\n'],
    ['a\nb\nc', 1, 'c'],
    ['', 3, ''],
  ];
  for (const [data, n, want] of tails) {
    it(`tail ${n} of ${JSON.stringify(data)}`, () => {
      const b = Buffer.from(data);
      assert.equal(b.subarray(tailStart(b, n)).toString(), want);
    });
  }

  it('splits complete lines off and keeps the rest', () => {
    const { lines: ls, rest } = splitLines(Buffer.from('a\nbb\nc'));
    assert.deepEqual(ls.map(String), ['a', 'bb']);
    assert.equal(rest.toString(), 'c');
  });
});
