import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { logTail, terminationLogMount } from './termination-message.js';

describe('logTail (FallbackToLogsOnError)', () => {
  // The kubelet's message is the log as `kubectl logs` prints it: a full line keeps its newline,
  // a final partial one (`echo -n`) has none (upstream e2e: "echo -n DONE; false" gives "DONE").
  const cases: { name: string; log: string; lines?: number; bytes?: number; want: string }[] = [
    { name: 'strips the CRI prefix of both streams, full lines keep their newline', log: '2026-01-01T00:00:00.1Z stdout F one\n2026-01-01T00:00:00.2Z stderr F two\n', want: 'one\ntwo\n' },
    { name: 'keeps the last lines', log: 'T stdout F a\nT stdout F b\nT stdout F c\n', lines: 2, want: 'b\nc\n' },
    { name: 'bounds the bytes from the end', log: 'T stdout F 0123456789\n', bytes: 4, want: '789\n' },
    { name: 'a partial entry joins the next one', log: 'T stdout P abc\nT stdout F def\n', want: 'abcdef\n' },
    { name: 'a final partial line (echo -n) has no newline', log: 'T stdout F one\nT stdout P DONE\n', want: 'one\nDONE' },
    { name: 'an empty full line is a newline', log: 'T stdout F\nT stdout F x\n', want: '\nx\n' },
    { name: 'empty log', log: '', want: '' },
  ];
  for (const c of cases) it(c.name, () => assert.equal(logTail(c.log, c.lines, c.bytes), c.want));
});

describe('terminationLogMount', () => {
  it('makes the file writable by any user, whatever the umask (kubelet chmods it 0666 for non-root containers)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bosun-termlog-'));
    const old = process.umask(0o022);
    try {
      const m = terminationLogMount(dir, { name: 'c', terminationMessagePath: '/dev/termination-custom-log' }, 0);
      assert.equal(m.containerPath, '/dev/termination-custom-log');
      assert.equal(statSync(m.hostPath).mode & 0o777, 0o666);
    } finally {
      process.umask(old);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
