/**
 * WATCH: synthetic ADDED events for the current state (resourceVersion "" or "0", or
 * sendInitialEvents), then every store event after the starting revision, filtered by the
 * selectors with transitions (an object that stops matching is DELETED, one that starts matching
 * ADDED). BOOKMARKs when allowed; 410 Expired as an ERROR event for a compacted revision.
 *
 * Cheap at scale: one store watch per client shares the store's fan-out, and each event's object
 * is decoded once for every watcher (StorageCore.decodeShared); sinks must not mutate objects.
 */
import type { KubeObject } from '../../api/meta.js';
import { errors, StatusError } from '../../api/status.js';
import { StoreError, type StoreEvent, type WatchHandle } from '../../store/types.js';
import { fromStoreError, tooOldResourceVersion } from './errors.js';
import { listPrefix } from './keys.js';
import { parseResourceVersion, waitForRevision } from './resource-version.js';
import { makeSelection, type Selection } from './selection.js';
import type { StorageCore } from './storage-core.js';
import type { RequestContext, StorageWatchEvent, WatchQuery, WatchSink, WatchStream } from './types.js';

/** Interval of BOOKMARK events for clients that allow them (upstream: about a minute). */
export const BOOKMARK_INTERVAL_MS = 10_000;

export async function watchObjects(core: StorageCore, ctx: RequestContext, namespace: string | undefined, q: WatchQuery, sink: WatchSink): Promise<WatchStream> {
  const selection = makeSelection(core.def, q.labelSelector, q.fieldSelector, core.selectableFields);
  const rvText = q.resourceVersion ?? '';
  const initial = q.sendInitialEvents ?? (rvText === '' || rvText === '0');
  let startRev = rvText === '' || rvText === '0' ? 0 : parseResourceVersion(rvText);

  const w = new Watcher(core, q, selection, sink);
  if (q.sendInitialEvents && startRev > 0) {
    try {
      await waitForRevision(core.store, startRev, ctx.signal);
    } catch (err) {
      // A revision not reached in time (504 Too large resource version) ends the accepted watch
      // with an ERROR event, as the cacher's newErrWatcher does, not as an HTTP error.
      if (!(err instanceof StatusError)) throw err;
      w.emit({ type: 'ERROR', object: err.status });
      w.stop();
      return w;
    }
  }
  const prefix = listPrefix(core.def, namespace);
  try {
    if (initial) {
      const page = await core.store.list(prefix);
      startRev = page.revision;
      for (const kv of page.items) {
        const obj = core.decodeShared(kv);
        if (selection.matches(obj)) w.emit({ type: 'ADDED', object: obj });
      }
      if (q.sendInitialEvents && q.allowWatchBookmarks) w.bookmark(startRev, true);
    } else if (startRev === 0) {
      startRev = core.store.currentRevision();
    }
    w.lastRev = startRev;
    w.handle = core.store.watch(prefix, startRev, { onEvents: (evs) => w.onEvents(evs), onError: (err) => w.fail(err) });
  } catch (err) {
    if (err instanceof StoreError && err.code === 'TooOld') {
      w.fail(err, startRev);
    } else {
      w.stop();
      throw fromStoreError(core.def, '', err);
    }
    return w;
  }
  w.startTimers(ctx.signal);
  return w;
}

class Watcher implements WatchStream {
  handle?: WatchHandle;
  lastRev = 0;
  private closed = false;
  private timers: NodeJS.Timeout[] = [];
  private abortListener?: () => void;
  private signal?: AbortSignal;

  constructor(private readonly core: StorageCore, private readonly q: WatchQuery, private readonly sel: Selection, private readonly sink: WatchSink) {}

  emit(ev: StorageWatchEvent): void {
    if (this.closed) return;
    this.sink.onEvent(ev);
  }

  onEvents(events: StoreEvent[]): void {
    for (const ev of events) {
      if (this.closed) return;
      this.lastRev = ev.revision;
      const out = this.translate(ev);
      if (out) this.emit(out);
    }
  }

  private translate(ev: StoreEvent): StorageWatchEvent | undefined {
    const { core, sel } = this;
    if (ev.prevKv) core.supersede(ev.prevKv);
    if (ev.type === 'DELETE') {
      const obj = core.decodeShared(ev.kv);
      core.supersede(ev.kv);
      return sel.matches(obj) ? { type: 'DELETED', object: obj } : undefined;
    }
    const obj = core.decodeShared(ev.kv);
    const now = sel.matches(obj);
    if (!ev.prevKv) return now ? { type: 'ADDED', object: obj } : undefined;
    if (sel.everything) return { type: 'MODIFIED', object: obj };
    const before = sel.matches(core.decodeShared(ev.prevKv));
    if (now) return { type: before ? 'MODIFIED' : 'ADDED', object: obj };
    // Stopped matching: the old state, stamped with this event's revision (as the etcd3 watcher does).
    return before ? { type: 'DELETED', object: core.decodeAt(ev.prevKv, ev.revision) } : undefined;
  }

  /**
   * The revision the watch is complete through: its last event's, or later when the store can tell
   * that nothing under the prefix happened since (writes to other resources), so that a bookmark
   * keeps a watcher of a quiet resource ahead of compaction.
   */
  private progress(): number {
    this.lastRev = Math.max(this.lastRev, this.handle?.progress?.() ?? 0);
    return this.lastRev;
  }

  /** A BOOKMARK: an object of the kind carrying only the revision the client may resume from. */
  bookmark(revision: number, initialEventsEnd = false): void {
    const { def } = this.core;
    const metadata: KubeObject['metadata'] = { resourceVersion: String(revision) };
    if (initialEventsEnd) metadata.annotations = { 'k8s.io/initial-events-end': 'true' };
    this.emit({ type: 'BOOKMARK', object: { apiVersion: def.group ? `${def.group}/${def.version}` : def.version, kind: def.kind, metadata } });
  }

  startTimers(signal?: AbortSignal): void {
    if (this.closed) return;
    if (this.q.allowWatchBookmarks) {
      const t = setInterval(() => this.bookmark(this.progress()), this.core.options.bookmarkIntervalMs ?? BOOKMARK_INTERVAL_MS);
      t.unref();
      this.timers.push(t);
    }
    if (this.q.timeoutSeconds && this.q.timeoutSeconds > 0) {
      const t = setTimeout(() => {
        if (this.q.allowWatchBookmarks) this.bookmark(this.progress());
        this.stop();
      }, this.q.timeoutSeconds * 1000);
      t.unref();
      this.timers.push(t);
    }
    if (signal) {
      this.signal = signal;
      this.abortListener = () => this.stop();
      if (signal.aborted) this.stop();
      else signal.addEventListener('abort', this.abortListener, { once: true });
    }
  }

  /** End with an ERROR event (410 Expired for a compacted revision, else 500), then close. */
  fail(err: StoreError, requested = this.lastRev): void {
    if (this.closed) return;
    if (err.code === 'Closed') {
      // The server is shutting down: end the stream without an error event.
      this.stop();
      return;
    }
    const status = err.code === 'TooOld' ? tooOldResourceVersion(requested, err.revision ?? 0).status : errors.internal(err.message).status;
    this.emit({ type: 'ERROR', object: status });
    this.stop();
  }

  stop(): void {
    if (this.closed) return;
    this.closed = true;
    this.handle?.cancel();
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
    if (this.signal && this.abortListener) this.signal.removeEventListener('abort', this.abortListener);
    this.sink.onClose();
  }
}
