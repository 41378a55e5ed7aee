/**
 * How many pods a Job wants running and which to create or delete (upstream manageJob): up to
 * parallelism, never more than the completions still missing; Indexed Jobs create the lowest
 * indexes that are neither done, failed nor running, and shed duplicates of an index first.
 */
import type { Job } from './job-types.js';
import type { Pod } from '../../api/kinds/core/pod.js';
import { indexAbsoluteFailureCount, indexFailureCount, INDEX_IGNORED_FAILURE_COUNT_ANNOTATION, remainingBackoffMs, type BackoffRecord } from './job-counting.js';
import { completionIndex, finishedAt, isActive, isFailed, isReady, isTerminating, onlyReplaceFailedPods, podStatus } from './job-pods.js';
import { matchPodFailurePolicy } from './pod-failure-policy.js';

/** Upstream MaxPodCreateDeletePerSync. */
export const MAX_POD_CREATE_DELETE_PER_SYNC = 500;

export interface PodToCreate {
  /** Indexed Jobs: the completion index. */
  index?: number;
  /** Indexed Jobs with backoffLimitPerIndex: failures of this index so far. */
  indexFailures?: number;
  /** Its failures an Ignore rule matched (annotated only when non-zero, as upstream). */
  indexIgnoredFailures?: number;
  /** When the index last failed (epoch ms): its own back-off runs from there. */
  lastFailureAt?: number;
}

export interface ManagePlan {
  create: PodToCreate[];
  delete: Readonly<Pod>[];
}

/** Deletion order: pending before running, not ready before ready, newest first (a simple controller.ActivePods ranking). */
function rankForDeletion(a: Readonly<Pod>, b: Readonly<Pod>): number {
  const pa = podStatus(a).phase === 'Running' ? 1 : 0;
  const pb = podStatus(b).phase === 'Running' ? 1 : 0;
  if (pa !== pb) return pa - pb;
  const ra = isReady(a) ? 1 : 0;
  const rb = isReady(b) ? 1 : 0;
  if (ra !== rb) return ra - rb;
  return (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? '');
}

export function managePods(job: Readonly<Job>, pods: readonly Readonly<Pod>[], succeeded: number, succeededIndexes: ReadonlySet<number>, failedIndexes: ReadonlySet<number>, burst = MAX_POD_CREATE_DELETE_PER_SYNC): ManagePlan {
  const active = pods.filter(isActive);
  const parallelism = job.spec.parallelism ?? 1;
  const completions = job.spec.completions;
  // podReplacementPolicy Failed: a terminating pod still holds its slot until it has failed.
  const holding = onlyReplaceFailedPods(job) ? pods.filter(isTerminating).length : 0;
  const plan: ManagePlan = { create: [], delete: [] };

  if (job.spec.completionMode === 'Indexed') {
    const n = completions ?? 0;
    const seen = new Set<number>();
    const keep: Readonly<Pod>[] = [];
    for (const p of active) {
      const ix = completionIndex(p, n);
      // Pods with no valid index, an index already done or failed, or a second pod for an index go first.
      if (ix === undefined || succeededIndexes.has(ix) || failedIndexes.has(ix) || seen.has(ix)) plan.delete.push(p);
      else {
        seen.add(ix);
        keep.push(p);
      }
    }
    if (holding > 0) for (const p of pods.filter(isTerminating)) { const ix = completionIndex(p, n); if (ix !== undefined) seen.add(ix); }
    const want = Math.min(parallelism, n - succeededIndexes.size - failedIndexes.size);
    // Terminating pods hold back creations, never cause deletions (rmAtLeast counts active pods only);
    // a sync that deletes creates nothing (manageJob: deletion takes precedence).
    const excess = keep.length - Math.max(want, 0);
    if (excess > 0) plan.delete.push(...keep.sort(rankForDeletion).slice(0, excess));
    let toCreate = plan.delete.length > 0 ? 0 : Math.max(0, want - keep.length - holding);
    const failures = indexFailures(job, pods, n);
    for (let ix = 0; ix < n && toCreate > 0 && plan.create.length < burst; ix++) {
      if (succeededIndexes.has(ix) || failedIndexes.has(ix) || seen.has(ix)) continue;
      plan.create.push(job.spec.backoffLimitPerIndex !== undefined ? { index: ix, ...(failures.get(ix) ?? { indexFailures: 0 }) } : { index: ix });
      toCreate--;
    }
    plan.delete = plan.delete.slice(0, burst);
    return plan;
  }

  let want: number;
  if (completions === undefined) want = succeeded > 0 ? active.length : parallelism;
  else want = Math.max(0, Math.min(parallelism, completions - succeeded));
  const excess = active.length - want;
  if (excess > 0) plan.delete = [...active].sort(rankForDeletion).slice(0, Math.min(excess, burst));
  else for (let i = 0; i < Math.min(want - active.length - holding, burst); i++) plan.create.push({});
  return plan;
}

/**
 * The creations the pod failure back-off lets go now, and how long the rest wait. Without
 * backoffLimitPerIndex one back-off holds every creation (failures since the last success);
 * with it each index backs off on its own failures, counted and ignored, from its last failure,
 * and the indexes that are due go ahead (getPodCreationInfoForIndependentIndexes).
 */
export function creationsDue(job: Readonly<Job>, create: PodToCreate[], backoff: BackoffRecord, now: number, baseMs?: number): { create: PodToCreate[]; waitMs: number } {
  if (create.length === 0) return { create, waitMs: 0 };
  if (job.spec.backoffLimitPerIndex === undefined) {
    const wait = remainingBackoffMs(backoff, now, baseMs);
    return wait > 0 ? { create: [], waitMs: wait } : { create, waitMs: 0 };
  }
  const due: PodToCreate[] = [];
  let waitMs = Infinity;
  for (const c of create) {
    const failures = (c.indexFailures ?? 0) + (c.indexIgnoredFailures ?? 0);
    const wait = c.lastFailureAt === undefined ? 0 : remainingBackoffMs({ failuresAfterLastSuccess: failures, lastFailureTime: c.lastFailureAt }, now, baseMs);
    if (wait === 0) due.push(c);
    else waitMs = Math.min(waitMs, wait);
  }
  return { create: due, waitMs: waitMs === Infinity ? 0 : waitMs };
}

/**
 * Per index, the counts its replacement carries (upstream getNewIndexFailureCounts): from the failed
 * pod with the most failures before it (the latest on a tie, getPodsWithDelayedDeletionPerIndex),
 * plus its own failure — under `ignored` when an Ignore rule matched it, so it never fails the index.
 */
function indexFailures(job: Readonly<Job>, pods: readonly Readonly<Pod>[], n: number): Map<number, Required<Omit<PodToCreate, 'index'>>> {
  const last = new Map<number, Readonly<Pod>>();
  for (const p of pods) {
    if (!isFailed(p, job)) continue;
    const ix = completionIndex(p, n);
    if (ix === undefined) continue;
    const prev = last.get(ix);
    if (!prev || (indexAbsoluteFailureCount(prev) <= indexAbsoluteFailureCount(p) && failedAt(p) >= failedAt(prev))) last.set(ix, p);
  }
  const out = new Map<number, Required<Omit<PodToCreate, 'index'>>>();
  for (const [ix, p] of last) {
    const ignored = matchPodFailurePolicy(job.spec, p)?.action === 'Ignore';
    out.set(ix, {
      indexFailures: indexFailureCount(p) + (ignored ? 0 : 1),
      indexIgnoredFailures: indexFailureCount(p, INDEX_IGNORED_FAILURE_COUNT_ANNOTATION) + (ignored ? 1 : 0),
      lastFailureAt: failedAt(p),
    });
  }
  return out;
}

/** getFinishedTime, whose last resort is the pod's creation. */
const failedAt = (p: Readonly<Pod>): number => finishedAt(p, Date.parse(p.metadata.creationTimestamp ?? '') || 0);
