/**
 * Resizing without rolling (upstream sync.go scale / sync / isScalingEvent): when spec.replicas
 * changes mid-rollout or while paused, one active ReplicaSet simply takes the new size; several
 * active ones share the difference in proportion to their sizes (each ReplicaSet's share is
 * rs.replicas * newMax / oldMax, where max = replicas + maxSurge recorded in its max-replicas
 * annotation), leftovers going to the largest (newest on ties when growing, oldest when shrinking).
 */
import type { ReplicaSet } from '../../controller-runtime/workload/types.js';
import { desiredReplicasAnnotation, maxReplicasAnnotation } from './annotations.js';
import { specReplicaCount, calculateStatus, statusEqual } from './conditions.js';
import { maxSurge } from './fenceposts.js';
import { cleanupDeployment, getAllReplicaSetsAndSyncRevision } from './replica-sets.js';
import { activeReplicaSets, byCreation, type SyncContext } from './sync-context.js';
import { desiredReplicas, isRollingUpdate, type Deployment } from './types.js';

/** Some active ReplicaSet was last sized for a different spec.replicas. */
export function isScalingEvent(ctx: SyncContext, rsList: ReplicaSet[]): boolean {
  const { newRS, oldRSs } = getAllReplicaSetsAndSyncRevision(ctx, rsList, false);
  for (const rs of activeReplicaSets([...oldRSs, newRS])) {
    const desired = desiredReplicasAnnotation(rs);
    if (desired !== undefined && desired !== desiredReplicas(ctx.d)) return true;
  }
  return false;
}

/** Upstream sync(): scale, clean up when paused, then write status without rollout progress. */
export function syncScaleOnly(ctx: SyncContext, rsList: ReplicaSet[]): void {
  const { newRS, oldRSs } = getAllReplicaSetsAndSyncRevision(ctx, rsList, false);
  scale(ctx, newRS, oldRSs);
  if (ctx.d.spec.paused) cleanupDeployment(ctx, oldRSs);
  syncDeploymentStatus(ctx, [...oldRSs, newRS], newRS);
}

/** Status from the ReplicaSets, without touching the Progressing condition. */
export function syncDeploymentStatus(ctx: SyncContext, allRSs: (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): void {
  const status = calculateStatus(allRSs, newRS, ctx.d, ctx.now);
  if (!statusEqual(ctx.d.status, status)) ctx.d.status = status;
}

/** Upstream FindActiveOrLatest: the only active ReplicaSet, or the newest if none is active; undefined if several are. */
function findActiveOrLatest(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): ReplicaSet | undefined {
  if (!newRS && oldRSs.length === 0) return undefined;
  const newestFirst = [...oldRSs].sort(byCreation).reverse();
  const active = activeReplicaSets([...newestFirst, newRS]);
  if (active.length === 0) return newRS ?? newestFirst[0];
  return active.length === 1 ? active[0] : undefined;
}

function isSaturated(d: Readonly<Deployment>, rs: ReplicaSet | undefined): boolean {
  if (!rs) return false;
  const want = desiredReplicas(d);
  return (rs.spec.replicas ?? 1) === want && desiredReplicasAnnotation(rs) === want && (rs.status?.availableReplicas ?? 0) === want;
}

/** Upstream GetProportion: this ReplicaSet's share of `toAdd`, bounded by what is left to add. */
export function proportion(rs: Readonly<ReplicaSet>, d: Readonly<Deployment>, toAdd: number, added: number): number {
  const size = rs.spec.replicas ?? 1;
  if (size === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = replicaSetFraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

function replicaSetFraction(rs: Readonly<ReplicaSet>, d: Readonly<Deployment>): number {
  const size = rs.spec.replicas ?? 1;
  if (desiredReplicas(d) === 0) return -size;
  const newMax = desiredReplicas(d) + maxSurge(d);
  let oldMax = maxReplicasAnnotation(rs) ?? 0;
  if (oldMax === 0) {
    oldMax = d.status?.replicas ?? 0;
    if (oldMax === 0) return 0;
  }
  // Go's integer.RoundToInt32 rounds half away from zero.
  const exact = (size * newMax) / oldMax;
  return Math.sign(exact) * Math.round(Math.abs(exact)) - size;
}

export function scale(ctx: SyncContext, newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): void {
  const d = ctx.d;
  const only = findActiveOrLatest(newRS, oldRSs);
  if (only) {
    if ((only.spec.replicas ?? 1) !== desiredReplicas(d)) ctx.scaleAndRecord(only, desiredReplicas(d));
    return;
  }
  if (isSaturated(d, newRS)) {
    for (const old of activeReplicaSets(oldRSs)) ctx.scaleAndRecord(old, 0);
    return;
  }
  if (!isRollingUpdate(d)) return;
  const all = activeReplicaSets([...oldRSs, newRS]);
  const allowed = desiredReplicas(d) > 0 ? desiredReplicas(d) + maxSurge(d) : 0;
  const toAdd = allowed - specReplicaCount(all);
  let op: 'up' | 'down' | '' = '';
  const bySize = (newerFirst: boolean) => (a: ReplicaSet, b: ReplicaSet) => {
    const diff = (b.spec.replicas ?? 1) - (a.spec.replicas ?? 1);
    if (diff !== 0) return diff;
    return newerFirst ? byCreation(b, a) : byCreation(a, b);
  };
  if (toAdd > 0) {
    all.sort(bySize(true));
    op = 'up';
  } else if (toAdd < 0) {
    all.sort(bySize(false));
    op = 'down';
  }
  let added = 0;
  const sizes = new Map<ReplicaSet, number>();
  for (const rs of all) {
    if (toAdd !== 0) {
      const p = proportion(rs, d, toAdd, added);
      sizes.set(rs, (rs.spec.replicas ?? 1) + p);
      added += p;
    } else {
      sizes.set(rs, rs.spec.replicas ?? 1);
    }
  }
  all.forEach((rs, i) => {
    if (i === 0 && toAdd !== 0) sizes.set(rs, Math.max(0, sizes.get(rs)! + toAdd - added));
    ctx.scale(rs, sizes.get(rs)!, op);
  });
}
