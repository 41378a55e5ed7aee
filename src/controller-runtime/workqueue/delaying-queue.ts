/**
 * A work queue whose items can be added after a delay. Waiting items are held aside until due; an
 * item re-added with a later time keeps its earlier one (as client-go does), so a burst of retries
 * never postpones work already scheduled.
 */
import { realClock, type Clock, type Timer } from '../clock/clock.js';
import { WorkQueue } from './queue.js';

export class DelayingQueue<T> extends WorkQueue<T> {
  private readonly waiting = new Map<T, { at: number; timer: Timer }>();

  constructor(protected readonly clock: Clock = realClock) {
    super();
  }

  /** Add `item` once `delayMs` has passed (immediately when <= 0). */
  addAfter(item: T, delayMs: number): void {
    if (this.isShuttingDown) return;
    if (delayMs <= 0) {
      this.add(item);
      return;
    }
    const at = this.clock.now() + delayMs;
    const existing = this.waiting.get(item);
    if (existing) {
      if (existing.at <= at) return;
      existing.timer.cancel();
    }
    const timer = this.clock.setTimer(() => {
      this.waiting.delete(item);
      this.add(item);
    }, delayMs);
    this.waiting.set(item, { at, timer });
  }

  /** Items waiting for their delay to pass. */
  waitingCount(): number {
    return this.waiting.size;
  }

  /** Shut down and cancel every pending delay (no timers outlive the queue). */
  override shutDown(): void {
    for (const w of this.waiting.values()) w.timer.cancel();
    this.waiting.clear();
    super.shutDown();
  }
}
