/**
 * StatefulSet status (upstream stateful_set_control.go computeReplicaStatus, completeRollingUpdate,
 * inconsistentStatus). Pure.
 */
import type { StatefulSet, StatefulSetStatus } from '../../api/kinds/apps/stateful-set.js';
import type { Pod } from '../../api/kinds/core/pod.js';
import { podRevision } from './identity.js';
import { isCreated, isRunningAndAvailable, isRunningAndReady, isTerminating } from './pod-conditions.js';

export interface StatusInput {
  set: Readonly<StatefulSet>;
  pods: readonly Readonly<Pod>[];
  currentRevision: string;
  updateRevision: string;
  collisionCount: number;
  now: number;
  /**
   * Uids of pods this sync deleted for the update: no longer counted at their revision, as upstream
   * decrements status.CurrentReplicas after the delete. Without it the status still counts the pod
   * at the current revision, and the sync after it is gone (at once for a fast kubelet) makes it
   * again at the current revision (newVersionedStatefulSetPod, ordinal < currentReplicas).
   */
  deletedForUpdate?: ReadonlySet<string>;
}

export function computeStatus(input: StatusInput): StatefulSetStatus {
  const { set, now } = input;
  const minReady = set.spec?.minReadySeconds ?? 0;
  const status: StatefulSetStatus = {
    observedGeneration: set.metadata.generation, replicas: 0, readyReplicas: 0, currentReplicas: 0, updatedReplicas: 0, availableReplicas: 0,
    currentRevision: input.currentRevision, updateRevision: input.updateRevision, collisionCount: input.collisionCount,
    ...(set.status?.conditions ? { conditions: set.status.conditions } : {}),
  };
  for (const pod of input.pods) {
    if (isCreated(pod)) status.replicas!++;
    if (isRunningAndReady(pod)) {
      status.readyReplicas!++;
      if (isRunningAndAvailable(pod, minReady, now)) status.availableReplicas!++;
    }
    if (isCreated(pod) && !isTerminating(pod) && !input.deletedForUpdate?.has(pod.metadata.uid!)) {
      const rev = podRevision(pod);
      if (rev === input.currentRevision) status.currentReplicas!++;
      if (rev === input.updateRevision) status.updatedReplicas!++;
    }
  }
  // completeRollingUpdate: all spec.replicas pods there, updated and ready, the update revision becomes
  // current. Against spec.replicas, not the pods counted (kubernetes#120731): a pod below the
  // partition that is missing must come back at the current revision.
  const want = set.spec?.replicas ?? 1;
  if (set.spec?.updateStrategy?.type === 'RollingUpdate' && status.updatedReplicas === want && status.readyReplicas === want && status.replicas === want) {
    status.currentReplicas = status.updatedReplicas;
    status.currentRevision = status.updateRevision;
  }
  return status;
}

const FIELDS = ['observedGeneration', 'replicas', 'readyReplicas', 'currentReplicas', 'updatedReplicas', 'availableReplicas', 'currentRevision', 'updateRevision', 'collisionCount'] as const;

/** inconsistentStatus: whether the stored status differs from `next`. */
export function statusChanged(old: Readonly<StatefulSetStatus> | undefined, next: Readonly<StatefulSetStatus>): boolean {
  return FIELDS.some((k) => (old?.[k] ?? 0) !== (next[k] ?? 0));
}
