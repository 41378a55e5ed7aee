/**
 * In-memory Store for tests: a history log of events on top of a base snapshot (the state at the
 * compacted revision), plus a map of the current state. Same semantics as the SQLite backend; every
 * write resolves at once and watches are fed synchronously from the log, then live.
 */
import { type KeyValue, type ListOptions, type ListResult, type Store, type StoreEvent, type WatchCallbacks, type WatchHandle } from './types.js';
import { WatchHub } from './watch-hub.js';
import { alreadyExists, closed, conflict, notFound, tooOld } from './store-errors.js';
import { startAutoCompaction, type AutoCompactOptions } from './auto-compact.js';

export type MemoryStoreOptions = AutoCompactOptions;

export class MemoryStore implements Store {
  private rev = 0;
  private compacted = 0;
  private readonly current = new Map<string, KeyValue>();
  /** State as of `compacted`. */
  private base = new Map<string, KeyValue>();
  /** Every event after `compacted`, in revision order. */
  private log: StoreEvent[] = [];
  private readonly hub = new WatchHub();
  private closed = false;
  private readonly stopCompaction: () => void;

  constructor(opts: MemoryStoreOptions = {}) {
    this.stopCompaction = startAutoCompaction(this, opts);
  }

  async create(key: string, value: string): Promise<KeyValue> {
    this.checkOpen();
    const cur = this.current.get(key);
    if (cur) throw alreadyExists(key, cur);
    const rev = ++this.rev;
    const kv: KeyValue = { key, value, createRevision: rev, modRevision: rev };
    this.current.set(key, kv);
    this.append({ type: 'PUT', kv, revision: rev });
    return kv;
  }

  async get(key: string): Promise<KeyValue | undefined> {
    this.checkOpen();
    return this.current.get(key);
  }

  async update(key: string, value: string, expectedRevision: number): Promise<KeyValue> {
    this.checkOpen();
    const cur = this.current.get(key);
    if (!cur) throw notFound(key);
    if (cur.modRevision !== expectedRevision) {
      throw conflict(key, cur.modRevision, expectedRevision);
    }
    const rev = ++this.rev;
    const kv: KeyValue = { key, value, createRevision: cur.createRevision, modRevision: rev };
    this.current.set(key, kv);
    this.append({ type: 'PUT', kv, prevKv: cur, revision: rev });
    return kv;
  }

  async delete(key: string, expectedRevision?: number): Promise<KeyValue> {
    this.checkOpen();
    const cur = this.current.get(key);
    if (!cur) throw notFound(key);
    if (expectedRevision !== undefined && cur.modRevision !== expectedRevision) {
      throw conflict(key, cur.modRevision, expectedRevision);
    }
    const rev = ++this.rev;
    const kv: KeyValue = { ...cur, modRevision: rev };
    this.current.delete(key);
    this.append({ type: 'DELETE', kv, prevKv: cur, revision: rev });
    return kv;
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    this.checkOpen();
    const revision = opts.revision ? Math.min(opts.revision, this.rev) : this.rev;
    if (revision < this.compacted) throw tooOld(revision, this.compacted);
    const state = revision === this.rev ? this.current : this.stateAt(revision);
    const keys = [...state.keys()]
      .filter((k) => k.startsWith(prefix) && (opts.afterKey === undefined || k > opts.afterKey))
      .sort();
    const limit = opts.limit && opts.limit > 0 ? opts.limit : keys.length;
    const page = keys.slice(0, limit);
    const res: ListResult = { items: page.map((k) => state.get(k)!), revision };
    if (keys.length > page.length) {
      res.continueKey = page[page.length - 1];
      res.remaining = keys.length - page.length;
    }
    return res;
  }

  async count(prefix: string): Promise<number> {
    this.checkOpen();
    let n = 0;
    for (const k of this.current.keys()) if (k.startsWith(prefix)) n++;
    return n;
  }

  watch(prefix: string, afterRevision: number, cb: WatchCallbacks): WatchHandle {
    this.checkOpen();
    if (afterRevision < this.compacted) throw tooOld(afterRevision, this.compacted);
    const w = this.hub.add(prefix, afterRevision, cb);
    w.enqueue(this.log.filter((ev) => ev.revision > afterRevision && ev.kv.key.startsWith(prefix)));
    w.live = true;
    return w;
  }

  currentRevision(): number {
    return this.rev;
  }

  compactedRevision(): number {
    return this.compacted;
  }

  async compact(revision: number): Promise<void> {
    this.checkOpen();
    const target = Math.min(revision, this.rev);
    if (target <= this.compacted) return;
    let i = 0;
    for (; i < this.log.length && this.log[i].revision <= target; i++) {
      const ev = this.log[i];
      if (ev.type === 'PUT') this.base.set(ev.kv.key, ev.kv);
      else this.base.delete(ev.kv.key);
    }
    this.log = this.log.slice(i);
    this.compacted = target;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopCompaction();
    this.hub.failAll(closed());
  }

  private append(ev: StoreEvent): void {
    this.log.push(ev);
    this.hub.publish([ev]);
  }

  private stateAt(revision: number): Map<string, KeyValue> {
    const state = new Map(this.base);
    for (const ev of this.log) {
      if (ev.revision > revision) break;
      if (ev.type === 'PUT') state.set(ev.kv.key, ev.kv);
      else state.delete(ev.kv.key);
    }
    return state;
  }

  private checkOpen(): void {
    if (this.closed) throw closed();
  }
}
