/**
 * maxSurge / maxUnavailable arithmetic (upstream intstr.GetScaledValueFromIntOrPercent and
 * deploymentutil.ResolveFenceposts): percentages of the desired replicas, surge rounded up,
 * unavailable rounded down; if both come out 0, unavailable becomes 1 so a rollout can progress.
 * Unset values default to 25% each, as the API does.
 */
import { scaledValue } from '../../controller-runtime/workload/scaled-value.js';
import { desiredReplicas, isRollingUpdate, type Deployment } from './types.js';

type IntOrString = number | string;

export { scaledValue };

export function resolveFenceposts(maxSurge: IntOrString | undefined, maxUnavailable: IntOrString | undefined, desired: number): { surge: number; unavailable: number } {
  const surge = scaledValue(maxSurge ?? '25%', desired, true);
  let unavailable = scaledValue(maxUnavailable ?? '25%', desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

/** How many pods may exceed spec.replicas during a rollout (0 for Recreate). */
export function maxSurge(d: Readonly<Deployment>): number {
  if (!isRollingUpdate(d)) return 0;
  const ru = d.spec.strategy?.rollingUpdate;
  return resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, desiredReplicas(d)).surge;
}

/** How many of spec.replicas may be unavailable during a rollout, capped at spec.replicas (0 for Recreate). */
export function maxUnavailable(d: Readonly<Deployment>): number {
  const desired = desiredReplicas(d);
  if (!isRollingUpdate(d) || desired === 0) return 0;
  const ru = d.spec.strategy?.rollingUpdate;
  const { unavailable } = resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, desired);
  return Math.min(unavailable, desired);
}
