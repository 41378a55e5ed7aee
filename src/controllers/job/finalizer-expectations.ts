/**
 * Pods whose tracking-finalizer removal was sent but not yet seen by the pod cache (upstream
 * uidTrackingExpectations). Until the cache shows the pod without the finalizer (or gone), a sync
 * must not count it again: its uid may already have left uncountedTerminatedPods for the counters.
 */
export class FinalizerExpectations {
  private readonly pending = new Map<string, Set<string>>();

  expect(jobKey: string, uid: string): void {
    let s = this.pending.get(jobKey);
    if (!s) this.pending.set(jobKey, (s = new Set()));
    s.add(uid);
  }

  /** The cache shows `uid` without the finalizer, or the removal failed. */
  observed(jobKey: string, uid: string): void {
    const s = this.pending.get(jobKey);
    if (!s) return;
    s.delete(uid);
    if (s.size === 0) this.pending.delete(jobKey);
  }

  of(jobKey: string): ReadonlySet<string> {
    return this.pending.get(jobKey) ?? new Set();
  }

  delete(jobKey: string): void {
    this.pending.delete(jobKey);
  }
}
