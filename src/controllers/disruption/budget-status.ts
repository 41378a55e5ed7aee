/**
 * The disruption controller's arithmetic, pure (upstream pkg/controller/disruption/disruption.go):
 * expectedPods and desiredHealthy from the budget and the pods' controllers' scale
 * (getExpectedPodCount / getExpectedScale), the disruptedPods map pruned after DeletionTimeout
 * (buildDisruptedPodMap), currentHealthy (countHealthyPods) and the status to write
 * (updatePdbStatus), DisruptionAllowed condition included.
 */
import type { Pod } from '../../api/kinds/core/pod.js';
import { updateDisruptionAllowedCondition } from '../../api/kinds/policy/pdb-conditions.js';
import type { PodDisruptionBudget, PodDisruptionBudgetStatus } from '../../api/kinds/policy/pod-disruption-budget.js';
import type { OwnerReference } from '../../api/meta.js';
import { scaledValue } from '../../controller-runtime/workload/scaled-value.js';

/** DeletionTimeout: an eviction the controller has not seen turn into a deletion after this is forgotten. */
export const DELETION_TIMEOUT_MS = 2 * 60 * 1000;

/** A pod's controller and its desired scale (controllerAndScale); undefined when no finder knows it. */
export type ScaleOf = (ref: OwnerReference, namespace: string) => { uid: string; scale: number } | undefined;

export interface Counts {
  expectedCount: number;
  desiredHealthy: number;
  /** Pods without a controller (the UnmanagedPods event). */
  unmanaged: string[];
}

/** getExpectedScale: the sum of the scales of the pods' distinct controllers. Throws for a pod whose controller no finder knows. */
function expectedScale(pods: readonly Pod[], scaleOf: ScaleOf): { count: number; unmanaged: string[] } {
  const scales = new Map<string, number>();
  const unmanaged: string[] = [];
  for (const pod of pods) {
    const ref = pod.metadata.ownerReferences?.find((r) => r.controller);
    if (!ref) {
      unmanaged.push(pod.metadata.name!);
      continue;
    }
    if (scales.has(ref.uid)) continue;
    const found = scaleOf(ref, pod.metadata.namespace!);
    if (!found) throw new Error(`found no controllers for pod "${pod.metadata.name}"`);
    scales.set(found.uid, found.scale);
  }
  let count = 0;
  for (const s of scales.values()) count += s;
  return { count, unmanaged };
}

/** getExpectedPodCount. An int minAvailable counts the pods themselves; percentages and maxUnavailable use the controllers' scale. */
export function expectedPodCount(pdb: PodDisruptionBudget, pods: readonly Pod[], scaleOf: ScaleOf): Counts {
  const spec = pdb.spec ?? {};
  if (spec.maxUnavailable !== undefined) {
    const { count, unmanaged } = expectedScale(pods, scaleOf);
    const maxUnavailable = scaledValue(spec.maxUnavailable, count, true);
    return { expectedCount: count, desiredHealthy: Math.max(0, count - maxUnavailable), unmanaged };
  }
  if (typeof spec.minAvailable === 'number') return { expectedCount: pods.length, desiredHealthy: spec.minAvailable, unmanaged: [] };
  if (typeof spec.minAvailable === 'string') {
    const { count, unmanaged } = expectedScale(pods, scaleOf);
    return { expectedCount: count, desiredHealthy: scaledValue(spec.minAvailable, count, true), unmanaged };
  }
  return { expectedCount: 0, desiredHealthy: 0, unmanaged: [] };
}

/**
 * buildDisruptedPodMap: entries for live pods still within DeletionTimeout are kept; the earliest
 * expiry is when to look again. Expired entries are dropped and reported (the NotDeleted event).
 */
export function disruptedPodMap(pods: readonly Pod[], pdb: PodDisruptionBudget, now: number): { kept: Record<string, string>; recheckAt?: number; expired: string[] } {
  const had = pdb.status?.disruptedPods ?? {};
  const kept: Record<string, string> = {};
  const expired: string[] = [];
  let recheckAt: number | undefined;
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue;
    const at = had[pod.metadata.name!];
    if (at === undefined) continue;
    const expectedDeletion = Date.parse(at) + DELETION_TIMEOUT_MS;
    if (expectedDeletion < now) {
      expired.push(pod.metadata.name!);
    } else {
      if (recheckAt === undefined || expectedDeletion < recheckAt) recheckAt = expectedDeletion;
      kept[pod.metadata.name!] = at;
    }
  }
  return { kept, recheckAt, expired };
}

const isReady = (pod: Pod) => (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

/** countHealthyPods: ready pods that are neither being deleted nor recently evicted. */
export function countHealthy(pods: readonly Pod[], disrupted: Record<string, string>, now: number): number {
  let n = 0;
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue;
    const at = disrupted[pod.metadata.name!];
    if (at !== undefined && Date.parse(at) + DELETION_TIMEOUT_MS > now) continue;
    if (isReady(pod)) n++;
  }
  return n;
}

/**
 * updatePdbStatus: the status to write, or undefined when the stored one already says it.
 * disruptionsAllowed is 0 while no pods are expected, so a budget whose pods just appeared is safe.
 */
export function nextStatus(pdb: PodDisruptionBudget, counts: { currentHealthy: number; desiredHealthy: number; expectedCount: number }, disrupted: Record<string, string>, now: Date): PodDisruptionBudgetStatus | undefined {
  const { currentHealthy, desiredHealthy, expectedCount } = counts;
  let disruptionsAllowed = currentHealthy - desiredHealthy;
  if (expectedCount <= 0 || disruptionsAllowed <= 0) disruptionsAllowed = 0;
  const st = pdb.status;
  const generation = pdb.metadata.generation ?? 0;
  const next: PodDisruptionBudgetStatus = {
    currentHealthy, desiredHealthy, expectedPods: expectedCount, disruptionsAllowed,
    ...(Object.keys(disrupted).length ? { disruptedPods: disrupted } : {}),
    observedGeneration: generation,
    conditions: st?.conditions ?? [],
  };
  updateDisruptionAllowedCondition(next, now);
  const same = st !== undefined && st.currentHealthy === currentHealthy && st.desiredHealthy === desiredHealthy && st.expectedPods === expectedCount
    && st.disruptionsAllowed === disruptionsAllowed && JSON.stringify(st.disruptedPods ?? {}) === JSON.stringify(disrupted)
    && st.observedGeneration === generation && JSON.stringify(st.conditions ?? []) === JSON.stringify(next.conditions);
  return same ? undefined : next;
}

/** failSafe: when the sync fails, no disruptions are allowed and the condition says why. */
export function failSafeStatus(pdb: PodDisruptionBudget, why: string, now: Date): PodDisruptionBudgetStatus {
  const st: PodDisruptionBudgetStatus = {
    currentHealthy: pdb.status?.currentHealthy ?? 0, desiredHealthy: pdb.status?.desiredHealthy ?? 0, expectedPods: pdb.status?.expectedPods ?? 0,
    ...(pdb.status?.disruptedPods ? { disruptedPods: pdb.status.disruptedPods } : {}),
    disruptionsAllowed: 0, observedGeneration: pdb.metadata.generation ?? 0, conditions: pdb.status?.conditions ?? [],
  };
  updateDisruptionAllowedCondition(st, now);
  st.conditions = st.conditions!.map((c) => (c.type === 'DisruptionAllowed' ? { ...c, reason: 'SyncFailed', message: why } : c));
  return st;
}
