/**
 * SQLite layout of the store (kine-style): one append-only `kine` table whose INTEGER PRIMARY KEY
 * AUTOINCREMENT id is the revision. Every write appends a row: a create (created=1), an update, or
 * a delete tombstone (deleted=1, value = the deleted value). `prev_revision` points at the row the
 * write superseded (0 for a create), which gives watch replay its prevKv and lets compaction find
 * superseded rows without scanning history.
 *
 * Fast path: `current` (name -> id of the live row) holds one row per live key, so get, the
 * existence checks of every write, count and list at the current revision never touch history.
 * Reads at a past revision use the (name, id) index on `kine`.
 *
 * Durability: journal_mode=WAL with synchronous=NORMAL. A commit appends its frames to the WAL with
 * write(2) before better-sqlite3 returns; only checkpoints fsync. Once write(2) returns the data
 * lives in the kernel's page cache, which the kernel writes back whether or not our process still
 * exists, so an acknowledged write survives kill -9 (tested by sqlite-durability.test.ts). Only an
 * OS crash or power loss can lose the last commits, which is the trade kine and etcd's
 * --unsafe-no-fsync users accept; pass `synchronous: 'FULL'` to fsync every commit.
 */
import { chmodSync, closeSync, existsSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';

export type Db = Database.Database;

export interface SqliteOpenOptions {
  /** 'NORMAL' (default): survives process crashes; 'FULL': also survives power loss. */
  synchronous?: 'NORMAL' | 'FULL';
}

export interface KineRow {
  id: number;
  name: string;
  created: number;
  deleted: number;
  create_revision: number;
  prev_revision: number;
  value: string;
}

/** A kine row joined with the row it superseded (p_* are null for creates). */
export interface EventRow extends KineRow {
  p_id: number | null;
  p_create_revision: number | null;
  p_value: string | null;
}

/**
 * The database and its -wal and -shm files hold every Secret: owner-only (0600) whatever the umask.
 * The file is made 0600 before SQLite opens it, and SQLite creates the -wal and -shm files with the
 * database file's mode; files an older version left looser are tightened.
 */
function makePrivate(path: string): void {
  if (path === ':memory:' || path === '') return;
  if (!existsSync(path)) closeSync(openSync(path, 'a', 0o600));
  for (const p of [path, `${path}-wal`, `${path}-shm`]) if (existsSync(p)) chmodSync(p, 0o600);
}

export function openDb(path: string, opts: SqliteOpenOptions = {}): Db {
  makePrivate(path);
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${opts.synchronous ?? 'NORMAL'}`);
  // Truncate the WAL back to this size after checkpoints so churn does not leave a huge -wal file.
  db.pragma('journal_size_limit = 8388608');
  db.pragma('busy_timeout = 5000');
  // 16 MiB of page cache (the default is 2 MiB): every write reads the current row first, and with
  // tens of thousands of objects the default cache misses on most of those reads.
  db.pragma('cache_size = -16384');
  db.exec(`
    CREATE TABLE IF NOT EXISTS kine (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      name TEXT NOT NULL,
      created INTEGER NOT NULL,
      deleted INTEGER NOT NULL,
      create_revision INTEGER NOT NULL,
      prev_revision INTEGER NOT NULL,
      value TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS kine_name_id ON kine (name, id);
    CREATE TABLE IF NOT EXISTS current (
      name TEXT PRIMARY KEY,
      id INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS meta (
      key TEXT PRIMARY KEY,
      value INTEGER NOT NULL
    ) WITHOUT ROWID;
  `);
  return db;
}

const KV_COLS = 'k.id, k.name, k.created, k.deleted, k.create_revision, k.prev_revision, k.value';

/** Every statement the store runs, prepared once. */
export function prepareStatements(db: Db) {
  return {
    currentRow: db.prepare<[string], KineRow>(`SELECT ${KV_COLS} FROM current c JOIN kine k ON k.id = c.id WHERE c.name = ?`),
    insert: db.prepare<[number, string, number, number, number, number, string]>(
      'INSERT INTO kine (id, name, created, deleted, create_revision, prev_revision, value) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    setCurrent: db.prepare<[string, number]>('INSERT INTO current (name, id) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET id = excluded.id'),
    deleteCurrent: db.prepare<[string]>('DELETE FROM current WHERE name = ?'),
    /** (prefix, afterKey, end, limit) */
    listCurrent: db.prepare<[string, string, string, number], KineRow>(
      `SELECT ${KV_COLS} FROM current c JOIN kine k ON k.id = c.id
       WHERE c.name >= ? AND c.name > ? AND c.name < ? ORDER BY c.name LIMIT ?`,
    ),
    /** (lower bound, afterKey, end) */
    countCurrent: db.prepare<[string, string, string], { n: number }>(
      'SELECT COUNT(*) AS n FROM current WHERE name >= ? AND name > ? AND name < ?',
    ),
    /** (prefix, afterKey, end, revision, limit): the live rows as of revision. */
    listAt: db.prepare<[string, string, string, number, number], KineRow>(
      `SELECT ${KV_COLS} FROM (
         SELECT MAX(id) AS mid FROM kine WHERE name >= ? AND name > ? AND name < ? AND id <= ? GROUP BY name
       ) m JOIN kine k ON k.id = m.mid WHERE k.deleted = 0 ORDER BY k.name LIMIT ?`,
    ),
    /** (prefix, afterKey, end, revision) */
    countAt: db.prepare<[string, string, string, number], { n: number }>(
      `SELECT COUNT(*) AS n FROM (
         SELECT MAX(id) AS mid FROM kine WHERE name >= ? AND name > ? AND name < ? AND id <= ? GROUP BY name
       ) m JOIN kine k ON k.id = m.mid WHERE k.deleted = 0`,
    ),
    /** (afterId, uptoId, prefix, end, limit): events for watch replay, in revision order. */
    events: db.prepare<[number, number, string, string, number], EventRow>(
      `SELECT ${KV_COLS}, p.id AS p_id, p.create_revision AS p_create_revision, p.value AS p_value
       FROM kine k LEFT JOIN kine p ON p.id = k.prev_revision AND k.prev_revision > 0
       WHERE k.id > ? AND k.id <= ? AND k.name >= ? AND k.name < ? ORDER BY k.id LIMIT ?`,
    ),
    /** (lo, hi): rows superseded by a write in (lo, hi]. */
    compactSuperseded: db.prepare<[number, number]>(
      'DELETE FROM kine WHERE id IN (SELECT prev_revision FROM kine WHERE id > ? AND id <= ? AND prev_revision > 0)',
    ),
    /** (lo, hi): tombstones in (lo, hi]. */
    compactTombstones: db.prepare<[number, number]>('DELETE FROM kine WHERE id > ? AND id <= ? AND deleted = 1'),
    maxRevision: db.prepare<[], { rev: number | null }>(
      "SELECT MAX(v) AS rev FROM (SELECT seq AS v FROM sqlite_sequence WHERE name = 'kine' UNION ALL SELECT MAX(id) FROM kine)",
    ),
    getMeta: db.prepare<[string], { value: number }>('SELECT value FROM meta WHERE key = ?'),
    setMeta: db.prepare<[string, number]>('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
    rowCount: db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM kine'),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;
