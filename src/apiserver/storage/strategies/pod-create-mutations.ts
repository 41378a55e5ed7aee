/**
 * What upstream's podStrategy.PrepareForCreate does to a new pod besides resetting its status
 * (pkg/registry/core/pod/strategy.go, 1.32):
 * - applySchedulingGatedCondition: a pod created with schedulingGates carries PodScheduled=False,
 *   reason SchedulingGated, from the start, so `kubectl get pods` shows SchedulingGated and clients
 *   can tell a gated pod from one the scheduler has not looked at yet.
 * - mutatePodAffinity (MatchLabelKeysInPodAffinity, beta and on by default since 1.31): every pod
 *   (anti-)affinity term with a labelSelector gets `key In (value)` for each matchLabelKeys key and
 *   `key NotIn (value)` for each mismatchLabelKeys key the pod has a label for. The scheduler then
 *   only reads labelSelector. A term without labelSelector selects nothing and is left alone.
 */
import type { KubeObject } from '../../../api/meta.js';

export const SCHEDULING_GATED_MESSAGE = 'Scheduling is blocked due to non-empty scheduling gates';

interface Condition { type: string; status: string; reason?: string; message?: string; lastProbeTime?: string | null; lastTransitionTime?: string }
interface Term { labelSelector?: { matchExpressions?: Array<{ key: string; operator: string; values?: string[] }> }; matchLabelKeys?: string[]; mismatchLabelKeys?: string[] }
interface Weighted { podAffinityTerm?: Term }
interface Affinity { requiredDuringSchedulingIgnoredDuringExecution?: Term[]; preferredDuringSchedulingIgnoredDuringExecution?: Weighted[] }

/** Adds the SchedulingGated condition to a gated pod that has no PodScheduled condition yet. */
export function applySchedulingGatedCondition(pod: KubeObject, now: string): void {
  if (!pod.spec?.schedulingGates?.length) return;
  pod.status ??= {};
  const conditions = (pod.status.conditions ??= []) as Condition[];
  if (conditions.some((c) => c.type === 'PodScheduled')) return;
  // podutil.UpdatePodCondition stamps a new condition's lastTransitionTime.
  conditions.push({ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated', message: SCHEDULING_GATED_MESSAGE, lastProbeTime: null, lastTransitionTime: now });
}

function applyLabelKeys(term: Term | undefined, labels: Record<string, string>): void {
  if (!term?.labelSelector || (!term.matchLabelKeys?.length && !term.mismatchLabelKeys?.length)) return;
  const sel = term.labelSelector;
  const add = (keys: string[] | undefined, operator: string) => {
    for (const key of keys ?? []) {
      if (!Object.prototype.hasOwnProperty.call(labels, key)) continue;
      (sel.matchExpressions ??= []).push({ key, operator, values: [labels[key]!] });
    }
  };
  add(term.matchLabelKeys, 'In');
  add(term.mismatchLabelKeys, 'NotIn');
}

/** Merges matchLabelKeys / mismatchLabelKeys into every pod (anti-)affinity term's labelSelector. */
export function mutatePodAffinity(pod: KubeObject): void {
  const affinity = pod.spec?.affinity as { podAffinity?: Affinity; podAntiAffinity?: Affinity } | undefined;
  if (!affinity) return;
  const labels = (pod.metadata?.labels ?? {}) as Record<string, string>;
  for (const a of [affinity.podAffinity, affinity.podAntiAffinity]) {
    for (const w of a?.preferredDuringSchedulingIgnoredDuringExecution ?? []) applyLabelKeys(w.podAffinityTerm, labels);
    for (const t of a?.requiredDuringSchedulingIgnoredDuringExecution ?? []) applyLabelKeys(t, labels);
  }
}
