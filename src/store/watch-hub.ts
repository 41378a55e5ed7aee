/**
 * In-process watch fan-out shared by the backends. Watchers are grouped by prefix, so publishing a
 * batch costs one map lookup per '/'-prefix of each event's key plus one array push per interested
 * watcher: 1,000 watchers on the same prefix share the filtered event array.
 *
 * A watcher is either replaying (its backend feeds it history through `enqueue` and publish skips
 * it) or live (publish feeds it). `cursor` is the last revision handed to it; events at or below
 * it are dropped, which is what makes the replay-to-live switch free of duplicates.
 */
import { StoreError, type StoreEvent, type WatchCallbacks, type WatchHandle } from './types.js';
import { slashPrefixes } from './key-range.js';

export class HubWatcher implements WatchHandle {
  live = false;
  cancelled = false;
  private pending: StoreEvent[] = [];
  private scheduled = false;

  constructor(
    private readonly hub: WatchHub,
    readonly prefix: string,
    /** Last revision queued for delivery. */
    public cursor: number,
    private readonly cb: WatchCallbacks,
  ) {}

  /** Queue events (in revision order) for delivery; those at or below the cursor are dropped. */
  enqueue(events: readonly StoreEvent[]): void {
    if (this.cancelled) return;
    for (const ev of events) {
      if (ev.revision <= this.cursor) continue;
      this.pending.push(ev);
      this.cursor = ev.revision;
    }
    if (this.pending.length > 0 && !this.scheduled) {
      this.scheduled = true;
      queueMicrotask(() => this.deliver());
    }
  }

  private deliver(): void {
    this.scheduled = false;
    if (this.cancelled || this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    try {
      this.cb.onEvents(batch);
    } catch {
      // A throwing consumer must not break delivery to the others or the write path.
    }
  }

  /** Complete through the last revision published to the hub once live with nothing left to deliver (WatchHandle.progress). */
  progress(): number {
    return this.live && !this.cancelled && this.pending.length === 0 ? Math.max(this.cursor, this.hub.published) : 0;
  }

  /** End the watch with an error: pending events are dropped and no events follow. */
  fail(err: StoreError): void {
    if (this.cancelled) return;
    this.cancel();
    queueMicrotask(() => this.cb.onError?.(err));
  }

  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.pending = [];
    this.hub.remove(this);
  }
}

export class WatchHub {
  /** Watchers whose prefix is '' or ends in '/', by prefix. */
  private readonly byPrefix = new Map<string, Set<HubWatcher>>();
  /** Watchers with any other prefix: checked one by one. */
  private readonly odd = new Set<HubWatcher>();
  /**
   * The last revision published: live watchers have been handed every event up to it (the
   * backends publish each commit synchronously, in revision order).
   */
  published = 0;

  add(prefix: string, afterRevision: number, cb: WatchCallbacks): HubWatcher {
    const w = new HubWatcher(this, prefix, afterRevision, cb);
    if (prefix === '' || prefix.endsWith('/')) {
      let set = this.byPrefix.get(prefix);
      if (!set) this.byPrefix.set(prefix, (set = new Set()));
      set.add(w);
    } else {
      this.odd.add(w);
    }
    return w;
  }

  remove(w: HubWatcher): void {
    const set = this.byPrefix.get(w.prefix);
    if (set?.delete(w) && set.size === 0) this.byPrefix.delete(w.prefix);
    this.odd.delete(w);
  }

  /** Hand committed events (in revision order) to every live watcher whose prefix matches. */
  publish(events: readonly StoreEvent[]): void {
    if (events.length === 0) return;
    this.published = events[events.length - 1].revision;
    const groups = new Map<string, StoreEvent[]>();
    for (const ev of events) {
      for (const p of slashPrefixes(ev.kv.key)) {
        if (!this.byPrefix.has(p)) continue;
        let g = groups.get(p);
        if (!g) groups.set(p, (g = []));
        g.push(ev);
      }
    }
    for (const [p, evs] of groups) {
      for (const w of this.byPrefix.get(p) ?? []) if (w.live) w.enqueue(evs);
    }
    for (const w of this.odd) {
      if (!w.live) continue;
      const evs = events.filter((ev) => ev.kv.key.startsWith(w.prefix));
      if (evs.length > 0) w.enqueue(evs);
    }
  }

  /** Every watcher, for failing them on compaction or close. */
  all(): HubWatcher[] {
    const out = [...this.odd];
    for (const set of this.byPrefix.values()) out.push(...set);
    return out;
  }

  failAll(err: StoreError): void {
    for (const w of this.all()) w.fail(err);
  }
}
