/**
 * SQLite Store (see sqlite-schema.ts for the layout and the durability argument).
 *
 * Group commit: writes are queued and applied together in one transaction on the next event-loop
 * turn (setImmediate), so N concurrent writers pay for one COMMIT. Each write's promise settles only
 * after that transaction committed; a write that fails its own check (AlreadyExists, Conflict,
 * NotFound) rejects without affecting the others, while a database error rolls back the whole batch
 * and rejects all of it. Committed events are then fanned out to watchers in revision order.
 *
 * Revisions are assigned here (this process is the only writer) and written as explicit ids; the
 * AUTOINCREMENT sequence keeps them from ever being reused after compaction deletes the newest rows.
 */
import { StoreError, type KeyValue, type ListOptions, type ListResult, type Store, type StoreEvent, type WatchCallbacks, type WatchHandle } from './types.js';
import { openDb, prepareStatements, type Db, type SqliteOpenOptions, type Statements } from './sqlite-schema.js';
import { WatchHub } from './watch-hub.js';
import { prefixEnd } from './key-range.js';
import { rowToKv, startReplay } from './sqlite-watch.js';
import { alreadyExists, closed, conflict, notFound, tooOld } from './store-errors.js';
import { startAutoCompaction, type AutoCompactOptions } from './auto-compact.js';

export interface SqliteStoreOptions extends SqliteOpenOptions, AutoCompactOptions {
  /** Database file (':memory:' works for tests, without durability). */
  path: string;
}

type WriteOp =
  | { kind: 'create'; key: string; value: string }
  | { kind: 'update'; key: string; value: string; expected: number }
  | { kind: 'delete'; key: string; expected?: number };

interface Pending {
  op: WriteOp;
  resolve(kv: KeyValue): void;
  reject(err: Error): void;
}

/** Rows deleted per compaction transaction, so compaction never blocks writers for long. */
const COMPACT_CHUNK = 5000;

export class SqliteStore implements Store {
  readonly db: Db;
  readonly stmts: Statements;
  private rev: number;
  private compacted: number;
  /** Revision up to which superseded rows and tombstones have been physically deleted. */
  private compactDone: number;
  private queue: Pending[] = [];
  private flushScheduled = false;
  private readonly hub = new WatchHub();
  private closed = false;
  private compacting: Promise<void> = Promise.resolve();
  private readonly stopCompaction: () => void;

  constructor(opts: SqliteStoreOptions) {
    this.db = openDb(opts.path, opts);
    this.stmts = prepareStatements(this.db);
    this.rev = this.stmts.maxRevision.get()?.rev ?? 0;
    this.compacted = this.stmts.getMeta.get('compacted')?.value ?? 0;
    this.compactDone = this.stmts.getMeta.get('compact_done')?.value ?? 0;
    if (this.compactDone < this.compacted) this.compacting = this.sweep().catch(() => {}); // finish one a crash interrupted
    this.stopCompaction = startAutoCompaction(this, opts);
  }

  create(key: string, value: string): Promise<KeyValue> {
    return this.enqueue({ kind: 'create', key, value });
  }

  update(key: string, value: string, expectedRevision: number): Promise<KeyValue> {
    return this.enqueue({ kind: 'update', key, value, expected: expectedRevision });
  }

  delete(key: string, expectedRevision?: number): Promise<KeyValue> {
    return this.enqueue({ kind: 'delete', key, expected: expectedRevision });
  }

  async get(key: string): Promise<KeyValue | undefined> {
    this.checkOpen();
    const row = this.stmts.currentRow.get(key);
    return row ? rowToKv(row) : undefined;
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    this.checkOpen();
    const revision = opts.revision ? Math.min(opts.revision, this.rev) : this.rev;
    if (revision < this.compacted) throw tooOld(revision, this.compacted);
    const end = prefixEnd(prefix);
    const after = opts.afterKey ?? '';
    const limit = opts.limit && opts.limit > 0 ? opts.limit : -1; // LIMIT -1: no limit
    const atHead = revision === this.rev;
    const rows = atHead
      ? this.stmts.listCurrent.all(prefix, after, end, limit)
      : this.stmts.listAt.all(prefix, after, end, revision, limit);
    const res: ListResult = { items: rows.map(rowToKv), revision };
    if (limit > 0 && rows.length === limit) {
      const last = rows[rows.length - 1].name;
      const left = atHead
        ? this.stmts.countCurrent.get(prefix, last, end)!.n
        : this.stmts.countAt.get(prefix, last, end, revision)!.n;
      if (left > 0) {
        res.continueKey = last;
        res.remaining = left;
      }
    }
    return res;
  }

  async count(prefix: string): Promise<number> {
    this.checkOpen();
    return this.stmts.countCurrent.get(prefix, '', prefixEnd(prefix))!.n;
  }

  watch(prefix: string, afterRevision: number, cb: WatchCallbacks): WatchHandle {
    this.checkOpen();
    if (afterRevision < this.compacted) throw tooOld(afterRevision, this.compacted);
    const w = this.hub.add(prefix, afterRevision, cb);
    if (afterRevision >= this.rev) w.live = true;
    else startReplay(this, w);
    return w;
  }

  currentRevision(): number {
    return this.rev;
  }

  compactedRevision(): number {
    return this.compacted;
  }

  /**
   * Keeps, for every key, its latest row at or below `revision` unless that row is a tombstone, so
   * reads at `revision` and watches after it still work (etcd semantics). Readers below it fail
   * TooOld at once; rows go in chunked transactions, resumed after a crash from `compact_done`.
   */
  async compact(revision: number): Promise<void> {
    this.checkOpen();
    const target = Math.min(revision, this.rev);
    if (target > this.compacted) {
      this.compacted = target;
      this.stmts.setMeta.run('compacted', target);
      for (const w of this.hub.all()) if (!w.live && w.cursor < target) w.fail(tooOld(w.cursor, target));
      const sweep = this.compacting.then(() => this.sweep());
      this.compacting = sweep.catch(() => {}); // a failed sweep is retried by the next compaction
      return sweep;
    }
    await this.compacting;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.stopCompaction();
    if (this.queue.length > 0) this.flush(); // writes already accepted still commit
    this.closed = true;
    await this.compacting.catch(() => {});
    this.hub.failAll(closed());
    this.db.close();
  }

  /** Rows in the kine table, history included (for tests and benchmarks). */
  rowCount(): number {
    return this.stmts.rowCount.get()!.n;
  }

  private async sweep(): Promise<void> {
    while (!this.closed && this.compactDone < this.compacted) {
      const lo = this.compactDone;
      const hi = Math.min(this.compacted, lo + COMPACT_CHUNK);
      this.db.transaction(() => {
        this.stmts.compactSuperseded.run(lo, hi);
        this.stmts.compactTombstones.run(lo, hi);
        this.stmts.setMeta.run('compact_done', hi);
      })();
      this.compactDone = hi;
      if (this.compactDone < this.compacted) await new Promise((r) => setImmediate(r));
    }
  }

  private enqueue(op: WriteOp): Promise<KeyValue> {
    if (this.closed) return Promise.reject(closed());
    return new Promise<KeyValue>((resolve, reject) => {
      this.queue.push({ op, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.flushScheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0 || this.closed) {
      for (const p of batch) p.reject(closed());
      return;
    }
    const startRev = this.rev;
    const events: StoreEvent[] = [];
    const results: (KeyValue | StoreError)[] = [];
    try {
      this.db.transaction(() => {
        for (const p of batch) {
          try {
            results.push(this.apply(p.op, events));
          } catch (err) {
            if (!(err instanceof StoreError)) throw err;
            results.push(err);
          }
        }
      })();
    } catch (err) {
      this.rev = startRev;
      for (const p of batch) p.reject(err as Error);
      return;
    }
    this.hub.publish(events);
    batch.forEach((p, i) => {
      const r = results[i];
      if (r instanceof StoreError) p.reject(r);
      else p.resolve(r);
    });
  }

  /** Apply one write inside the batch transaction; throws StoreError for a failed check. */
  private apply(op: WriteOp, events: StoreEvent[]): KeyValue {
    const s = this.stmts;
    const row = s.currentRow.get(op.key);
    const cur = row ? rowToKv(row) : undefined;
    if (op.kind === 'create') {
      if (cur) throw alreadyExists(op.key, cur);
      const rev = ++this.rev;
      s.insert.run(rev, op.key, 1, 0, rev, 0, op.value);
      s.setCurrent.run(op.key, rev);
      const kv: KeyValue = { key: op.key, value: op.value, createRevision: rev, modRevision: rev };
      events.push({ type: 'PUT', kv, revision: rev });
      return kv;
    }
    if (!cur) throw notFound(op.key);
    if (op.expected !== undefined && cur.modRevision !== op.expected) throw conflict(op.key, cur.modRevision, op.expected);
    const rev = ++this.rev;
    if (op.kind === 'update') {
      s.insert.run(rev, op.key, 0, 0, cur.createRevision, cur.modRevision, op.value);
      s.setCurrent.run(op.key, rev);
      const kv: KeyValue = { key: op.key, value: op.value, createRevision: cur.createRevision, modRevision: rev };
      events.push({ type: 'PUT', kv, prevKv: cur, revision: rev });
      return kv;
    }
    s.insert.run(rev, op.key, 0, 1, cur.createRevision, cur.modRevision, cur.value);
    s.deleteCurrent.run(op.key);
    const kv: KeyValue = { ...cur, modRevision: rev };
    events.push({ type: 'DELETE', kv, prevKv: cur, revision: rev });
    return kv;
  }

  private checkOpen(): void {
    if (this.closed) throw closed();
  }
}
