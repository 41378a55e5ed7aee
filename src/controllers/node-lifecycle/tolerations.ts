/**
 * NoExecute taint eviction timing (upstream pkg/controller/tainteviction): a pod on a node with
 * NoExecute taints is evicted at once when some taint is not tolerated, never when every matching
 * toleration tolerates forever (no tolerationSeconds), else after the smallest tolerationSeconds of
 * the tolerations used, counted from the taint's timeAdded.
 *
 * Default tolerations: upstream's DefaultTolerationSeconds admission plugin gives every pod
 * not-ready/unreachable NoExecute tolerations of 300 s when created. Bosun's API server does not,
 * so this controller applies the same rule when it evaluates a pod (`withDefaultTolerations`) with
 * a configurable, shorter default; pods that carry their own tolerations are untouched.
 */
import type { Taint, Toleration } from '../../api/kinds/index.js';
import { TAINT_NOT_READY, TAINT_UNREACHABLE } from './taints.js';

/** Toleration.ToleratesTaint. */
export function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  const op = t.operator || 'Equal';
  if (op === 'Exists') return true;
  return op === 'Equal' && (t.value ?? '') === (taint.value ?? '');
}

/**
 * The pod's tolerations plus the DefaultTolerationSeconds ones it lacks (a toleration counts when
 * its key is the taint key or empty and its effect is NoExecute or empty, as the admission plugin checks).
 */
export function withDefaultTolerations(tolerations: readonly Toleration[] | undefined, seconds: number | undefined): Toleration[] {
  const list = [...(tolerations ?? [])];
  if (seconds === undefined) return list;
  for (const key of [TAINT_NOT_READY, TAINT_UNREACHABLE]) {
    const has = list.some((t) => (t.key === key || !t.key) && (t.effect === 'NoExecute' || !t.effect));
    if (!has) list.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: seconds });
  }
  return list;
}

/**
 * Milliseconds the pod may stay after its taints appeared: 0 evicts now, Infinity never.
 * Only NoExecute taints count. Negative tolerationSeconds mean 0.
 */
export function minTolerationMs(tolerations: readonly Toleration[], taints: readonly Taint[]): number {
  let min = Infinity;
  for (const taint of taints) {
    if (taint.effect !== 'NoExecute') continue;
    const used = tolerations.filter((t) => tolerates(t, taint));
    if (used.length === 0) return 0;
    for (const t of used) if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null) min = Math.min(min, Math.max(0, t.tolerationSeconds) * 1000);
  }
  return min;
}

/**
 * When (epoch ms) the pod must be evicted, or undefined for never. `addedAt` says since when each
 * taint has been on the node; the newest NoExecute taint starts the clock.
 */
export function evictionDeadline(tolerations: readonly Toleration[], taints: readonly Taint[], addedAt: (t: Taint) => number): number | undefined {
  const noExecute = taints.filter((t) => t.effect === 'NoExecute');
  if (noExecute.length === 0) return undefined;
  const wait = minTolerationMs(tolerations, noExecute);
  if (wait === Infinity) return undefined;
  const since = Math.max(...noExecute.map(addedAt));
  return since + wait;
}
