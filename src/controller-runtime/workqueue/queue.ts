/**
 * The work queue, with client-go's guarantees:
 * - fair: items come out in the order they were first added (FIFO);
 * - stingy: an item already waiting is not added twice;
 * - an item being processed (between `get` and `done`) is never handed out again concurrently; if it
 *   is added meanwhile it is marked dirty and queued again when `done` is called.
 * After `shutDown`, adds are ignored, `get` still hands out what is queued and then resolves
 * `undefined` (the worker's signal to exit).
 */

/**
 * What a queue reports to its metrics (client-go's queueMetrics): an add that was not already
 * waiting, the time an item waited before a worker took it, and the time the worker held it.
 */
export interface QueueMetricsHooks {
  added(): void;
  waited(seconds: number): void;
  worked(seconds: number): void;
}

export class WorkQueue<T> {
  /** Set by the owner (a controller) to report workqueue_* metrics; none: nothing is timed. */
  metrics?: QueueMetricsHooks;
  private readonly addedAt = new Map<T, number>();
  private readonly startedAt = new Map<T, number>();
  private queue: T[] = [];
  private head = 0;
  /** Items that need processing (queued, or re-added while processing). */
  private readonly dirty = new Set<T>();
  private readonly processing = new Set<T>();
  private readonly waiters: ((item: T | undefined) => void)[] = [];
  private shuttingDown = false;

  /** Mark `item` as needing processing. */
  add(item: T): void {
    if (this.shuttingDown || this.dirty.has(item)) return;
    if (this.metrics) {
      this.metrics.added();
      if (!this.addedAt.has(item)) this.addedAt.set(item, performance.now());
    }
    this.dirty.add(item);
    if (this.processing.has(item)) return;
    this.push(item);
  }

  /** Items waiting to be handed out. */
  len(): number {
    return this.queue.length - this.head;
  }

  /** Items handed out and not yet `done`. */
  processingCount(): number {
    return this.processing.size;
  }

  /** The next item, waiting if none; `undefined` once shut down and empty. */
  get(): Promise<T | undefined> {
    if (this.len() > 0) return Promise.resolve(this.take());
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** The item is no longer being processed; if it was re-added meanwhile it is queued again. */
  done(item: T): void {
    if (!this.processing.delete(item)) return;
    const started = this.startedAt.get(item);
    if (started !== undefined) {
      this.startedAt.delete(item);
      this.metrics?.worked((performance.now() - started) / 1000);
    }
    if (this.dirty.has(item)) this.push(item);
  }

  /** Stop accepting items and release every waiting `get` with `undefined`. */
  shutDown(): void {
    this.shuttingDown = true;
    for (const w of this.waiters.splice(0)) w(undefined);
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  private push(item: T): void {
    const waiter = this.waiters.shift();
    if (waiter) {
      // Hand over directly: the item passes through the queue's position instantly.
      this.dirty.delete(item);
      this.processing.add(item);
      this.handedOut(item);
      waiter(item);
      return;
    }
    this.queue.push(item);
  }

  private take(): T {
    const item = this.queue[this.head++];
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    this.dirty.delete(item);
    this.processing.add(item);
    this.handedOut(item);
    return item;
  }

  private handedOut(item: T): void {
    if (!this.metrics) return;
    const now = performance.now();
    const added = this.addedAt.get(item);
    if (added !== undefined) {
      this.addedAt.delete(item);
      this.metrics.waited((now - added) / 1000);
    }
    this.startedAt.set(item, now);
  }
}
