/**
 * Per-key exponential back-off as kubelet's flowcontrol.Backoff: the first retry is immediate, then
 * 10 s, 20 s, ... up to 5 min; an entry untouched for twice the maximum (10 min, e.g. a container
 * that ran that long) starts over. Used for CrashLoopBackOff (key pod uid + container name) and
 * ImagePullBackOff (key pod uid + image).
 */
export class Backoff {
  private readonly entries = new Map<string, { delayMs: number; lastUpdateMs: number }>();

  constructor(
    readonly initialMs = 10_000,
    readonly maxMs = 300_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The current delay of `key` (0 when it has none). */
  delay(key: string): number {
    return this.entries.get(key)?.delayMs ?? 0;
  }

  /** True while `eventMs` (e.g. the container's finish time) is less than the current delay ago. */
  inBackoffSince(key: string, eventMs: number): boolean {
    const e = this.entries.get(key);
    if (!e || this.expired(e)) return false;
    return this.now() - eventMs < e.delayMs;
  }

  /** True while the last `next()` of `key` is less than the current delay ago. */
  inBackoffSinceUpdate(key: string): boolean {
    const e = this.entries.get(key);
    if (!e || this.expired(e)) return false;
    return this.now() - e.lastUpdateMs < e.delayMs;
  }

  /** Milliseconds until `inBackoffSince(key, eventMs)` turns false. */
  remaining(key: string, eventMs: number): number {
    const e = this.entries.get(key);
    return e ? Math.max(0, eventMs + e.delayMs - this.now()) : 0;
  }

  /** Milliseconds until `inBackoffSinceUpdate(key)` turns false. */
  remainingSinceUpdate(key: string): number {
    const e = this.entries.get(key);
    return e ? Math.max(0, e.lastUpdateMs + e.delayMs - this.now()) : 0;
  }

  /** Records a retry: the delay doubles (or starts at the initial delay). */
  next(key: string): void {
    const e = this.entries.get(key);
    const now = this.now();
    if (!e || this.expired(e)) this.entries.set(key, { delayMs: this.initialMs, lastUpdateMs: now });
    else {
      e.delayMs = Math.min(e.delayMs * 2, this.maxMs);
      e.lastUpdateMs = now;
    }
  }

  reset(key: string): void {
    this.entries.delete(key);
  }

  /** Drops every key starting with `prefix` (a pod's keys when it goes away). */
  resetPrefix(prefix: string): void {
    for (const k of this.entries.keys()) if (k.startsWith(prefix)) this.entries.delete(k);
  }

  private expired(e: { lastUpdateMs: number }): boolean {
    return this.now() - e.lastUpdateMs > 2 * this.maxMs;
  }
}
