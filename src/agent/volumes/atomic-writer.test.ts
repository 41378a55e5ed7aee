import assert from 'node:assert/strict';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { InvalidPathError, writeAtomic } from './atomic-writer.js';

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

  // As upstream's pkg/volume/util/atomic_writer.go validatePath: the writer refuses what the API
  // refuses, should a pod ever reach the node without the API's validation.
  // The volume is BASE/a/b/c/vol and files are written in BASE/a/b/c/vol/..<timestamp>/, so five
  // steps up reach BASE/victim.
  for (const path of ['../../../../../victim/pwned', 'VICTIM/pwned', 'x/../../../../../../victim/pwned', '..data', '..', '']) {
    it(`refuses ${JSON.stringify(path)} and writes nothing anywhere`, () => {
      const base = mkdtempSync(join(tmpdir(), 'bza-aw-'));
      const dir = join(base, 'a', 'b', 'c', 'vol');
      const victim = join(base, 'victim');
      mkdirSync(victim);
      const p = path.replace('VICTIM', victim);
      try {
        mkdirSync(dir, { recursive: true });
        assert.throws(() => writeAtomic(dir, [{ path: 'ok', data: Buffer.from('1'), mode: 0o644 }, { path: p, data: Buffer.from('pwned'), mode: 0o644 }]), InvalidPathError);
        assert.deepEqual(readdirSync(victim), [], 'nothing written outside the volume');
        assert.ok(statSync(dir).isDirectory(), 'the volume directory is still there');
        assert.deepEqual(readdirSync(dir), [], 'not even the valid file: the payload is checked before anything is written');
      } finally {
        rmSync(base, { recursive: true, force: true });
      }
    });
  }

  it('refuses a path that is both a file and a directory, and accepts one spelled untidily', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bza-aw-'));
    try {
      assert.throws(() => writeAtomic(dir, [{ path: 'a', data: Buffer.from('1'), mode: 0o644 }, { path: 'a/b', data: Buffer.from('2'), mode: 0o644 }]), /both a file and the directory/);
      assert.equal(writeAtomic(dir, [{ path: './x//y', data: Buffer.from('1'), mode: 0o644 }]), true);
      assert.equal(readFileSync(join(dir, 'x/y'), 'utf8'), '1');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('with an fsGroup, every file and directory gets the group, group read and setgid (read-only volume ownership)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bza-aw-'));
    try {
      assert.equal(writeAtomic(dir, [{ path: 'k', data: Buffer.from('1'), mode: 0o400 }, { path: 'sub/k2', data: Buffer.from('2'), mode: 0o600 }], { fsGroup: 2345 }), true);
      for (const f of ['k', 'sub/k2']) {
        const st = statSync(join(dir, f));
        assert.equal(st.gid, 2345, f);
        assert.equal(st.mode & 0o040, 0o040, `${f} group-readable`);
      }
      assert.equal(statSync(join(dir, 'k')).mode & 0o777, 0o440, 'defaultMode 0400 plus group read, as upstream');
      assert.equal(statSync(join(dir, 'sub')).mode & 0o2000, 0o2000, 'directories get setgid');
      assert.equal(writeAtomic(dir, [{ path: 'k', data: Buffer.from('1'), mode: 0o400 }, { path: 'sub/k2', data: Buffer.from('2'), mode: 0o600 }], { fsGroup: 2345 }), false, 'unchanged: not rewritten every sync');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
