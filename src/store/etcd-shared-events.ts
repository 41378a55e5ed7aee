/**
 * The StoreEvents the etcd store's watches built lately, by revision and key, so that every watch
 * that receives the same etcd event hands its consumer the same StoreEvent (and KeyValues). The
 * memory and SQLite stores fan one event out to all their watchers in process; on etcd each store
 * watch is its own etcd watch, which delivers its own copy, and the API server decodes each
 * KeyValue object once for all its watchers (StorageCore.decodeShared): without this, 1,000
 * watchers of one resource decoded every event 1,000 times (upstream's cacher has one etcd watch
 * per resource and decodes once).
 *
 * Best effort and bounded: the newest `maxEvents` events, and no more than `maxChars` of values;
 * an event evicted before a slow watch got it is just built (and decoded) once more. Consumers
 * must not mutate events, as with the other stores.
 */
import type { KeyValue, StoreEvent } from './types.js';

export class SharedEvents {
  private readonly byId = new Map<string, StoreEvent>();
  private chars = 0;

  constructor(
    private readonly maxEvents = 1024,
    private readonly maxChars = 16 * 1024 * 1024,
  ) {}

  /** The event at `revision` on `key` built earlier, else `make()`'s, kept for the next watch. */
  get(revision: number, key: string, make: () => StoreEvent): StoreEvent {
    const id = `${revision}\0${key}`;
    const known = this.byId.get(id);
    if (known) return known;
    const ev = make();
    this.byId.set(id, ev);
    this.chars += size(ev);
    // A Map iterates in insertion order: the first entry is the oldest.
    for (const [oldId, old] of this.byId) {
      if (this.byId.size <= this.maxEvents && this.chars <= this.maxChars) break;
      this.byId.delete(oldId);
      this.chars -= size(old);
    }
    return ev;
  }

  /**
   * The KeyValue a held PUT event wrote at `revision` on `key`: a later event's prevKv is then the
   * very object an earlier event carried, as on the other stores, so that the API server drops the
   * replaced version's shared decoding when it sees it replaced (StorageCore.supersede).
   */
  putAt(revision: number, key: string): KeyValue | undefined {
    const ev = this.byId.get(`${revision}\0${key}`);
    return ev?.type === 'PUT' ? ev.kv : undefined;
  }

  /** Events held (for tests). */
  get size(): number {
    return this.byId.size;
  }
}

function size(ev: StoreEvent): number {
  return ev.kv.value.length + (ev.prevKv?.value.length ?? 0);
}
