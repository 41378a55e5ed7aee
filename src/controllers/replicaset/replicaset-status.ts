/**
 * A ReplicaSet's status from its active, claimed pods (upstream replica_set_utils.go calculateStatus).
 * `replicas` counts active pods; `fullyLabeledReplicas` those carrying every template label;
 * `readyReplicas` ready ones; `availableReplicas` those ready for longer than minReadySeconds.
 * A ReplicaFailure condition reports the last create/delete failure and is cleared on success.
 */
import { matchesLabels, labelSelectorFromObject } from '../../api/selectors/index.js';
import { isPodAvailable, isPodReady } from '../../controller-runtime/workload/pod-state.js';
import type { Pod } from '../../api/kinds/core/pod.js';
import { specReplicas, type Condition, type ReplicaSet, type ReplicaSetStatus } from '../../controller-runtime/workload/types.js';

const rfc3339 = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

export function calculateReplicaSetStatus(rs: Readonly<ReplicaSet>, activePods: readonly Readonly<Pod>[], manageError: Error | undefined, now: number): ReplicaSetStatus {
  const old = rs.status ?? { replicas: 0 };
  const templateLabels = labelSelectorFromObject({ matchLabels: { ...(rs.spec.template?.metadata?.labels ?? {}) } });
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const p of activePods) {
    if (matchesLabels(templateLabels, p.metadata.labels)) fullyLabeled++;
    if (isPodReady(p)) {
      ready++;
      if (isPodAvailable(p, rs.spec.minReadySeconds ?? 0, now)) available++;
    }
  }
  let conditions: Condition[] = (old.conditions ?? []).map((c) => ({ ...c }));
  const failure = conditions.find((c) => c.type === 'ReplicaFailure');
  if (manageError && !failure) {
    const diff = activePods.length - specReplicas(rs);
    const reason = diff < 0 ? 'FailedCreate' : diff > 0 ? 'FailedDelete' : undefined;
    conditions.push({ type: 'ReplicaFailure', status: 'True', ...(reason ? { reason } : {}), message: manageError.message, lastTransitionTime: rfc3339(now) });
  } else if (!manageError && failure) {
    conditions = conditions.filter((c) => c.type !== 'ReplicaFailure');
  }
  const status: ReplicaSetStatus = {
    replicas: activePods.length,
    fullyLabeledReplicas: fullyLabeled,
    readyReplicas: ready,
    availableReplicas: available,
    observedGeneration: rs.metadata.generation ?? old.observedGeneration,
  };
  if (conditions.length > 0) status.conditions = conditions;
  return status;
}

/** Whether two statuses differ in anything a client would see. */
export function replicaSetStatusChanged(a: ReplicaSetStatus | undefined, b: ReplicaSetStatus): boolean {
  const x = a ?? { replicas: 0 };
  return (x.replicas ?? 0) !== b.replicas
    || (x.fullyLabeledReplicas ?? 0) !== (b.fullyLabeledReplicas ?? 0)
    || (x.readyReplicas ?? 0) !== (b.readyReplicas ?? 0)
    || (x.availableReplicas ?? 0) !== (b.availableReplicas ?? 0)
    || (x.observedGeneration ?? 0) !== (b.observedGeneration ?? 0)
    || JSON.stringify(x.conditions ?? []) !== JSON.stringify(b.conditions ?? []);
}
