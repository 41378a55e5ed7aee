/**
 * Pod state as controllers judge it (upstream k8s.io/kubernetes/pkg/api/v1/pod and
 * pkg/controller's FilterActivePods): active, ready, available after minReadySeconds.
 */
import type { Pod } from '../../api/kinds/core/pod.js';

/** Not finished (Succeeded/Failed) and not being deleted: it counts toward replicas. */
export function isPodActive(pod: Readonly<Pod>): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata.deletionTimestamp;
}

/** The Ready condition, if reported. */
export function podReadyCondition(pod: Readonly<Pod>): { status: string; lastTransitionTime?: string } | undefined {
  return pod.status?.conditions?.find((c) => c.type === 'Ready');
}

export function isPodReady(pod: Readonly<Pod>): boolean {
  return podReadyCondition(pod)?.status === 'True';
}

/** When the pod last became Ready (ms since epoch), or undefined if not ready or unknown. */
export function podReadyTime(pod: Readonly<Pod>): number | undefined {
  const c = podReadyCondition(pod);
  if (c?.status !== 'True' || !c.lastTransitionTime) return undefined;
  const t = Date.parse(c.lastTransitionTime);
  return Number.isNaN(t) ? undefined : t;
}

/**
 * Ready for at least `minReadySeconds` at `now` (ms). As upstream, a ready pod without a transition
 * time is available only when minReadySeconds is 0, and the comparison is strict.
 */
export function isPodAvailable(pod: Readonly<Pod>, minReadySeconds: number, now: number): boolean {
  if (!isPodReady(pod)) return false;
  if (!minReadySeconds) return true;
  const readySince = podReadyTime(pod);
  return readySince !== undefined && readySince + minReadySeconds * 1000 < now;
}

/** Ms until a ready pod becomes available, 0 if already available, undefined if not ready. */
export function msUntilAvailable(pod: Readonly<Pod>, minReadySeconds: number, now: number): number | undefined {
  if (!isPodReady(pod)) return undefined;
  if (isPodAvailable(pod, minReadySeconds, now)) return 0;
  const readySince = podReadyTime(pod);
  return readySince === undefined ? undefined : readySince + minReadySeconds * 1000 - now + 1;
}

/** Highest restart count among the pod's containers. */
export function maxContainerRestarts(pod: Readonly<Pod>): number {
  return (pod.status?.containerStatuses ?? []).reduce((m, s) => Math.max(m, s.restartCount ?? 0), 0);
}

/** The controller.kubernetes.io/pod-deletion-cost annotation; 0 when absent or invalid (as upstream). */
export function podDeletionCost(pod: Readonly<Pod>): number {
  const v = pod.metadata.annotations?.['controller.kubernetes.io/pod-deletion-cost'];
  if (v === undefined || !/^(-[0-9]+|0|[1-9][0-9]*)$/.test(v)) return 0;
  const n = Number(v);
  return n >= -(2 ** 31) && n <= 2 ** 31 - 1 ? n : 0;
}
