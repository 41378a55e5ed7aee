/** Toleration matching as upstream's Toleration.ToleratesTaint (scheduler and DaemonSet controller). */
import type { Toleration } from '../kinds/core/affinity.js';
import type { Taint } from '../kinds/core/node.js';

export function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  const op: string = t.operator || 'Equal';
  if (op === 'Exists') return true;
  return op === 'Equal' && (t.value ?? '') === (taint.value ?? '');
}

export function toleratedBy(tolerations: readonly Toleration[] | undefined, taint: Taint): boolean {
  return (tolerations ?? []).some((t) => tolerates(t, taint));
}

/** v1helper.FindMatchingUntoleratedTaint: the first taint `inclusion` keeps that no toleration tolerates. */
export function findUntoleratedTaint(taints: readonly Taint[] | undefined, tolerations: readonly Toleration[] | undefined, inclusion: (t: Taint) => boolean): Taint | undefined {
  return (taints ?? []).find((taint) => inclusion(taint) && !toleratedBy(tolerations, taint));
}
