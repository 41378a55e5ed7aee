/**
 * How many pods a Job wants running and which to create or delete (upstream manageJob): up to
 * parallelism, never more than the completions still missing; Indexed Jobs create the lowest
 * indexes that are neither done, failed nor running, and shed duplicates of an index first.
 */
import type { Job } from './job-types.js';
import type { Pod } from '../../api/kinds/core/pod.js';
import { indexFailureCount } from './job-counting.js';
import { completionIndex, isActive, isFailed, isReady, isTerminating, onlyReplaceFailedPods, podStatus } from './job-pods.js';

/** Upstream MaxPodCreateDeletePerSync. */
export const MAX_POD_CREATE_DELETE_PER_SYNC = 500;

export interface PodToCreate {
  /** Indexed Jobs: the completion index. */
  index?: number;
  /** Indexed Jobs with backoffLimitPerIndex: failures of this index so far. */
  indexFailures?: number;
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
    const excess = keep.length + holding - Math.max(want, 0);
    if (excess > 0) plan.delete.push(...keep.sort(rankForDeletion).slice(0, Math.min(excess, keep.length)));
    let toCreate = Math.max(0, want - keep.length - holding);
    const failures = indexFailures(job, pods, n);
    for (let ix = 0; ix < n && toCreate > 0 && plan.create.length < burst; ix++) {
      if (succeededIndexes.has(ix) || failedIndexes.has(ix) || seen.has(ix)) continue;
      plan.create.push(job.spec.backoffLimitPerIndex !== undefined ? { index: ix, indexFailures: failures.get(ix) ?? 0 } : { index: ix });
      toCreate--;
    }
    plan.delete = plan.delete.slice(0, burst);
    return plan;
  }

  let want: number;
  if (completions === undefined) want = succeeded > 0 ? active.length : parallelism;
  else want = Math.max(0, Math.min(parallelism, completions - succeeded));
  const diff = active.length + holding - want;
  if (diff > 0) plan.delete = [...active].sort(rankForDeletion).slice(0, Math.min(diff, active.length, burst));
  else for (let i = 0; i < Math.min(-diff, burst); i++) plan.create.push({});
  return plan;
}

/** Failures so far per index: the newest count carried by a failed pod of that index, plus that failure. */
function indexFailures(job: Readonly<Job>, pods: readonly Readonly<Pod>[], n: number): Map<number, number> {
  const out = new Map<number, number>();
  for (const p of pods) {
    if (!isFailed(p, job)) continue;
    const ix = completionIndex(p, n);
    if (ix === undefined) continue;
    out.set(ix, Math.max(out.get(ix) ?? 0, indexFailureCount(p) + 1));
  }
  return out;
}
