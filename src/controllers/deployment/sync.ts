/**
 * One deployment sync as a pure function (upstream deployment_controller.go syncDeployment):
 * (Deployment, its claimed ReplicaSets, their pods, now) -> the writes to make, in order, plus the
 * Deployment to write back (annotations and status) and when to look again.
 *
 *   selector selects everything  -> warn, record observedGeneration, stop
 *   being deleted                -> status only
 *   paused                       -> Progressing=Unknown/DeploymentPaused; scale only, no rollout
 *   spec.replicas changed        -> proportional scaling only
 *   otherwise                    -> Recreate or RollingUpdate rollout
 */
import type { Pod } from '../../api/kinds/core/pod.js';
import type { ReplicaSet } from '../../controller-runtime/workload/types.js';
import { getCondition, newCondition, setCondition } from './conditions.js';
import { getAllReplicaSetsAndSyncRevision } from './replica-sets.js';
import { rolloutRecreate } from './recreate.js';
import { rolloutRolling } from './rolling.js';
import { isScalingEvent, syncDeploymentStatus, syncScaleOnly } from './scale.js';
import { SyncContext, type Action } from './sync-context.js';
import { Reasons, hasProgressDeadline, isRollingUpdate, type Deployment } from './types.js';
import { copyOf } from '../../controller-runtime/informer/indexer.js';

export interface SyncInput {
  deployment: Readonly<Deployment>;
  /** ReplicaSets this Deployment controls (after adoption/release). */
  replicaSets: readonly Readonly<ReplicaSet>[];
  /** Pods by the uid of their controlling ReplicaSet (only needed for Recreate). */
  podsByReplicaSet?: ReadonlyMap<string, readonly Readonly<Pod>[]>;
  now: number;
}

export interface SyncPlan {
  actions: Action[];
  /** The Deployment with the annotations and status it should have; write it if they changed. */
  deployment: Deployment;
  requeueAfter?: number;
}

export function planDeploymentSync(input: SyncInput): SyncPlan {
  const d = copyOf(input.deployment);
  const ctx = new SyncContext(d, input.now);
  const rsList = input.replicaSets.map((rs) => copyOf(rs));
  const done = (): SyncPlan => ({ actions: ctx.actions, deployment: d, ...(ctx.requeueAfter !== undefined ? { requeueAfter: ctx.requeueAfter } : {}) });

  const sel = d.spec.selector;
  if (sel && Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0) {
    ctx.event('Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
    d.status ??= {};
    if ((d.status.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) d.status.observedGeneration = d.metadata.generation;
    return done();
  }

  if (d.metadata.deletionTimestamp) {
    const { newRS, oldRSs } = getAllReplicaSetsAndSyncRevision(ctx, rsList, false);
    syncDeploymentStatus(ctx, [...oldRSs, newRS], newRS);
    return done();
  }

  checkPausedConditions(ctx);
  if (d.spec.paused || isScalingEvent(ctx, rsList)) {
    syncScaleOnly(ctx, rsList);
    return done();
  }
  if (isRollingUpdate(d)) rolloutRolling(ctx, rsList);
  else rolloutRecreate(ctx, rsList, input.podsByReplicaSet ?? new Map());
  return done();
}

/** Paused shows as Progressing Unknown/DeploymentPaused; resuming as DeploymentResumed. A timeout is kept. */
function checkPausedConditions(ctx: SyncContext): void {
  const d = ctx.d;
  if (!hasProgressDeadline(d)) return;
  const cond = getCondition(d.status, 'Progressing');
  if (cond?.reason === Reasons.TimedOut) return;
  const pausedShown = cond?.reason === Reasons.Paused;
  d.status ??= {};
  if (d.spec.paused && !pausedShown) {
    setCondition(d.status, newCondition('Progressing', 'Unknown', Reasons.Paused, 'Deployment is paused', ctx.now));
  } else if (!d.spec.paused && pausedShown) {
    setCondition(d.status, newCondition('Progressing', 'Unknown', Reasons.Resumed, 'Deployment is resumed', ctx.now));
  }
}
