/**
 * RollingUpdate (upstream rolling.go): grow the new ReplicaSet while total pods stay within
 * spec.replicas + maxSurge; shrink old ones while available pods stay at or above
 * spec.replicas - maxUnavailable, first removing old pods that are not available anyway.
 * One direction per sync: a scale-up or scale-down ends the sync with a status update, and the
 * resulting pod and ReplicaSet events bring the next step.
 */
import type { ReplicaSet } from '../../controller-runtime/workload/types.js';
import { availableReplicaCount, deploymentComplete, specReplicaCount } from './conditions.js';
import { maxUnavailable } from './fenceposts.js';
import { syncRolloutStatus } from './progress.js';
import { cleanupDeployment, getAllReplicaSetsAndSyncRevision, newRSNewReplicas } from './replica-sets.js';
import { activeReplicaSets, byCreation, type SyncContext } from './sync-context.js';
import { desiredReplicas } from './types.js';

export function rolloutRolling(ctx: SyncContext, rsList: ReplicaSet[]): void {
  const { newRS, oldRSs } = getAllReplicaSetsAndSyncRevision(ctx, rsList, true);
  const allRSs = [...oldRSs, newRS];
  if (newRS && reconcileNewReplicaSet(ctx, allRSs, newRS)) return syncRolloutStatus(ctx, allRSs, newRS);
  if (newRS && reconcileOldReplicaSets(ctx, allRSs, activeReplicaSets(oldRSs), newRS)) return syncRolloutStatus(ctx, allRSs, newRS);
  if (deploymentComplete(ctx.d, ctx.d.status ?? {})) cleanupDeployment(ctx, oldRSs);
  syncRolloutStatus(ctx, allRSs, newRS);
}

function reconcileNewReplicaSet(ctx: SyncContext, allRSs: (ReplicaSet | undefined)[], newRS: ReplicaSet): boolean {
  const desired = desiredReplicas(ctx.d);
  const cur = newRS.spec.replicas ?? 1;
  if (cur === desired) return false;
  if (cur > desired) return ctx.scaleAndRecord(newRS, desired);
  return ctx.scaleAndRecord(newRS, newRSNewReplicas(ctx.d, allRSs, newRS));
}

function reconcileOldReplicaSets(ctx: SyncContext, allRSs: (ReplicaSet | undefined)[], oldRSs: ReplicaSet[], newRS: ReplicaSet): boolean {
  if (specReplicaCount(oldRSs) === 0) return false;
  const allPods = specReplicaCount(allRSs);
  const minAvailable = desiredReplicas(ctx.d) - maxUnavailable(ctx.d);
  const newUnavailable = (newRS.spec.replicas ?? 1) - (newRS.status?.availableReplicas ?? 0);
  // Never count on new pods that are not available yet: they must not let old ones go.
  const maxScaledDown = allPods - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return false;
  const cleaned = cleanupUnhealthyReplicas(ctx, oldRSs, maxScaledDown);
  if (cleaned < 0) return false;
  const scaledDown = scaleDownOldReplicaSets(ctx, [...oldRSs, newRS], oldRSs);
  return cleaned + scaledDown > 0;
}

/**
 * Scale old ReplicaSets down by their unavailable pods (oldest first), up to `max` in total.
 * -1 when a ReplicaSet reports more available pods than it wants (its status lags a scale-down):
 * upstream refuses that sync's scale-down rather than act on it.
 */
function cleanupUnhealthyReplicas(ctx: SyncContext, oldRSs: ReplicaSet[], max: number): number {
  oldRSs.sort(byCreation);
  let total = 0;
  for (const rs of oldRSs) {
    if (total >= max) break;
    const cur = rs.spec.replicas ?? 1;
    const available = rs.status?.availableReplicas ?? 0;
    if (cur === 0 || cur === available) continue;
    if (available > cur) return total > 0 ? total : -1;
    const n = Math.min(max - total, cur - available);
    ctx.scaleAndRecord(rs, cur - n);
    total += n;
  }
  return total;
}

/** Scale old ReplicaSets down (oldest first) by as many pods as are available beyond the minimum. */
function scaleDownOldReplicaSets(ctx: SyncContext, allRSs: ReplicaSet[], oldRSs: ReplicaSet[]): number {
  const minAvailable = desiredReplicas(ctx.d) - maxUnavailable(ctx.d);
  const available = availableReplicaCount(allRSs);
  if (available <= minAvailable) return 0;
  oldRSs.sort(byCreation);
  const want = available - minAvailable;
  let total = 0;
  for (const rs of oldRSs) {
    if (total >= want) break;
    const cur = rs.spec.replicas ?? 1;
    if (cur === 0) continue;
    const n = Math.min(cur, want - total);
    ctx.scaleAndRecord(rs, cur - n);
    total += n;
  }
  return total;
}
