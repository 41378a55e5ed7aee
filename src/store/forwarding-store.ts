/**
 * A Store that hands every call to another: the base of value-transforming wrappers, which override
 * the calls they change (reads, writes, watches) and inherit the rest.
 */
import type { KeyValue, ListOptions, ListResult, Store, WatchCallbacks, WatchHandle } from './types.js';

export class ForwardingStore implements Store {
  constructor(protected readonly inner: Store) {}

  create(key: string, value: string): Promise<KeyValue> {
    return this.inner.create(key, value);
  }

  get(key: string): Promise<KeyValue | undefined> {
    return this.inner.get(key);
  }

  update(key: string, value: string, expectedRevision: number): Promise<KeyValue> {
    return this.inner.update(key, value, expectedRevision);
  }

  delete(key: string, expectedRevision?: number): Promise<KeyValue> {
    return this.inner.delete(key, expectedRevision);
  }

  list(prefix: string, opts?: ListOptions): Promise<ListResult> {
    return this.inner.list(prefix, opts);
  }

  count(prefix: string): Promise<number> {
    return this.inner.count(prefix);
  }

  watch(prefix: string, afterRevision: number, cb: WatchCallbacks): WatchHandle {
    return this.inner.watch(prefix, afterRevision, cb);
  }

  currentRevision(): number {
    return this.inner.currentRevision();
  }

  compactedRevision(): number {
    return this.inner.compactedRevision();
  }

  compact(revision: number): Promise<void> {
    return this.inner.compact(revision);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
