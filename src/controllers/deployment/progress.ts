/**
 * The Progressing condition (upstream progress.go syncRolloutStatus / requeueStuckDeployment):
 * NewReplicaSetAvailable once the rollout completed; ReplicaSetUpdated (lastUpdateTime bumped,
 * lastTransitionTime kept) whenever it made progress; ProgressDeadlineExceeded once
 * progressDeadlineSeconds passed since the last progress. Without a deadline there is no
 * Progressing condition. Also asks for a re-check at the deadline, since no event will come.
 */
import type { ReplicaSet } from '../../controller-runtime/workload/types.js';
import {
  calculateStatus, deploymentComplete, deploymentProgressing, deploymentTimedOut, getCondition, newCondition, removeCondition, setCondition, statusEqual,
} from './conditions.js';
import type { SyncContext } from './sync-context.js';
import { Reasons, hasProgressDeadline, progressDeadlineSeconds } from './types.js';

export function syncRolloutStatus(ctx: SyncContext, allRSs: (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): void {
  const d = ctx.d;
  const status = calculateStatus(allRSs, newRS, d, ctx.now);
  if (!hasProgressDeadline(d)) removeCondition(status, 'Progressing');
  const current = getCondition(d.status, 'Progressing');
  const complete = status.replicas === status.updatedReplicas && current?.reason === Reasons.NewRSAvailable;
  if (hasProgressDeadline(d) && !complete) {
    const subject = newRS ? `ReplicaSet "${newRS.metadata.name}"` : `Deployment "${d.metadata.name}"`;
    if (deploymentComplete(d, status)) {
      setCondition(status, newCondition('Progressing', 'True', Reasons.NewRSAvailable, `${subject} has successfully progressed.`, ctx.now));
    } else if (deploymentProgressing(d, status)) {
      const cond = newCondition('Progressing', 'True', Reasons.ReplicaSetUpdated, `${subject} is progressing.`, ctx.now);
      if (current) {
        if (current.status === 'True') cond.lastTransitionTime = current.lastTransitionTime;
        removeCondition(status, 'Progressing');
      }
      setCondition(status, cond);
    } else if (deploymentTimedOut(d, status, ctx.now)) {
      setCondition(status, newCondition('Progressing', 'False', Reasons.TimedOut, `${subject} has timed out progressing.`, ctx.now));
    }
  }
  // ReplicaSets report create/delete failures as ReplicaFailure; surface the first on the Deployment.
  const failure = [newRS, ...allRSs].map((rs) => rs?.status?.conditions?.find((c) => c.type === 'ReplicaFailure')).find((c) => c);
  if (failure) setCondition(status, { ...failure });
  else removeCondition(status, 'ReplicaFailure');

  if (statusEqual(d.status, status)) {
    ctx.requeueAfter = stuckRecheckMs(ctx, status);
    return;
  }
  d.status = status;
}

/** When to look again for a deadline that may pass without any event (undefined: no need). */
function stuckRecheckMs(ctx: SyncContext, status: NonNullable<SyncContext['d']['status']>): number | undefined {
  const d = ctx.d;
  const current = getCondition(d.status, 'Progressing');
  if (!hasProgressDeadline(d) || !current) return undefined;
  if (deploymentComplete(d, status) || current.reason === Reasons.TimedOut) return undefined;
  const last = Date.parse(current.lastUpdateTime ?? '');
  if (Number.isNaN(last)) return undefined;
  const after = last + progressDeadlineSeconds(d) * 1000 - ctx.now;
  return after < 1000 ? 1000 : after + 1000;
}
