/**
 * Event TTL (kube-apiserver's --event-ttl, default 1 hour). Upstream's Event registry gives every
 * write an etcd lease of the TTL (pkg/registry/core/event/storage: TTLFunc returns the TTL on create
 * and on update alike), so an Event disappears one TTL after its last write: a PATCH bumping
 * `count` extends its life, an Event nobody touches is deleted by etcd, and watchers see a DELETED.
 * Bosun's stores have no leases, so the API server keeps them itself, as kine does for k3s: it lists
 * then watches the Event keys (core and events.k8s.io Events share them), notes for each key the
 * revision of its last write and when it saw that write, and one TTL later deletes the key only if
 * that revision is still current (a newer write's own deadline stands). Keys found at start get a
 * full TTL from then, as kine's lease sweep after a restart.
 */
import type { Store, StoreEvent, WatchHandle } from '../../store/types.js';

/** Structurally src/controller-runtime's Clock (tests pass its FakeClock). */
export interface TtlClock {
  now(): number;
  setTimer(fn: () => void, ms: number): { cancel(): void; unref?(): void };
}

export const EVENTS_PREFIX = '/registry/core/events/';
export const DEFAULT_EVENT_TTL_MS = 3_600_000;

const nodeClock: TtlClock = {
  now: () => Date.now(),
  setTimer(fn, ms) {
    const t = setTimeout(fn, Math.max(0, ms));
    return { cancel: () => clearTimeout(t), unref: () => void t.unref() };
  },
};

export interface EventTtl {
  /** Resolves once the existing Events are listed and the watch runs. */
  ready: Promise<void>;
  stop(): void;
}

export function startEventTtl(store: Store, opts: { ttlMs?: number; clock?: TtlClock; onError?: (err: unknown) => void } = {}): EventTtl {
  const ttl = opts.ttlMs ?? DEFAULT_EVENT_TTL_MS;
  // 0: no lease, as the etcd3 storage given a TTL of 0.
  if (ttl <= 0) return { ready: Promise.resolve(), stop: () => {} };
  const clock = opts.clock ?? nodeClock;
  // Key -> revision and deadline. The TTL is one constant, so insertion order (a key re-inserted on
  // each write) is deadline order: the first entry is always the next to expire.
  const expiries = new Map<string, { revision: number; at: number }>();
  let timer: ReturnType<TtlClock['setTimer']> | undefined;
  let handle: WatchHandle | undefined;
  let stopped = false;

  const note = (key: string, revision: number): void => {
    expiries.delete(key);
    expiries.set(key, { revision, at: clock.now() + ttl });
  };
  const arm = (): void => {
    timer?.cancel();
    timer = undefined;
    const first = expiries.values().next().value;
    if (stopped || !first) return;
    timer = clock.setTimer(sweep, Math.max(0, first.at - clock.now()));
    timer.unref?.();
  };
  const sweep = (): void => {
    timer = undefined;
    const now = clock.now();
    for (const [key, e] of expiries) {
      if (e.at > now) break;
      expiries.delete(key);
      // Conflict: written since (its watch event has set a new deadline); NotFound: deleted already.
      store.delete(key, e.revision).catch(() => undefined);
    }
    arm();
  };
  const onEvents = (events: StoreEvent[]): void => {
    for (const ev of events) {
      if (ev.type === 'DELETE') expiries.delete(ev.kv.key);
      else note(ev.kv.key, ev.kv.modRevision);
    }
    arm();
  };

  const start = async (): Promise<void> => {
    const listed = await store.list(EVENTS_PREFIX);
    if (stopped) return;
    const seen = new Set<string>();
    for (const kv of listed.items) {
      seen.add(kv.key);
      if (expiries.get(kv.key)?.revision !== kv.modRevision) note(kv.key, kv.modRevision);
    }
    for (const key of expiries.keys()) if (!seen.has(key)) expiries.delete(key);
    arm();
    handle = store.watch(EVENTS_PREFIX, listed.revision, {
      onEvents,
      // Fell behind compaction: list again (keys kept keep their deadlines) and watch from there.
      onError: (err) => {
        opts.onError?.(err);
        if (!stopped) clock.setTimer(() => void start().catch((e: unknown) => opts.onError?.(e)), 1000).unref?.();
      },
    });
  };
  return {
    ready: start(),
    stop: () => {
      stopped = true;
      handle?.cancel();
      timer?.cancel();
    },
  };
}
