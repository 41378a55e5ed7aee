import assert from 'node:assert/strict';
import { lstatSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { writeAtomic } from './atomic-writer.js';

describe('writeAtomic (kubelet AtomicWriter layout)', () => {
  it('writes through ..data, swaps on update, drops removed keys and the old payload', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bza-aw-'));
    try {
      assert.equal(writeAtomic(dir, [{ path: 'a', data: Buffer.from('1'), mode: 0o644 }, { path: 'sub/b', data: Buffer.from('2'), mode: 0o400 }]), true);
      assert.equal(readlinkSync(join(dir, 'a')), '..data/a');
      assert.ok(lstatSync(join(dir, '..data')).isSymbolicLink());
      assert.equal(readFileSync(join(dir, 'sub/b'), 'utf8'), '2');
      assert.equal(statSync(join(dir, 'sub/b')).mode & 0o777, 0o400);
      const first = readlinkSync(join(dir, '..data'));
      assert.equal(writeAtomic(dir, [{ path: 'a', data: Buffer.from('1'), mode: 0o644 }, { path: 'sub/b', data: Buffer.from('2'), mode: 0o400 }]), false, 'unchanged: no write');
      assert.equal(writeAtomic(dir, [{ path: 'a', data: Buffer.from('changed'), mode: 0o644 }]), true);
      assert.equal(readFileSync(join(dir, 'a'), 'utf8'), 'changed');
      assert.notEqual(readlinkSync(join(dir, '..data')), first);
      assert.deepEqual(readdirSync(dir).filter((e) => !e.startsWith('..')).sort(), ['a']);
      assert.equal(readdirSync(dir).filter((e) => e.startsWith('..') && e !== '..data').length, 1, 'only the current payload dir');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
