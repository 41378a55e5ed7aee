/**
 * Finalizer-based tracking of terminated pods (upstream trackJobStatusAndRemoveFinalizers): a
 * finished pod that still has the tracking finalizer is recorded in the Job's status first (its uid
 * in status.uncountedTerminatedPods, or for Indexed Jobs its index in completedIndexes), and only
 * then loses its finalizer; the uid moves into the succeeded/failed counters in a later status write
 * (flushUncounted). Each step is idempotent, so a restart between any two of them neither loses nor
 * double-counts a completion. Also keeps the failure back-off record and per-index failures.
 */
import type { Job, JobStatus } from './job-types.js';
import type { Pod } from '../../api/kinds/core/pod.js';
import { completionIndex, finishedAt, hasTrackingFinalizer, isFailed, isSucceeded } from './job-pods.js';
import { matchPodFailurePolicy } from './pod-failure-policy.js';

/** Upstream MaxUncountedPods: keeps status.uncountedTerminatedPods near 20 KB. */
export const MAX_UNCOUNTED_PODS = 500;
/** Per-index failures so far, on the pods of an index (backoffLimitPerIndex). */
export const INDEX_FAILURE_COUNT_ANNOTATION = 'batch.kubernetes.io/job-index-failure-count';
/** Per-index failures a podFailurePolicy Ignore rule matched: they back off but never fail the index. */
export const INDEX_IGNORED_FAILURE_COUNT_ANNOTATION = 'batch.kubernetes.io/job-index-ignored-failure-count';

export interface BackoffRecord {
  failuresAfterLastSuccess: number;
  lastFailureTime?: number;
}

export interface Uncounted { succeeded: string[]; failed: string[] }

export interface CountResult {
  uncounted: Uncounted;
  succeededIndexes: Set<number>;
  failedIndexes: Set<number>;
  finalizersToRemove: Readonly<Pod>[];
  backoff: BackoffRecord;
  /** More terminated pods are waiting than one status write may carry: sync again soon. */
  capped: boolean;
}

export function countTerminatedPods(
  job: Readonly<Job>, pods: readonly Readonly<Pod>[], succeededIndexes: Set<number>, failedIndexes: Set<number>,
  pending: ReadonlySet<string>, backoff: BackoffRecord, now: number, maxUncounted = MAX_UNCOUNTED_PODS,
): CountResult {
  const prev = job.status?.uncountedTerminatedPods ?? {};
  const uncounted: Uncounted = { succeeded: [...(prev.succeeded ?? [])], failed: [...(prev.failed ?? [])] };
  const known = new Set([...uncounted.succeeded, ...uncounted.failed]);
  const indexed = job.spec.completionMode === 'Indexed';
  const completions = job.spec.completions ?? 0;
  const out: CountResult = { uncounted, succeededIndexes, failedIndexes, finalizersToRemove: [], backoff: { ...backoff }, capped: false };
  const newlyFinished: { at: number; ok: boolean }[] = [];
  let added = 0;
  for (const pod of pods) {
    const uid = pod.metadata.uid!;
    if (!hasTrackingFinalizer(pod) || pending.has(uid)) continue;
    const ok = isSucceeded(pod);
    if (!ok && !isFailed(pod, job)) continue;
    if (known.has(uid)) {
      out.finalizersToRemove.push(pod);
      continue;
    }
    if (added >= maxUncounted) {
      out.capped = true;
      continue;
    }
    added++;
    out.finalizersToRemove.push(pod);
    newlyFinished.push({ at: finishedAt(pod, now), ok });
    const ix = indexed ? completionIndex(pod, completions) : undefined;
    if (ok) {
      // The completion index alone keeps an Indexed Job from counting a success twice.
      if (indexed) {
        if (ix !== undefined && !failedIndexes.has(ix)) succeededIndexes.add(ix);
      } else {
        uncounted.succeeded.push(uid);
      }
      continue;
    }
    const match = matchPodFailurePolicy(job.spec, pod);
    if (match?.action === 'Ignore') continue;
    uncounted.failed.push(uid);
    if (ix !== undefined && job.spec.backoffLimitPerIndex !== undefined) {
      const failures = indexFailureCount(pod) + 1;
      if (match?.action === 'FailIndex' || failures > job.spec.backoffLimitPerIndex) failedIndexes.add(ix);
    }
  }
  // newBackoffRecord: a success newer than the last failure resets the count.
  for (const f of newlyFinished.sort((a, b) => a.at - b.at)) {
    if (f.ok) out.backoff = { failuresAfterLastSuccess: 0 };
    else out.backoff = { failuresAfterLastSuccess: out.backoff.failuresAfterLastSuccess + 1, lastFailureTime: Math.max(f.at, out.backoff.lastFailureTime ?? 0) };
  }
  return out;
}

/**
 * A finishing Job (upstream canRemoveFinalizer once a finished condition is decided): every pod that
 * still holds the finalizer is released, and under FailureTarget each one that has not succeeded
 * counts as failed now (unless an Ignore rule matches it), so the counters are final before the
 * Job's pods are gone ("when the job is considered finished, every non-terminated pod is considered failed").
 */
export function releaseForFinish(job: Readonly<Job>, pods: readonly Readonly<Pod>[], out: CountResult, pending: ReadonlySet<string>, failing: boolean): void {
  const taken = new Set(out.finalizersToRemove.map((p) => p.metadata.uid));
  const known = new Set([...out.uncounted.succeeded, ...out.uncounted.failed]);
  const indexed = job.spec.completionMode === 'Indexed';
  for (const p of pods) {
    const uid = p.metadata.uid!;
    if (!hasTrackingFinalizer(p) || pending.has(uid) || taken.has(uid)) continue;
    out.finalizersToRemove.push(p);
    if (!failing || isSucceeded(p) || known.has(uid)) continue;
    if (indexed && completionIndex(p, job.spec.completions ?? 0) === undefined) continue;
    if (matchPodFailurePolicy(job.spec, p)?.action === 'Ignore') continue;
    out.uncounted.failed.push(uid);
  }
}

export function indexFailureCount(pod: Readonly<Pod>, annotation = INDEX_FAILURE_COUNT_ANNOTATION): number {
  const v = Number(pod.metadata.annotations?.[annotation] ?? '0');
  return Number.isInteger(v) && v >= 0 ? v : 0;
}

/** Counted plus ignored failures of the pod's index before it (upstream getIndexAbsoluteFailureCount). */
export const indexAbsoluteFailureCount = (pod: Readonly<Pod>): number =>
  indexFailureCount(pod) + indexFailureCount(pod, INDEX_IGNORED_FAILURE_COUNT_ANNOTATION);

/**
 * The second write: uids whose pods no longer hold the finalizer (`done`) leave
 * uncountedTerminatedPods and are added to status.succeeded / status.failed.
 */
export function flushUncounted(status: JobStatus, done: ReadonlySet<string>): JobStatus {
  const u = status.uncountedTerminatedPods ?? {};
  const succ = (u.succeeded ?? []).filter((x) => done.has(x));
  const fail = (u.failed ?? []).filter((x) => done.has(x));
  const next: JobStatus = { ...status, uncountedTerminatedPods: {} };
  const restS = (u.succeeded ?? []).filter((x) => !done.has(x));
  const restF = (u.failed ?? []).filter((x) => !done.has(x));
  if (restS.length) next.uncountedTerminatedPods!.succeeded = restS;
  if (restF.length) next.uncountedTerminatedPods!.failed = restF;
  if (succ.length) next.succeeded = (status.succeeded ?? 0) + succ.length;
  if (fail.length) next.failed = (status.failed ?? 0) + fail.length;
  return next;
}

/** Exponential pod failure back-off: 10 s doubling per failure since the last success, at most 10 min. */
export const DEFAULT_POD_FAILURE_BACKOFF_MS = 10_000;
export const MAX_POD_FAILURE_BACKOFF_MS = 10 * 60_000;

/** Milliseconds to wait before creating pods again; 0 when creations may go ahead. */
export function remainingBackoffMs(b: BackoffRecord, now: number, base = DEFAULT_POD_FAILURE_BACKOFF_MS, max = MAX_POD_FAILURE_BACKOFF_MS): number {
  if (b.failuresAfterLastSuccess === 0 || b.lastFailureTime === undefined) return 0;
  const delay = Math.min(base * 2 ** (b.failuresAfterLastSuccess - 1), max);
  return Math.max(0, b.lastFailureTime + delay - now);
}
