/**
 * A cap on concurrent API calls from the whole fleet: thousands of simulated nodes share one client
 * and must not open thousands of requests at once.
 */
export class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly max: number) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) await new Promise<void>((r) => this.waiting.push(r));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.waiting.shift()?.();
      if (this.active === 0 && this.waiting.length === 0) for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  /** Resolves when no call is running or queued. */
  idle(): Promise<void> {
    if (this.active === 0 && this.waiting.length === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  /** Calls running or queued. */
  get pending(): number {
    return this.active + this.waiting.length;
  }
}
