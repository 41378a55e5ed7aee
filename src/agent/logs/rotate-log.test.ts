/** One log's rotation on a temp dir, as the kubelet's container_log_manager.go rotateLog (names, compression, bounds, failed reopen). */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { after, describe, it } from 'node:test';
import { readAtMost } from '../pods/termination-message.js';
import { parseLogMaxFilesFlag, parseLogMaxSizeFlag } from './container-log-manager.js';
import { rotateLog, rotationTimestamp } from './rotate-log.js';

const dir = mkdtempSync(join(tmpdir(), 'bosun-rotate-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const at = (s: number) => new Date(Date.UTC(2026, 0, 2, 3, 4, s));

describe('rotateLog', () => {
  it('renames to <log>.<YYYYMMDD-hhmmss>, reopens, gzips older ones and keeps maxFiles', async () => {
    const log = join(dir, '0.log');
    // The runtime's reopen creates a fresh live log.
    const reopen = async () => writeFileSync(log, '');
    for (let s = 0; s < 6; s++) {
      writeFileSync(log, `generation ${s}\n`);
      assert.equal(await rotateLog(log, { maxFiles: 4, reopen, now: at(s) }), `${log}.20260102-0304${String(s).padStart(2, '0')}`);
    }
    // live log + at most maxFiles-1 rotated: the newest plain, the older gzipped.
    assert.deepEqual(readdirSync(dir).sort(), ['0.log', '0.log.20260102-030403.gz', '0.log.20260102-030404.gz', '0.log.20260102-030405']);
    assert.equal(gunzipSync(readFileSync(join(dir, '0.log.20260102-030404.gz'))).toString(), 'generation 4\n');
    assert.equal(readFileSync(join(dir, '0.log.20260102-030405'), 'utf8'), 'generation 5\n');
    assert.equal(rotationTimestamp(new Date(Date.UTC(2026, 11, 31, 23, 59, 58))), '20261231-235958');
  });

  it('renames back when the runtime cannot reopen; never overwrites a rotation of the same second', async () => {
    const log = join(dir, '1.log');
    writeFileSync(log, 'keep\n');
    await assert.rejects(rotateLog(log, { maxFiles: 5, reopen: async () => { throw new Error('not running'); }, now: at(1) }), /not running/);
    assert.equal(readFileSync(log, 'utf8'), 'keep\n');
    assert.equal(existsSync(`${log}.20260102-030401`), false);
    const reopen = async () => writeFileSync(log, 'new\n');
    assert.ok(await rotateLog(log, { maxFiles: 5, reopen, now: at(1) }));
    assert.equal(await rotateLog(log, { maxFiles: 5, reopen, now: at(1) }), undefined);
    assert.equal(gunzipSync(readFileSync(`${log}.20260102-030401.gz`)).toString(), 'keep\n');
  });

  it('termination messages read at most the last bytes of a file', () => {
    const f = join(dir, 'termination-log');
    writeFileSync(f, `${'a'.repeat(10_000)}END`);
    assert.equal(readAtMost(f, 4096), `${'a'.repeat(4093)}END`);
    assert.equal(readAtMost(join(dir, 'missing'), 4096), '');
  });
});

describe('container log flags', () => {
  it('--container-log-max-size takes a quantity; --container-log-max-files at least 2', () => {
    assert.equal(parseLogMaxSizeFlag('10Mi'), 10 * 1024 * 1024);
    assert.equal(parseLogMaxSizeFlag('500Ki'), 512_000);
    assert.deepEqual(parseLogMaxSizeFlag('0'), { error: 'must be a size such as 10Mi or 500Ki' });
    assert.deepEqual(parseLogMaxSizeFlag('ten'), { error: 'must be a size such as 10Mi or 500Ki' });
    assert.equal(parseLogMaxFilesFlag('5'), 5);
    assert.deepEqual(parseLogMaxFilesFlag('1'), { error: 'must be a whole number of at least 2' });
  });
});
