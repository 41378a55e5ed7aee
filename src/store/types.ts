/**
 * The revisioned key-value store every Bosun object lives in. Semantics follow etcd (as kine does for
 * k3s): one global, strictly increasing revision; every write gets the next revision; deletes are
 * events too; a watch delivers every event after a revision, in order, none skipped; compaction
 * forgets history below a revision, and reads or watches from there fail with `TooOld`.
 *
 * Values are opaque strings (the API server stores JSON). Keys are '/'-separated paths such as
 * `/registry/pods/default/web-1`; prefixes used for list and watch end with '/'.
 */
export interface KeyValue {
  key: string;
  value: string;
  /** Revision of the write that created this key (since its last deletion). */
  createRevision: number;
  /** Revision of the last write to this key; the object's resourceVersion. */
  modRevision: number;
  /**
   * Set by a value-transforming wrapper (encryption at rest) when the value was read with other
   * than the current write transformer: an update should rewrite it even when nothing changed.
   */
  stale?: boolean;
}

export type StoreEventType = 'PUT' | 'DELETE';

export interface StoreEvent {
  type: StoreEventType;
  /** For PUT the new value; for DELETE the value as it was, with modRevision = the delete's revision. */
  kv: KeyValue;
  /** The value before this event (undefined for a PUT that created the key). */
  prevKv?: KeyValue;
  /** Revision of this event (equals kv.modRevision). */
  revision: number;
}

export interface ListOptions {
  /** Read the state as of this revision (0 or undefined: the current one). Fails TooOld below the compacted revision. */
  revision?: number;
  /** At most this many items (0 or undefined: all). */
  limit?: number;
  /** Start strictly after this key (the `continueKey` a previous page returned). */
  afterKey?: string;
}

export interface ListResult {
  items: KeyValue[];
  /** The revision the list was read at: a watch from here misses nothing. */
  revision: number;
  /** Set when more items follow: pass it back as `afterKey` with the same `revision`. */
  continueKey?: string;
  /** Items left after this page (exact or an estimate), like etcd's count minus returned. */
  remaining?: number;
}

export interface WatchHandle {
  /** Stop delivery. Idempotent. */
  cancel(): void;
  /**
   * A revision this watch is complete through, 0 when unknown: every event at or below it under the
   * prefix has been delivered to onEvents, so it advances with writes elsewhere too. Watch bookmarks
   * carry it, as upstream's carry the watch cache's revision (kept current by etcd's progress
   * notifications), so a watcher of a quiet resource resumes from a revision compaction has not
   * passed. On etcd it moves with etcd's progress notifications to a quiet watch (etcd-watch.ts).
   * Absent where a store cannot tell (a wrapper that delivers asynchronously).
   */
  progress?(): number;
}

export interface WatchCallbacks {
  /** Called with events in revision order; never concurrently. */
  onEvents(events: StoreEvent[]): void;
  /** Called once if the watch cannot go on (e.g. it fell behind compaction); no events follow. */
  onError?(err: StoreError): void;
}

export interface Store {
  /** Fails with AlreadyExists if the key exists. */
  create(key: string, value: string): Promise<KeyValue>;
  get(key: string): Promise<KeyValue | undefined>;
  /** Fails with NotFound if absent, Conflict if the key's modRevision differs from expectedRevision. */
  update(key: string, value: string, expectedRevision: number): Promise<KeyValue>;
  /** Returns the deleted value. NotFound if absent; Conflict if expectedRevision is given and differs. */
  delete(key: string, expectedRevision?: number): Promise<KeyValue>;
  /** Keys starting with prefix, in key order. */
  list(prefix: string, opts?: ListOptions): Promise<ListResult>;
  count(prefix: string): Promise<number>;
  /** Every event on keys under prefix with revision > afterRevision. Throws TooOld if afterRevision < compactedRevision(). */
  watch(prefix: string, afterRevision: number, cb: WatchCallbacks): WatchHandle;
  currentRevision(): number;
  /** The oldest revision still readable; history at or below it is gone. */
  compactedRevision(): number;
  /** Forget history at or below revision (never the latest value of a live key). */
  compact(revision: number): Promise<void>;
  close(): Promise<void>;
}

/** Internal: a value could not be read back (e.g. no configured key decrypts it). */
export type StoreErrorCode = 'AlreadyExists' | 'NotFound' | 'Conflict' | 'TooOld' | 'Closed' | 'Internal';

export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    /** For Conflict: the key's current revision; for TooOld: the compacted revision. */
    readonly revision?: number,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}
