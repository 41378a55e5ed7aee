/**
 * Periodic compaction, so history does not grow without bound under churn (kine's known pain when
 * nothing compacts). Every `compactInterval` ms the store is compacted to
 * currentRevision - retainRevisions, keeping that many revisions of history for watches and lists
 * that resume from a recent revision.
 */
import type { Store } from './types.js';

export interface AutoCompactOptions {
  /** Milliseconds between compactions; 0 or undefined: never compact automatically. */
  compactInterval?: number;
  /** Revisions of history to keep below the current one (default 1000). */
  retainRevisions?: number;
}

/** Start the timer; returns a stop function. The timer never keeps the process alive. */
export function startAutoCompaction(store: Store, opts: AutoCompactOptions): () => void {
  const interval = opts.compactInterval ?? 0;
  if (interval <= 0) return () => {};
  const retain = Math.max(0, opts.retainRevisions ?? 1000);
  let running = false;
  const timer = setInterval(() => {
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
  }, interval);
  timer.unref();
  return () => clearInterval(timer);
}
