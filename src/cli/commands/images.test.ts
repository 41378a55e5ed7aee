import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { candidateSockets, importImages } from './images.js';

/** `bosun images import` errors; the import itself runs in every test/e2e/node-*.test.ts. */
describe('bosun images import', () => {
  it('looks for the server\'s embedded node first, then a standalone agent\'s', () => {
    assert.deepEqual(candidateSockets('/d'), ['/d/node/containerd/containerd.sock', '/d/containerd/containerd.sock']);
  });

  it('says to start the node when its containerd does not answer (even with a stale socket file)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bzimg-'));
    try {
      const tar = join(dir, 'image.tar');
      writeFileSync(tar, '');
      mkdirSync(join(dir, 'node', 'containerd'), { recursive: true });
      writeFileSync(join(dir, 'node', 'containerd', 'containerd.sock'), '');
      await assert.rejects(importImages([tar], { dataDir: dir }), /the node's containerd is not running .*start `bosun server --data-dir/);
      await assert.rejects(importImages([join(dir, 'missing.tar')], { dataDir: dir }), /no such file: .*missing\.tar/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
