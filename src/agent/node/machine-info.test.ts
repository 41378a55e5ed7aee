import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { filesystemBytes, readMachineInfo } from './machine-info.js';

test('ephemeral storage is the size of the filesystem that will hold a data dir not made yet', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bosun-machine-'));
  try {
    const s = statfsSync(dir);
    assert.ok(s.blocks > 0);
    // As kubelet's cAdvisor reports the filesystem of --root-dir: the agent reads it before mkdir.
    assert.equal(filesystemBytes(join(dir, 'node', 'agent')), s.blocks * s.bsize);
    assert.equal(readMachineInfo(join(dir, 'node', 'agent')).ephemeralStorageBytes, s.blocks * s.bsize);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
