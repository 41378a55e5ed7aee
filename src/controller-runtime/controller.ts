/**
 * A controller: a rate-limited work queue of object keys and N workers running one reconciler.
 * The queue guarantees a key is never reconciled twice at once; failures retry with per-key
 * exponential backoff; `requeueAfter` schedules a timer; success forgets the key's backoff.
 */
import { realClock, type Clock } from './clock/clock.js';
import { keyString, parseKey, type ObjectKey } from './informer/keys.js';
import { defaultLogger, type Logger } from './log.js';
import { queueMetrics, reconcileErrors, reconcileTime, reconcileTotal, trackController, workqueueRetries } from './metrics.js';
import { TerminalError, type Reconciler } from './reconcile.js';
import type { RateLimiter } from './workqueue/rate-limiters.js';
import { RateLimitingQueue } from './workqueue/rate-limiting-queue.js';

export interface ControllerOptions {
  /** Concurrent reconciles (different keys). Default 1, as controller-runtime. */
  workers?: number;
  rateLimiter?: RateLimiter<string>;
  clock?: Clock;
  logger?: Logger;
}

export class Controller {
  readonly queue: RateLimitingQueue<string>;
  /** Reconciles finished (successful or not), for tests and metrics. */
  reconciles = 0;
  errors = 0;
  private readonly abort = new AbortController();
  private workers: Promise<void>[] = [];
  private readonly log: Logger;
  private untrack: (() => void) | undefined;

  constructor(readonly name: string, private readonly reconcile: Reconciler, private readonly opts: ControllerOptions = {}) {
    this.queue = new RateLimitingQueue<string>({ rateLimiter: opts.rateLimiter, clock: opts.clock ?? realClock });
    this.queue.metrics = queueMetrics(name);
    this.log = (opts.logger ?? defaultLogger()).child({ controller: name });
  }

  /** Ask for a reconcile of `key` (an ObjectKey or `ns/name` string). */
  enqueue(key: ObjectKey | string): void {
    this.queue.add(typeof key === 'string' ? key : keyString(key));
  }

  /** Ask for a reconcile after `ms`. */
  enqueueAfter(key: ObjectKey | string, ms: number): void {
    this.queue.addAfter(typeof key === 'string' ? key : keyString(key), ms);
  }

  get started(): boolean {
    return this.workers.length > 0;
  }

  /** Start the workers (idempotent). Keys enqueued before start wait in the queue. */
  start(): void {
    if (this.workers.length > 0 || this.abort.signal.aborted) return;
    this.untrack = trackController(this.name, () => ({ depth: this.queue.len(), active: this.queue.processingCount() }));
    const n = Math.max(1, this.opts.workers ?? 1);
    for (let i = 0; i < n; i++) this.workers.push(this.work());
  }

  /** Stop taking keys, abort running reconciles' signal, and wait for the workers to return. */
  async stop(): Promise<void> {
    this.abort.abort();
    this.queue.shutDown();
    await Promise.all(this.workers);
    this.untrack?.();
  }

  private async work(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      if (this.abort.signal.aborted) {
        this.queue.done(key);
        continue;
      }
      try {
        await this.processOne(key);
      } finally {
        this.queue.done(key);
      }
    }
  }

  private async processOne(key: string): Promise<void> {
    const endTimer = reconcileTime.startTimer({ controller: this.name });
    try {
      const res = await this.reconcile(parseKey(key), this.abort.signal);
      endTimer();
      this.reconciles++;
      if (res?.requeueAfter && res.requeueAfter > 0) {
        reconcileTotal.inc({ controller: this.name, result: 'requeue_after' });
        this.queue.forget(key);
        this.queue.addAfter(key, res.requeueAfter);
      } else if (res?.requeue) {
        reconcileTotal.inc({ controller: this.name, result: 'requeue' });
        workqueueRetries.inc({ name: this.name });
        this.queue.addRateLimited(key);
      } else {
        reconcileTotal.inc({ controller: this.name, result: 'success' });
        this.queue.forget(key);
      }
    } catch (err) {
      endTimer();
      this.reconciles++;
      this.errors++;
      reconcileTotal.inc({ controller: this.name, result: 'error' });
      reconcileErrors.inc({ controller: this.name });
      if (this.abort.signal.aborted) return;
      if (err instanceof TerminalError) {
        this.queue.forget(key);
        this.log.error({ key, err: err.message }, 'reconcile failed terminally');
        return;
      }
      this.log.warn({ key, err: err instanceof Error ? err.message : String(err), requeues: this.queue.numRequeues(key) }, 'reconcile failed; requeueing');
      workqueueRetries.inc({ name: this.name });
      this.queue.addRateLimited(key);
    }
  }
}
