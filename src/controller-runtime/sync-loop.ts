/**
 * A debounced, single-flight sync: `trigger()` asks for a sync within `debounceMs`; triggers during
 * a running sync cause exactly one more afterwards. Failures retry with backoff (capped), so a
 * transient `nft` error heals without another API event.
 */
import { realClock, type Clock, type Timer } from './clock/clock.js';

export interface SyncLoopOptions {
  debounceMs: number;
  /** Backoff after a failed sync: starts here, doubles, capped at 10 s. */
  retryMs?: number;
  onError?: (err: unknown) => void;
  /** Time for the debounce and the backoff; tests pass a FakeClock. */
  clock?: Clock;
}

/** The longest wait between retries of a failing sync. */
export const MAX_RETRY_MS = 10_000;

export class SyncLoop {
  private timer: Timer | undefined;
  private running: Promise<void> | undefined;
  private pending = false;
  private stopped = false;
  private failures = 0;

  constructor(private readonly sync: () => Promise<void>, private readonly opts: SyncLoopOptions) {}

  trigger(delayMs = this.opts.debounceMs): void {
    if (this.stopped) return;
    if (this.running) {
      this.pending = true;
      return;
    }
    if (this.timer) return;
    this.timer = (this.opts.clock ?? realClock).setTimer(() => {
      this.timer = undefined;
      void this.run();
    }, delayMs);
  }

  /** Run a sync now (after any running one) and resolve when it finished. */
  async now(): Promise<void> {
    this.timer?.cancel();
    this.timer = undefined;
    while (this.running) await this.running;
    await this.run();
  }

  private run(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.pending = false;
    this.running = (async () => {
      try {
        await this.sync();
        this.failures = 0;
      } catch (err) {
        this.failures++;
        this.opts.onError?.(err);
        this.pending = true;
      }
    })().finally(() => {
      this.running = undefined;
      if (this.pending) {
        const retry = this.failures > 0 ? Math.min(MAX_RETRY_MS, (this.opts.retryMs ?? 200) * 2 ** (this.failures - 1)) : this.opts.debounceMs;
        this.trigger(retry);
      }
    });
    return this.running;
  }

  /** No more syncs; waits for a running one. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = undefined;
    await this.running;
  }
}
