import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { requiresPermissionChange, setVolumeOwnership } from './volume-ownership.js';

/** As upstream's pkg/volume/volume_linux.go (SetVolumeOwnership, skipPermissionChange). Needs root (chown). */

function tree(): string {
  const root = mkdtempSync(join(tmpdir(), 'bzo-'));
  mkdirSync(join(root, 'd'));
  writeFileSync(join(root, 'd', 'f'), 'x', { mode: 0o600 });
  writeFileSync(join(root, 'outside-target'), 'x', { mode: 0o600 });
  symlinkSync('d/f', join(root, 'link'));
  chmodSync(join(root, 'd', 'f'), 0o600);
  return root;
}

describe('setVolumeOwnership', () => {
  it('read-write: group everywhere, g+rw, dirs g+x and setgid; symlinks are not chmod-ed through', () => {
    const root = tree();
    try {
      assert.equal(setVolumeOwnership(root, 2000, false), true);
      for (const p of ['', 'd', 'd/f', 'outside-target']) assert.equal(statSync(join(root, p)).gid, 2000, p || 'root');
      assert.equal(statSync(join(root, 'd', 'f')).mode & 0o7777, 0o660);
      assert.equal(statSync(join(root, 'd')).mode & 0o2070, 0o2070);
      assert.equal(statSync(root).mode & 0o2070, 0o2070);
      assert.equal(requiresPermissionChange(root, 2000, false), false);
      assert.equal(requiresPermissionChange(root, 2001, false), true);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('OnRootMismatch skips the recursive change when the root already matches; Always does not', () => {
    const root = tree();
    try {
      setVolumeOwnership(root, 2000, false);
      // A file inside drifts to another group; the root still matches.
      chownSync(join(root, 'd', 'f'), 0, 0);
      assert.equal(setVolumeOwnership(root, 2000, false, 'OnRootMismatch'), false, 'skipped');
      assert.equal(statSync(join(root, 'd', 'f')).gid, 0, 'OnRootMismatch left the inside alone');
      assert.equal(setVolumeOwnership(root, 2000, false, 'Always'), true);
      assert.equal(statSync(join(root, 'd', 'f')).gid, 2000, 'Always walked the tree');
      // The root loses setgid: OnRootMismatch walks again.
      chownSync(join(root, 'd', 'f'), 0, 0);
      chmodSync(root, 0o755);
      assert.equal(setVolumeOwnership(root, 2000, false, 'OnRootMismatch'), true);
      assert.equal(statSync(join(root, 'd', 'f')).gid, 2000);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
