/**
 * kill -9 durability: every write the store acknowledged before the process died is there after
 * reopening, with its value, and revisions are dense and consistent (see the durability argument in
 * sqlite-schema.ts).
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SqliteStore } from './sqlite.js';
import { durabilityValue } from './testing/durability-writer.js';

const here = dirname(fileURLToPath(import.meta.url));

it('every write acknowledged before kill -9 survives, revisions stay consistent', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bosun-store-durability-'));
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'testing', 'durability-writer.ts'), join(dir, 'db'), '32'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    const acked: string[] = [];
    let partial = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    await new Promise<void>((resolve, reject) => {
      child.on('exit', (code) => reject(new Error(`writer exited early (${code}): ${stderr}`)));
      child.stdout.on('data', (d: Buffer) => {
        const lines = (partial + d.toString()).split('\n');
        partial = lines.pop()!; // a line cut by the kill is not an acknowledgement
        acked.push(...lines);
        if (acked.length >= 5000 && child.exitCode === null && !child.killed) {
          child.kill('SIGKILL');
          resolve();
        }
      });
    });
    await new Promise<void>((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('close', () => r())));
    assert.equal(child.signalCode, 'SIGKILL');

    const store = new SqliteStore({ path: join(dir, 'db') });
    try {
      for (const key of acked) {
        const kv = await store.get(key);
        assert.ok(kv, `acknowledged key ${key} lost`);
        assert.equal(kv.value, durabilityValue(key));
      }
      // Only creates happened: the live keys are exactly revisions 1..current, each used once.
      const all = await store.list('/dur/');
      const rev = store.currentRevision();
      assert.ok(rev >= acked.length, `revision ${rev} < ${acked.length} acknowledged writes`);
      assert.equal(all.items.length, rev);
      const revs = all.items.map((kv) => kv.modRevision).sort((a, b) => a - b);
      revs.forEach((r, i) => assert.equal(r, i + 1));
      for (const kv of all.items) assert.equal(kv.createRevision, kv.modRevision);
      // And it keeps working from there.
      assert.equal((await store.create('/dur/after', 'x')).modRevision, rev + 1);
    } finally {
      await store.close();
    }
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
