/**
 * Recreate (upstream recreate.go): scale every old ReplicaSet to 0, wait until none of their pods
 * is still running (Succeeded/Failed ones do not count), and only then create or grow the new one.
 */
import type { Pod } from '../../api/kinds/core/pod.js';
import type { ReplicaSet } from '../../controller-runtime/workload/types.js';
import { actualReplicaCount, deploymentComplete } from './conditions.js';
import { syncRolloutStatus } from './progress.js';
import { cleanupDeployment, getAllReplicaSetsAndSyncRevision } from './replica-sets.js';
import { activeReplicaSets, type SyncContext } from './sync-context.js';
import { desiredReplicas } from './types.js';

/** `podsByRS`: the Deployment's pods grouped by the uid of their controlling ReplicaSet. */
export function rolloutRecreate(ctx: SyncContext, rsList: ReplicaSet[], podsByRS: ReadonlyMap<string, readonly Readonly<Pod>[]>): void {
  let { newRS, oldRSs } = getAllReplicaSetsAndSyncRevision(ctx, rsList, false);
  let allRSs = [...oldRSs, newRS];
  let scaledDown = false;
  for (const rs of activeReplicaSets(oldRSs)) if (ctx.scaleAndRecord(rs, 0)) scaledDown = true;
  if (scaledDown) return syncRolloutStatus(ctx, allRSs, newRS);
  if (oldPodsRunning(newRS, oldRSs, podsByRS)) return syncRolloutStatus(ctx, allRSs, newRS);
  if (!newRS) {
    // rsList gained the new ReplicaSet; split again.
    ({ newRS, oldRSs } = getAllReplicaSetsAndSyncRevision(ctx, rsList, true));
    allRSs = [...oldRSs, newRS];
  }
  if (newRS) ctx.scaleAndRecord(newRS, desiredReplicas(ctx.d));
  if (deploymentComplete(ctx.d, ctx.d.status ?? {})) cleanupDeployment(ctx, oldRSs);
  syncRolloutStatus(ctx, allRSs, newRS);
}

export function oldPodsRunning(newRS: Readonly<ReplicaSet> | undefined, oldRSs: readonly Readonly<ReplicaSet>[], podsByRS: ReadonlyMap<string, readonly Readonly<Pod>[]>): boolean {
  if (actualReplicaCount(oldRSs) > 0) return true;
  for (const [uid, pods] of podsByRS) {
    if (newRS && newRS.metadata.uid === uid) continue;
    for (const p of pods) {
      const phase = p.status?.phase;
      if (phase === 'Failed' || phase === 'Succeeded') continue;
      return true;
    }
  }
  return false;
}
