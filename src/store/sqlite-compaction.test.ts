/**
 * SQLite-only: compaction really deletes rows (bounded growth under churn), survives reopen, and
 * persistence of revisions across close/open.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from './sqlite.js';
import { openStore } from './index.js';
import { FakeClock } from '../controller-runtime/clock/fake-clock.js';

function tempDir(): { dir: string; [Symbol.dispose](): void } {
  const dir = mkdtempSync(join(tmpdir(), 'bosun-store-compact-'));
  return { dir, [Symbol.dispose]: () => rmSync(dir, { recursive: true, force: true }) };
}

function dbBytes(path: string): number {
  return [path, `${path}-wal`].reduce((n, p) => n + (existsSync(p) ? statSync(p).size : 0), 0);
}

describe('sqlite compaction', () => {
  it('compact deletes superseded rows and tombstones but keeps the state at the compacted revision', async () => {
    const t = tempDir();
    try {
      const s = new SqliteStore({ path: join(t.dir, 'db') });
      let a = await s.create('/c/a', '0');
      for (let i = 1; i <= 10; i++) a = await s.update('/c/a', String(i), a.modRevision);
      const b = await s.create('/c/b', 'b');
      await s.delete('/c/b', b.modRevision);
      await s.create('/c/c', 'c');
      assert.equal(s.rowCount(), 14);
      await s.compact(s.currentRevision());
      // Left: the latest row of /c/a and of /c/c; /c/b's rows and /c/a's history are gone.
      assert.equal(s.rowCount(), 2);
      assert.deepEqual((await s.list('/c/')).items.map((i) => [i.key, i.value]), [['/c/a', '10'], ['/c/c', 'c']]);
      // Revisions keep counting past deleted rows, after reopen too.
      const rev = s.currentRevision();
      await s.close();
      const s2 = new SqliteStore({ path: join(t.dir, 'db') });
      assert.equal(s2.currentRevision(), rev);
      assert.equal(s2.compactedRevision(), rev);
      const d = await s2.create('/c/d', 'd');
      assert.equal(d.modRevision, rev + 1);
      assert.equal((await s2.get('/c/a'))?.modRevision, a.modRevision);
      await s2.close();
    } finally {
      t[Symbol.dispose]();
    }
  });

  it('a watch still replaying history below a new compaction ends with TooOld', async () => {
    const t = tempDir();
    try {
      const s = new SqliteStore({ path: join(t.dir, 'db') });
      await Promise.all(Array.from({ length: 3000 }, (_, i) => s.create(`/c/${i}`, 'v')));
      let err: unknown;
      let got = 0;
      s.watch('/c/', 0, { onEvents: (evs) => (got += evs.length), onError: (e) => (err = e) });
      await s.compact(s.currentRevision());
      await new Promise((r) => setTimeout(r, 20));
      assert.equal(got, 0);
      assert.equal((err as { code?: string })?.code, 'TooOld');
      await s.close();
    } finally {
      t[Symbol.dispose]();
    }
  });

  it('automatic compaction keeps rows and file size bounded while one key is updated 20k times', async () => {
    const t = tempDir();
    try {
      const path = join(t.dir, 'db');
      // The compaction interval passes (on a FakeClock) once per 1000 updates.
      const clock = new FakeClock();
      const s = openStore({ backend: 'sqlite', path, compactInterval: 60_000, retainRevisions: 500, clock }) as SqliteStore;
      const value = JSON.stringify({ pad: 'x'.repeat(1000) }); // ~1 KiB, like a small pod
      let kv = await s.create('/churn/k', value);
      let maxRows = 0;
      for (let i = 0; i < 20_000; i++) {
        kv = await s.update('/churn/k', value, kv.modRevision);
        if (i % 1000 === 999) {
          maxRows = Math.max(maxRows, s.rowCount());
          clock.advance(60_000);
          await new Promise((r) => setImmediate(r));
        }
      }
      await s.compact(s.currentRevision() - 500);
      assert.ok(s.compactedRevision() > 15_000, `auto compaction ran (compacted ${s.compactedRevision()})`);
      assert.ok(s.rowCount() <= 501, `rows after compaction: ${s.rowCount()}`);
      // At most the 500 kept and the 1000 written since the last compaction, plus the created row.
      assert.ok(maxRows <= 1501, `rows stayed bounded during churn (max ${maxRows} of 20001 written)`);
      // Without compaction 20k x 1 KiB rows would take > 20 MB.
      assert.ok(dbBytes(path) < 12 * 1024 * 1024, `db+wal bytes: ${dbBytes(path)}`);
      await s.close();
    } finally {
      t[Symbol.dispose]();
    }
  });
});
