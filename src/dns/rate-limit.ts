/**
 * Per-client query rate limit: a token bucket per source address (`perSecond` tokens a second, at
 * most `burst` saved). A query without a token is answered REFUSED, as the coredns/ratelimit plugin
 * does. Buckets of clients that have been quiet long enough to be full again are dropped, so the
 * table stays as small as the set of currently busy clients (bounded by `maxClients`).
 */

export interface RateLimitOptions {
  /** Sustained queries per second per client (default 100). */
  perSecond?: number;
  /** Queries a client may send at once (default 2 x perSecond). */
  burst?: number;
  /** Clock in ms (tests drive it; default Date.now). */
  now?: () => number;
  /** Most clients tracked at once (default 65536); past it the oldest-refilled are forgotten. */
  maxClients?: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class ClientRateLimiter {
  private readonly perSecond: number;
  private readonly burst: number;
  private readonly now: () => number;
  private readonly maxClients: number;
  private readonly buckets = new Map<string, Bucket>();

  constructor(o: RateLimitOptions = {}) {
    this.perSecond = o.perSecond ?? 100;
    this.burst = o.burst ?? this.perSecond * 2;
    this.now = o.now ?? Date.now;
    this.maxClients = o.maxClients ?? 65_536;
  }

  /** Takes one token for `client`; false when it has none left. */
  take(client: string): boolean {
    const now = this.now();
    let b = this.buckets.get(client);
    if (b) {
      b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.perSecond);
      b.at = now;
      // Map order is insertion order: re-inserting keeps the least recently seen first.
      this.buckets.delete(client);
    } else {
      b = { tokens: this.burst, at: now };
      if (this.buckets.size >= this.maxClients) this.evict(now);
    }
    this.buckets.set(client, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  get size(): number {
    return this.buckets.size;
  }

  /** Drops buckets that have refilled completely (they are as good as new), else the oldest one. */
  private evict(now: number): void {
    const fullAfterMs = (this.burst / this.perSecond) * 1000;
    for (const [k, b] of this.buckets) {
      if (now - b.at < fullAfterMs) break;
      this.buckets.delete(k);
    }
    if (this.buckets.size >= this.maxClients) {
      const oldest = this.buckets.keys().next();
      if (!oldest.done) this.buckets.delete(oldest.value);
    }
  }
}
