/**
 * Periodic compaction, so history does not grow without bound under churn (kine's known pain when
 * nothing compacts). Every `compactInterval` ms the store is compacted to
 * currentRevision - retainRevisions, keeping that many revisions of history for watches and lists
 * that resume from a recent revision.
 */
import type { Store } from './types.js';

/**
 * Time for the interval: src/controller-runtime's `Clock` fits (tests pass its FakeClock); stated
 * here structurally, as the store imports nothing but src/api.
 */
export interface CompactionClock {
  setTimer(fn: () => void, ms: number): { cancel(): void; unref?(): void };
}

export interface AutoCompactOptions {
  /** Milliseconds between compactions; 0 or undefined: never compact automatically. */
  compactInterval?: number;
  /** Revisions of history to keep below the current one (default 1000). */
  retainRevisions?: number;
  /** Default: Node's timers. */
  clock?: CompactionClock;
}

const nodeTimers: CompactionClock = {
  setTimer(fn, ms) {
    const t = setTimeout(fn, ms);
    return { cancel: () => clearTimeout(t), unref: () => void t.unref() };
  },
};

/** Start the timer (a tick every `compactInterval`, as setInterval); returns a stop function. The timer never keeps the process alive. */
export function startAutoCompaction(store: Store, opts: AutoCompactOptions): () => void {
  const interval = opts.compactInterval ?? 0;
  if (interval <= 0) return () => {};
  const retain = Math.max(0, opts.retainRevisions ?? 1000);
  const clock = opts.clock ?? nodeTimers;
  let running = false;
  let stopped = false;
  let timer: ReturnType<CompactionClock['setTimer']>;
  const schedule = () => {
    timer = clock.setTimer(tick, interval);
    timer.unref?.();
  };
  const tick = () => {
    if (stopped) return;
    schedule();
    const target = store.currentRevision() - retain;
    if (running || target <= store.compactedRevision()) return;
    running = true;
    store
      .compact(target)
      .catch(() => {
        // Closed or a transient error: the next tick tries again.
      })
      .finally(() => {
        running = false;
      });
  };
  schedule();
  return () => {
    stopped = true;
    timer.cancel();
  };
}
