/**
 * How the StatefulSet controller judges its pods (upstream stateful_set_utils.go isRunningAndReady,
 * isRunningAndAvailable, isHealthy, isTerminating, isFailed/isSucceeded). Pure.
 */
import { isPodAvailable, isPodReady } from '../../controller-runtime/workload/pod-state.js';
import type { Pod } from '../../api/kinds/core/pod.js';

export function isTerminating(pod: Readonly<Pod>): boolean {
  return !!pod.metadata.deletionTimestamp;
}

export function isFinished(pod: Readonly<Pod>): boolean {
  const phase = pod.status?.phase;
  return phase === 'Failed' || phase === 'Succeeded';
}

/** Phase is set: the API server has taken it (isCreated). */
export function isCreated(pod: Readonly<Pod>): boolean {
  return !!pod.status?.phase;
}

export function isRunningAndReady(pod: Readonly<Pod>): boolean {
  return pod.status?.phase === 'Running' && isPodReady(pod);
}

export function isRunningAndAvailable(pod: Readonly<Pod>, minReadySeconds: number, now: number): boolean {
  return pod.status?.phase === 'Running' && isPodAvailable(pod, minReadySeconds, now);
}

/** isHealthy: running, ready and not being deleted. */
export function isHealthy(pod: Readonly<Pod>): boolean {
  return isRunningAndReady(pod) && !isTerminating(pod);
}
