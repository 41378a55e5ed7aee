import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, describe, it } from 'node:test';
import { streamLogFile, type LogReadOptions } from './log-file-reader.js';

const dir = mkdtempSync(join(tmpdir(), 'bosun-logreader-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

function logFile(content: string): string {
  const p = join(dir, `${++n}.log`);
  writeFileSync(p, content);
  return p;
}

const LOG = [
  '2024-01-01T00:00:01.000000001Z stdout F one',
  '2024-01-01T00:00:02Z stderr F two',
  '2024-01-01T00:00:03.5Z stdout P thr',
  '2024-01-01T00:00:03.6Z stdout F ee',
  '2024-01-01T00:00:04Z stdout F four',
].join('\n') + '\n';

async function read(path: string, o: Partial<LogReadOptions>): Promise<string> {
  const out = new PassThrough();
  let s = '';
  out.on('data', (d) => (s += d));
  await streamLogFile(path, { timestamps: false, follow: false, ...o }, out, { stillRunning: async () => false });
  return s;
}

describe('streamLogFile', () => {
  const cases: { name: string; o: Partial<LogReadOptions>; want: string }[] = [
    { name: 'everything, partial entries joined', o: {}, want: 'one\ntwo\nthree\nfour\n' },
    { name: 'tail 1', o: { tailLines: 1 }, want: 'four\n' },
    { name: 'tail 3 counts file lines (a P entry is a line), as kubelet', o: { tailLines: 3 }, want: 'three\nfour\n' },
    { name: 'timestamps', o: { tailLines: 2, timestamps: true }, want: '2024-01-01T00:00:03.600000000Z ee\n2024-01-01T00:00:04.000000000Z four\n' },
    { name: 'since a time', o: { sinceMillis: Date.UTC(2024, 0, 1, 0, 0, 2) }, want: 'two\nthree\nfour\n' },
    { name: 'limitBytes cuts the output', o: { limitBytes: 6 }, want: 'one\ntw' },
  ];
  for (const c of cases) {
    it(c.name, async () => assert.equal(await read(logFile(LOG), c.o), c.want));
  }

  it('follows appended lines until the container stops, then drains what is left', async () => {
    const p = logFile('2024-01-01T00:00:01Z stdout F first\n');
    const out = new PassThrough();
    let s = '';
    out.on('data', (d) => (s += d));
    let running = true;
    const done = streamLogFile(p, { timestamps: false, follow: true }, out, { stillRunning: async () => running, pollMs: 10, runningCheckMs: 10 });
    for (let i = 0; i < 200 && s !== 'first\n'; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(s, 'first\n');
    appendFileSync(p, '2024-01-01T00:00:02Z stdout F second\n2024-01-01T00:00:03Z stdout F thi');
    for (let i = 0; i < 200 && !s.includes('second'); i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(s, 'first\nsecond\n', 'an unfinished line waits for its end');
    appendFileSync(p, 'rd\n2024-01-01T00:00:04Z stdout F last\n');
    running = false;
    await done;
    assert.equal(s, 'first\nsecond\nthird\nlast\n');
  });

  it('stops following when aborted', async () => {
    const p = logFile('');
    const abort = new AbortController();
    const done = streamLogFile(p, { timestamps: false, follow: true }, new PassThrough(), { stillRunning: async () => true, signal: abort.signal, pollMs: 10 });
    setTimeout(() => abort.abort(), 30);
    await done;
  });

  it('rejects a missing file with ENOENT', async () => {
    await assert.rejects(read(join(dir, 'missing.log'), {}), { code: 'ENOENT' });
  });
});
