/**
 * The back-off between deleting Failed daemon pods on one node (upstream failedPodsBackoff:
 * flowcontrol.NewBackOff(1s, 15m)), so a node that keeps rejecting the pod is not hot-looped.
 * The delay doubles at each deletion and starts over once the entry is older than twice the max.
 */
export class FailedPodBackoff {
  private readonly entries = new Map<string, { delay: number; last: number }>();
  private lastGc = 0;

  constructor(private readonly clock: { now(): number }, private readonly initialMs = 1000, private readonly maxMs = 15 * 60_000) {}

  /** 0: delete the failed pod now (and the back-off grows); else ms to wait before looking again. */
  delay(key: string): number {
    const now = this.clock.now();
    if (now - this.lastGc > this.maxMs) this.gc();
    const e = this.entries.get(key);
    if (e && now - e.last < e.delay) return e.delay - (now - e.last);
    if (!e || now - e.last > 2 * this.maxMs) this.entries.set(key, { delay: this.initialMs, last: now });
    else this.entries.set(key, { delay: Math.min(e.delay * 2, this.maxMs), last: now });
    return 0;
  }

  /** Drop entries no longer useful (older than twice the max), as upstream's periodic GC; `delay` runs it every max period. */
  gc(): void {
    const now = this.clock.now();
    this.lastGc = now;
    for (const [k, e] of this.entries) if (now - e.last > 2 * this.maxMs) this.entries.delete(k);
  }
}
