/**
 * One Bosun watch over one etcd watch (etcd3 multiplexes them on a single gRPC stream). etcd
 * delivers a watch's events in revision order, history first, then live; this adapter maps them to
 * StoreEvents, drops anything at or below what it already delivered, and keeps the resume point
 * at its own cursor, so a stream reconnect replays from the last delivered event rather than
 * from the response header's revision (which can run ahead of the events during a catch-up).
 *
 * Progress: the watch asks for etcd's progress notifications (progress_notify, which the etcd3
 * client sets on every watch): a response without events that etcd sends a quiet watcher every
 * --experimental-watch-progress-notify-interval (default 10m), only once the watcher is caught up
 * and on the same channel as its events, so its header revision is one the watch is complete
 * through. The cursor moves there, and progress() reports it: upstream's cacher keeps its watch
 * cache's revision, and with it the bookmarks it sends, current the same way (etcd3 watcher
 * WithProgressNotify). The stream-wide RequestProgress answer is not used: before etcd 3.4.31 and
 * 3.5.13 it can overtake events still queued for the stream (etcd #15220), which is why upstream
 * uses it only from those versions on.
 */
import type { Etcd3, IEvent, IWatchResponse, Watcher } from 'etcd3';
import type { EtcdKeys } from './etcd-keys.js';
import type { SharedEvents } from './etcd-shared-events.js';
import { StoreError, type StoreEvent, type WatchCallbacks, type WatchHandle } from './types.js';
import { tooOld } from './store-errors.js';

/** What a watch needs from its store. */
export interface EtcdWatchHost {
  readonly client: Etcd3;
  readonly keys: EtcdKeys;
  /** Events other watches of the store built, handed out again (one object per event). */
  readonly sharedEvents: SharedEvents;
  /** A response header's revision: the store keeps the highest as currentRevision. */
  sawRevision(revision: number): void;
  /** Find the compacted revision again (the watch was cancelled by etcd for compaction). */
  probeCompacted(): Promise<number>;
  /** The watch ended; `detached` settles when etcd has dropped it. */
  released(w: EtcdWatch, detached: Promise<void>): void;
}

export class EtcdWatch implements WatchHandle {
  private cursor: number;
  private done = false;
  private readonly watcher: Watcher;

  constructor(
    private readonly host: EtcdWatchHost,
    prefix: string,
    afterRevision: number,
    private readonly cb: WatchCallbacks,
  ) {
    this.cursor = afterRevision;
    const r = host.keys.prefixRange(prefix);
    this.watcher = host.client
      .watch()
      .inRange({ start: r.key, end: r.range_end })
      .startRevision(String(afterRevision + 1))
      .withPreviousKV()
      .watcher();
    // Registered after etcd3's own listeners, so these run last and win on start_revision.
    this.watcher.on('connected', (res) => this.onConnected(res));
    this.watcher.on('data', (res) => this.onData(res));
    this.watcher.on('error', (err) => this.onServerCancel(err));
  }

  /** Stop delivery. Idempotent. */
  cancel(): void {
    if (this.done) return;
    this.done = true;
    this.host.released(this, this.watcher.cancel().catch(() => {}));
  }

  /** End the watch with an error (store closed): no events follow. */
  fail(err: StoreError): void {
    if (this.done) return;
    this.cancel();
    queueMicrotask(() => this.cb.onError?.(err));
  }

  private resumeFromCursor(): void {
    (this.watcher.request as { start_revision?: string | number }).start_revision = String(this.cursor + 1);
  }

  private onConnected(res: IWatchResponse): void {
    this.host.sawRevision(Number(res.header.revision));
    this.resumeFromCursor();
  }

  /** WatchHandle.progress: every event under the prefix at or below the cursor has been delivered. */
  progress(): number {
    return this.done ? 0 : this.cursor;
  }

  private onData(res: IWatchResponse): void {
    this.host.sawRevision(Number(res.header.revision));
    if (this.done) return;
    if (isProgressNotify(res)) {
      this.cursor = Math.max(this.cursor, Number(res.header.revision));
      this.resumeFromCursor();
      return;
    }
    const events: StoreEvent[] = [];
    for (const ev of res.events) {
      const revision = Number(ev.kv.mod_revision);
      if (revision <= this.cursor) continue;
      events.push(this.toEvent(ev, revision));
      this.cursor = revision;
    }
    this.resumeFromCursor();
    if (events.length === 0) return;
    try {
      this.cb.onEvents(events);
    } catch {
      // A throwing consumer must not break the shared watch stream.
    }
  }

  /**
   * etcd cancelled the watch. With an empty reason that is compaction (etcd sets only
   * compact_revision, which etcd3 does not pass on), so the compacted revision is probed again;
   * any other reason is reported as TooOld too, because the remedy is the same: list and re-watch.
   */
  private onServerCancel(err: Error): void {
    if (this.done) return;
    this.done = true;
    this.host.released(this, Promise.resolve());
    const after = this.cursor;
    void this.host
      .probeCompacted()
      .catch(() => after + 1)
      .then((compacted) => {
        const e = tooOld(after, compacted);
        if (!/canceled:\s*$/.test(err.message)) e.message += ` (${err.message})`;
        this.cb.onError?.(e);
      });
  }

  private toEvent(ev: IEvent, revision: number): StoreEvent {
    return this.host.sharedEvents.get(revision, this.host.keys.unkey(ev.kv.key), () => this.buildEvent(ev, revision));
  }

  private buildEvent(ev: IEvent, revision: number): StoreEvent {
    const keys = this.host.keys;
    const prevKv = ev.prev_kv ? (this.host.sharedEvents.putAt(Number(ev.prev_kv.mod_revision), keys.unkey(ev.prev_kv.key)) ?? keys.kv(ev.prev_kv)) : undefined;
    if (ev.type === 'Put') return { type: 'PUT', kv: keys.kv(ev.kv), prevKv, revision };
    // A delete's kv carries only key and revision; the value is the one deleted (prevKv).
    const kv = prevKv ? { ...prevKv, modRevision: revision } : { key: keys.unkey(ev.kv.key), value: '', createRevision: 0, modRevision: revision };
    return { type: 'DELETE', kv, prevKv, revision };
  }
}

/** clientv3's IsProgressNotify: no events, not a create or cancel answer, a revision in the header. */
function isProgressNotify(res: IWatchResponse): boolean {
  return res.events.length === 0 && !res.canceled && !res.created && Number(res.compact_revision) === 0 && Number(res.header.revision) !== 0;
}
