/**
 * DefaultPreemption's decisions, pure (upstream pkg/scheduler/framework/plugins/defaultpreemption
 * and framework/preemption): whether a pod may preempt at all, the fewest and least important
 * lower-priority pods to remove from one node so the pod fits (reprieving budget-violating victims
 * first), and the node whose victims hurt least.
 */
import { budgetSelects, type PodDisruptionBudget } from '../../../api/kinds/policy/pod-disruption-budget.js';
import type { NodeInfo } from '../../framework/node-info.js';
import type { PodInfo } from '../../framework/pod-info.js';
import type { Pod } from '../../framework/types.js';

/** corev1helpers.PodPriority: spec.priority, 0 when unset. */
export function podPriority(pod: Pod): number {
  return pod.spec.priority ?? 0;
}

function startTime(pod: Pod): number {
  const t = Date.parse(pod.status?.startTime ?? pod.metadata.creationTimestamp ?? '');
  return Number.isNaN(t) ? Number.MAX_SAFE_INTEGER : t;
}

/** MoreImportantPod: higher priority, then the earlier start. */
export function moreImportant(a: Pod, b: Pod): boolean {
  const pa = podPriority(a), pb = podPriority(b);
  if (pa !== pb) return pa > pb;
  return startTime(a) < startTime(b);
}

/**
 * PodEligibleToPreemptOthers: not with preemptionPolicy Never; not again while a lower-priority pod
 * on its nominated node is still terminating (unless that node now rejects it for good).
 * Returns the reason when not eligible.
 */
export function notEligibleReason(pod: Pod, nominated: NodeInfo | undefined, nominatedUnresolvable: boolean): string | undefined {
  if (pod.spec.preemptionPolicy === 'Never') return 'not eligible due to preemptionPolicy=Never.';
  if (pod.status?.nominatedNodeName && nominated && !nominatedUnresolvable) {
    const prio = podPriority(pod);
    if (nominated.pods.some((p) => p.pod.metadata.deletionTimestamp && podPriority(p.pod) < prio)) return 'not eligible due to a terminating pod on the nominated node.';
  }
  return undefined;
}

/**
 * filterPodsWithPDBViolation: walking pods in order, each one spends a disruption of every budget
 * that selects it (unless the budget already counts it as disrupted); a pod that drives a budget
 * below zero is violating.
 */
export function splitByBudgetViolation(pods: readonly PodInfo[], pdbs: readonly PodDisruptionBudget[]): { violating: PodInfo[]; nonViolating: PodInfo[] } {
  const allowed = pdbs.map((b) => b.status?.disruptionsAllowed ?? 0);
  const violating: PodInfo[] = [];
  const nonViolating: PodInfo[] = [];
  for (const info of pods) {
    const pod = info.pod;
    let violated = false;
    if (Object.keys(pod.metadata.labels ?? {}).length) {
      pdbs.forEach((pdb, i) => {
        if (!budgetSelects(pdb, pod)) return;
        if (pdb.status?.disruptedPods?.[pod.metadata.name!] !== undefined) return;
        allowed[i]!--;
        if (allowed[i]! < 0) violated = true;
      });
    }
    (violated ? violating : nonViolating).push(info);
  }
  return { violating, nonViolating };
}

export interface Victims {
  pods: PodInfo[];
  numPDBViolations: number;
}

/**
 * SelectVictimsOnNode: remove every lower-priority pod; if the preemptor then fits, add them back
 * one by one, most important first (budget-violating ones before the others) and keep as victims
 * only those without which it no longer fits. Undefined when removing them all does not help.
 */
export function selectVictimsOnNode(preemptor: PodInfo, node: NodeInfo, pdbs: readonly PodDisruptionBudget[], fits: (n: NodeInfo) => boolean): Victims | undefined {
  const prio = podPriority(preemptor.pod);
  const lower = node.pods.filter((p) => podPriority(p.pod) < prio);
  if (lower.length === 0) return undefined;
  let n = node;
  for (const p of lower) n = n.withoutPod(p.key);
  if (!fits(n)) return undefined;
  const sorted = [...lower].sort((a, b) => (moreImportant(a.pod, b.pod) ? -1 : moreImportant(b.pod, a.pod) ? 1 : 0));
  const { violating, nonViolating } = splitByBudgetViolation(sorted, pdbs);
  const victims: PodInfo[] = [];
  let numPDBViolations = 0;
  const reprieve = (p: PodInfo, isViolating: boolean) => {
    const with_ = n.withPod(p);
    if (fits(with_)) {
      n = with_;
      return;
    }
    victims.push(p);
    if (isViolating) numPDBViolations++;
  };
  for (const p of violating) reprieve(p, true);
  for (const p of nonViolating) reprieve(p, false);
  victims.sort((a, b) => (moreImportant(a.pod, b.pod) ? -1 : moreImportant(b.pod, a.pod) ? 1 : 0));
  return { pods: victims, numPDBViolations };
}

/**
 * pickOneNodeForPreemption: a node needing no victims at once; else the fewest budget violations,
 * then the lowest highest-victim priority, the lowest sum of priorities, the fewest victims, and
 * the latest start among the highest-priority victims; then the first.
 */
export function pickOneNode(candidates: ReadonlyMap<string, Victims>): string | undefined {
  if (candidates.size === 0) return undefined;
  for (const [name, v] of candidates) if (v.pods.length === 0) return name;
  let names = [...candidates.keys()];
  const keepMin = (score: (v: Victims) => number) => {
    let best = Infinity;
    for (const n of names) best = Math.min(best, score(candidates.get(n)!));
    names = names.filter((n) => score(candidates.get(n)!) === best);
  };
  keepMin((v) => v.numPDBViolations);
  keepMin((v) => podPriority(v.pods[0]!.pod));
  // Upstream shifts each priority by MaxInt32+1 so the sum of negative priorities stays ordered.
  keepMin((v) => v.pods.reduce((s, p) => s + podPriority(p.pod) + 2 ** 31, 0));
  keepMin((v) => v.pods.length);
  keepMin((v) => {
    const top = podPriority(v.pods[0]!.pod);
    return -Math.min(...v.pods.filter((p) => podPriority(p.pod) === top).map((p) => startTime(p.pod)));
  });
  return names[0];
}
