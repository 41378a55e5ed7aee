/**
 * How long a failed item waits before its next try. `when(item)` both answers and records the
 * attempt; `forget(item)` clears an item's history once it succeeded.
 */
import { realClock, type Clock } from '../clock/clock.js';

export interface RateLimiter<T> {
  /** Delay (ms) before `item` may be retried; counts as one more requeue of it. */
  when(item: T): number;
  /** Drop the item's failure history. */
  forget(item: T): void;
  /** How many times the item has been requeued since it was last forgotten. */
  numRequeues(item: T): number;
}

/** Per item: base * 2^failures, capped at max (client-go: 5 ms to 1000 s). */
export class ItemExponentialFailureRateLimiter<T> implements RateLimiter<T> {
  private readonly failures = new Map<T, number>();

  constructor(readonly baseMs = 5, readonly maxMs = 1_000_000) {}

  when(item: T): number {
    const n = this.failures.get(item) ?? 0;
    this.failures.set(item, n + 1);
    // 2^n overflows to Infinity for large n, which the cap handles.
    return Math.min(this.baseMs * 2 ** n, this.maxMs);
  }
  forget(item: T): void {
    this.failures.delete(item);
  }
  numRequeues(item: T): number {
    return this.failures.get(item) ?? 0;
  }
}

/**
 * One token bucket for all items together: `burst` tokens, refilled at `qps` per second. Each `when`
 * reserves a token, possibly in the future, so the returned delays space retries at 1/qps once the
 * burst is spent (like golang.org/x/time/rate's Reserve).
 */
export class BucketRateLimiter<T> implements RateLimiter<T> {
  private tokens: number;
  private last: number;

  constructor(readonly qps: number, readonly burst: number, private readonly clock: Clock = realClock) {
    if (!(qps > 0) || !(burst >= 1)) throw new Error('BucketRateLimiter needs qps > 0 and burst >= 1');
    this.tokens = burst;
    this.last = clock.now();
  }

  when(_item: T): number {
    this.refill();
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.qps) * 1000);
  }
  /** Take a token only if one is available now (drop semantics, no debt). */
  tryTake(): boolean {
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
  forget(_item: T): void {}
  numRequeues(_item: T): number {
    return 0;
  }

  private refill(): void {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.qps);
    this.last = now;
  }
}

/** The longest delay any of the limiters asks for; requeues counted as the maximum among them. */
export class MaxOfRateLimiter<T> implements RateLimiter<T> {
  private readonly limiters: RateLimiter<T>[];

  constructor(...limiters: RateLimiter<T>[]) {
    this.limiters = limiters;
  }
  when(item: T): number {
    let max = 0;
    for (const l of this.limiters) max = Math.max(max, l.when(item));
    return max;
  }
  forget(item: T): void {
    for (const l of this.limiters) l.forget(item);
  }
  numRequeues(item: T): number {
    let max = 0;
    for (const l of this.limiters) max = Math.max(max, l.numRequeues(item));
    return max;
  }
}

export interface DefaultRateLimiterOptions {
  baseMs?: number;
  maxMs?: number;
  /**
   * Overall retry rate. client-go uses 10/s with a burst of 100, sized for a shared production API
   * server. Bosun's scale tests create thousands of objects at once, and a wave of conflicts from a
   * stale cache makes every key retry once: at 10/s the thousandth retry would wait 90 s. 200/s with
   * a burst of 2000 lets such a wave through at once while still capping a sustained retry storm.
   */
  qps?: number;
  burst?: number;
  clock?: Clock;
}

/** max(per-item exponential 5 ms..1000 s, overall bucket) — client-go's default shape, Bosun's numbers. */
export function defaultControllerRateLimiter<T>(o: DefaultRateLimiterOptions = {}): RateLimiter<T> {
  return new MaxOfRateLimiter<T>(
    new ItemExponentialFailureRateLimiter<T>(o.baseMs ?? 5, o.maxMs ?? 1_000_000),
    new BucketRateLimiter<T>(o.qps ?? 200, o.burst ?? 2000, o.clock ?? realClock),
  );
}
