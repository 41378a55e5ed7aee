import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { prepareSafeSubPath, SubPathError } from './safe-subpath.js';

/**
 * Safe subPath as upstream's pkg/volume/util/subpath/subpath_linux.go: symlinks a container made in
 * a volume cannot lead a subPath mount out of the volume. Needs root (bind mounts).
 */

const mountsUnder = (dir: string): string[] =>
  readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4] ?? '').filter((m) => m.startsWith(`${dir}/`));

describe('prepareSafeSubPath', () => {
  let base: string;
  let vol: string;
  let victim: string;
  let n = 0;
  const target = () => join(base, 'volume-subpaths', 'vol', 'c', String(n++));

  before(() => {
    base = mkdtempSync(join(tmpdir(), 'bzsp-'));
    vol = join(base, 'volumes', 'vol');
    victim = join(base, 'victim');
    mkdirSync(vol, { recursive: true });
    mkdirSync(victim);
    chmodSync(vol, 0o2777);
    // What a hostile container can make inside its emptyDir.
    symlinkSync('/', join(vol, 'root'));
    symlinkSync('../../victim', join(vol, 'up'));
    symlinkSync(victim, join(vol, 'abs'));
    // What configMap volumes look like (keys are symlinks into ..data).
    mkdirSync(join(vol, '..2026_x'));
    writeFileSync(join(vol, '..2026_x', 'app.conf'), 'conf');
    symlinkSync('..2026_x', join(vol, '..data'));
    symlinkSync('..data/app.conf', join(vol, 'app.conf'));
  });
  after(() => {
    for (const m of mountsUnder(base).reverse()) execFileSync('umount', ['-l', m]);
    rmSync(base, { recursive: true, force: true });
  });

  for (const sub of ['root', 'root/etc', 'up', 'abs', 'up/newdir', 'abs/new/nested', '/etc', '../victim']) {
    it(`refuses ${sub}: nothing mounted, nothing made outside the volume`, () => {
      const t = target();
      assert.throws(() => prepareSafeSubPath({ volumePath: vol, subPath: sub, target: t }), SubPathError);
      assert.deepEqual(mountsUnder(base), []);
      assert.deepEqual(readdirSync(victim), []);
    });
  }

  it('follows symlinks that stay inside the volume (a configMap key) and bind-mounts the file itself', () => {
    const t = target();
    assert.equal(prepareSafeSubPath({ volumePath: vol, subPath: 'app.conf', target: t }), t);
    assert.equal(readFileSync(t, 'utf8'), 'conf');
    assert.deepEqual(mountsUnder(base), [t]);
    execFileSync('umount', [t]);
  });

  it('makes missing directories inside the volume with the volume root mode (setgid kept), and mounts again idempotently', () => {
    const t = target();
    prepareSafeSubPath({ volumePath: vol, subPath: 'data/a/b', target: t });
    assert.equal(statSync(join(vol, 'data', 'a', 'b')).mode & 0o7777, 0o2777);
    writeFileSync(join(t, 'through-mount'), 'x');
    assert.equal(readFileSync(join(vol, 'data', 'a', 'b', 'through-mount'), 'utf8'), 'x');
    prepareSafeSubPath({ volumePath: vol, subPath: 'data/a/b', target: t });
    assert.deepEqual(mountsUnder(base), [t], 'one mount, not two');
    execFileSync('umount', [t]);
  });
});
