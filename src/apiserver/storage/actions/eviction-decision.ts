/**
 * The eviction API's decisions, pure (upstream pkg/registry/core/pod/storage/eviction.go):
 * which pods skip the budget check, which budgets cover a pod, whether an unready pod may go
 * without spending a disruption, and checkAndDecrement on the budget's status.
 */
import { updateDisruptionAllowedCondition } from '../../../api/kinds/policy/pdb-conditions.js';
import { budgetSelects, DISRUPTION_BUDGET_CAUSE, MAX_DISRUPTED_POD_SIZE, type PodDisruptionBudget } from '../../../api/kinds/policy/pod-disruption-budget.js';
import type { Pod } from '../../../api/kinds/core/pod.js';
import { isPodReady } from '../../../api/endpoints/pod-endpoints.js';
import { cloneJson } from '../../../api/json-clone.js';
import { failure, type StatusError } from '../../../api/status.js';

export const EVICTION_VIOLATES_BUDGET = "Cannot evict pod as it would violate the pod's disruption budget.";

/** canIgnorePDB: terminal, pending and terminating pods are deleted without a budget check. */
export function canIgnorePDB(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending' || !!pod.metadata.deletionTimestamp;
}

/** shouldEnforceResourceVersion: a pending pod is deleted only as it was read (it may turn ready meanwhile). */
export function shouldEnforceResourceVersion(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return !(phase === 'Succeeded' || phase === 'Failed' || pod.metadata.deletionTimestamp);
}

/** getPodDisruptionBudgets: budgets in the pod's namespace whose non-empty selector matches it. */
export function budgetsFor(pod: Pod, pdbs: readonly PodDisruptionBudget[]): PodDisruptionBudget[] {
  return pdbs.filter((pdb) => budgetSelects(pdb, pod));
}

export type BudgetVerdict =
  /** No budget: delete as asked. */
  | { kind: 'none' }
  /** More than one budget: upstream answers 500 and deletes nothing. */
  | { kind: 'multiple' }
  /** An unready pod that may go without spending a disruption; delete only at the version read. */
  | { kind: 'unhealthy'; pdb: PodDisruptionBudget }
  /** Spend one of the budget's disruptions first (checkAndDecrement). */
  | { kind: 'decrement'; pdb: PodDisruptionBudget };

export function budgetVerdict(pod: Pod, budgets: readonly PodDisruptionBudget[]): BudgetVerdict {
  if (budgets.length > 1) return { kind: 'multiple' };
  const pdb = budgets[0];
  if (!pdb) return { kind: 'none' };
  if (!isPodReady(pod)) {
    if (pdb.spec?.unhealthyPodEvictionPolicy === 'AlwaysAllow') return { kind: 'unhealthy', pdb };
    const st = pdb.status;
    if ((st?.currentHealthy ?? 0) >= (st?.desiredHealthy ?? 0) && (st?.desiredHealthy ?? 0) > 0) return { kind: 'unhealthy', pdb };
  }
  return { kind: 'decrement', pdb };
}

/** errors.NewTooManyRequests with the cause; retryAfterSeconds is omitempty upstream (absent when 0). */
function tooManyRequests(retryAfterSeconds: number, cause: string): StatusError {
  return failure(429, 'TooManyRequests', EVICTION_VIOLATES_BUDGET, { ...(retryAfterSeconds > 0 ? { retryAfterSeconds } : {}), causes: [{ reason: DISRUPTION_BUDGET_CAUSE, message: cause }] });
}

/** createTooManyRequestsError: the budget's status is behind its spec, or a delete raced a pod turning ready. */
export function budgetBeingProcessed(name: string): StatusError {
  return tooManyRequests(10, `The disruption budget ${name} is still being processed by the server.`);
}

function budgetForbidden(name: string, why: string): StatusError {
  return failure(403, 'Forbidden', `poddisruptionbudget.policy "${name}" is forbidden: ${why}`, { name, group: 'policy', kind: 'poddisruptionbudget' });
}

/**
 * checkAndDecrement: the budget with one disruption spent and the pod recorded in disruptedPods
 * (not recorded on a dry run), or a 429/403 when the budget allows none.
 */
export function checkAndDecrement(pdb: PodDisruptionBudget, podName: string, now: Date, dryRun: boolean): PodDisruptionBudget {
  const st = pdb.status ?? { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 };
  const name = pdb.metadata.name!;
  if ((st.observedGeneration ?? 0) < (pdb.metadata.generation ?? 0)) throw budgetBeingProcessed(name);
  const allowed = st.disruptionsAllowed ?? 0;
  if (allowed < 0) throw budgetForbidden(name, 'pdb disruptions allowed is negative');
  if (Object.keys(st.disruptedPods ?? {}).length > MAX_DISRUPTED_POD_SIZE) {
    throw budgetForbidden(name, 'DisruptedPods map too big - too many evictions not confirmed by PDB controller');
  }
  if (allowed === 0) {
    throw tooManyRequests(0, `The disruption budget ${name} needs ${st.desiredHealthy ?? 0} healthy pods and has ${st.currentHealthy ?? 0} currently`);
  }
  const next = cloneJson(pdb);
  const status = (next.status ??= { ...st });
  status.disruptionsAllowed = allowed - 1;
  if (status.disruptionsAllowed === 0) updateDisruptionAllowedCondition(status, now);
  if (!dryRun) status.disruptedPods = { ...(status.disruptedPods ?? {}), [podName]: now.toISOString().replace(/\.\d+Z$/, 'Z') };
  return next;
}
