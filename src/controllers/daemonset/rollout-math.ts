/**
 * A DaemonSet rollout's budgets (upstream daemon/util UnavailableCount and SurgeCount, and
 * updatedDesiredNodeCounts): percentages of the nodes that should run the pod, both rounded up; 0
 * for OnDelete; when both come out 0 on a non-empty set, one unavailable pod is allowed.
 */
import type { DaemonSet } from '../../api/kinds/index.js';
import { scaledValue } from '../../controller-runtime/workload/scaled-value.js';

function rollingUpdate(ds: Readonly<DaemonSet>) {
  const s = ds.spec?.updateStrategy;
  return s?.type === 'RollingUpdate' ? s.rollingUpdate : undefined;
}

export function unavailableCount(ds: Readonly<DaemonSet>, desired: number): number {
  const v = rollingUpdate(ds)?.maxUnavailable;
  return v === undefined ? 0 : scaledValue(v, desired, true);
}

export function surgeCount(ds: Readonly<DaemonSet>, desired: number): number {
  const v = rollingUpdate(ds)?.maxSurge;
  return v === undefined ? 0 : scaledValue(v, desired, true);
}

/** maxSurge and maxUnavailable for `desired` nodes, with upstream's fallback of one unavailable. */
export function rolloutBudgets(ds: Readonly<DaemonSet>, desired: number): { maxSurge: number; maxUnavailable: number } {
  const maxSurge = surgeCount(ds, desired);
  let maxUnavailable = unavailableCount(ds, desired);
  if (desired > 0 && maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable };
}
