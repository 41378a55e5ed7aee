/**
 * The PDB's DisruptionAllowed condition, set the same way by the disruption controller and the
 * eviction API (upstream pkg/apis/policy/helper UpdateDisruptionAllowedCondition with
 * apimachinery's meta.SetStatusCondition: lastTransitionTime moves only when the status flips).
 */
import { DISRUPTION_ALLOWED_CONDITION, type PodDisruptionBudgetStatus } from './pod-disruption-budget.js';

export type MetaCondition = NonNullable<PodDisruptionBudgetStatus['conditions']>[number];

/** meta.SetStatusCondition: replace the condition of the same type, keeping its transition time if the status is unchanged. */
export function setStatusCondition(conditions: MetaCondition[], cond: MetaCondition, now: Date): MetaCondition[] {
  const i = conditions.findIndex((c) => c.type === cond.type);
  const old = i >= 0 ? conditions[i] : undefined;
  const next = { ...cond, lastTransitionTime: old && old.status === cond.status ? old.lastTransitionTime : now.toISOString().replace(/\.\d+Z$/, 'Z') };
  return i >= 0 ? conditions.map((c, j) => (j === i ? next : c)) : [...conditions, next];
}

/** SufficientPods when disruptions are allowed, InsufficientPods otherwise; SyncFailed is the controller's. */
export function updateDisruptionAllowedCondition(status: PodDisruptionBudgetStatus, now: Date): void {
  const allowed = (status.disruptionsAllowed ?? 0) > 0;
  status.conditions = setStatusCondition(status.conditions ?? [], {
    type: DISRUPTION_ALLOWED_CONDITION,
    status: allowed ? 'True' : 'False',
    reason: allowed ? 'SufficientPods' : 'InsufficientPods',
    message: '',
    observedGeneration: status.observedGeneration,
    lastTransitionTime: '',
  }, now);
}
