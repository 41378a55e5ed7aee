/**
 * RollingUpdate as a pure decision (upstream DaemonSetsController.rollingUpdate, update.go).
 *
 * Without surge: delete old pods, as many as keeps unavailable pods within maxUnavailable (old
 * pods that are not available anyway go at once, and count as unavailable); the core loop then creates the new pods on those
 * nodes. With surge: create a new pod beside an available old one on up to maxSurge nodes (at once
 * where the old one is unavailable), and delete the old pod once the new one is available; old pods
 * on nodes that no longer fit go only while more than the desired number stay available.
 * Terminating pods count as neither old nor new, so an update progresses past nodes that are down.
 */
import { isPodAvailable } from '../../controller-runtime/workload/pod-state.js';
import type { Pod } from '../../api/kinds/core/pod.js';
import { isPodUpdated, templateGeneration } from './daemon-pod.js';
import type { ManageInput } from './manage.js';
import { rolloutBudgets } from './rollout-math.js';

export type RollingInput = Omit<ManageInput, 'failedPodDelay'>;

export interface RollingPlan {
  deletePods: Readonly<Pod>[];
  createOn: string[];
}

/** findUpdatedPodsOnNode: at most one new and one old live pod, else not ok (the core loop cleans up). */
export function updatedPodsOnNode(pods: readonly Readonly<Pod>[], hash: string, generation: number | undefined): { newPod?: Readonly<Pod>; oldPod?: Readonly<Pod>; ok: boolean } {
  let newPod: Readonly<Pod> | undefined;
  let oldPod: Readonly<Pod> | undefined;
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue;
    if (isPodUpdated(pod, hash, generation)) {
      if (newPod) return { ok: false };
      newPod = pod;
    } else {
      if (oldPod) return { ok: false };
      oldPod = pod;
    }
  }
  return { newPod, oldPod, ok: true };
}

export function planRollingUpdate(input: RollingInput): RollingPlan {
  const { ds, hash, now } = input;
  const minReady = ds.spec?.minReadySeconds ?? 0;
  const generation = templateGeneration(ds);
  const available = (p: Readonly<Pod>) => isPodAvailable(p, minReady, now);
  const nodesByName = new Map(input.nodes.map((n) => [n.metadata.name!, n]));
  const shouldRun = (name: string) => {
    const node = nodesByName.get(name);
    return node ? input.verdict(node).shouldRun : false;
  };

  // updatedDesiredNodeCounts: every node that should run the pod is considered, with or without pods.
  const byNode = new Map<string, readonly Readonly<Pod>[]>(input.podsByNode);
  let desired = 0;
  for (const node of input.nodes) {
    if (!input.verdict(node).shouldRun) continue;
    desired++;
    if (!byNode.has(node.metadata.name!)) byNode.set(node.metadata.name!, []);
  }
  const { maxSurge, maxUnavailable } = rolloutBudgets(ds, desired);

  if (maxSurge === 0) {
    let numUnavailable = 0;
    const replacements: Readonly<Pod>[] = [];
    const candidates: Readonly<Pod>[] = [];
    for (const pods of byNode.values()) {
      const { newPod, oldPod, ok } = updatedPodsOnNode(pods, hash, generation);
      if (!ok || (!oldPod && !newPod) || (oldPod && newPod)) {
        numUnavailable++;
      } else if (newPod) {
        if (!available(newPod)) numUnavailable++;
      } else if (oldPod) {
        // An old pod that is not available goes at once and counts against the budget (kubernetes#123233).
        if (!available(oldPod)) {
          replacements.push(oldPod);
          numUnavailable++;
        } else if (numUnavailable < maxUnavailable) candidates.push(oldPod);
      }
    }
    const remaining = Math.min(Math.max(0, maxUnavailable - numUnavailable), candidates.length);
    return { deletePods: [...replacements, ...candidates.slice(0, remaining)], createOn: [] };
  }

  const deletePods: Readonly<Pod>[] = [];
  const shouldNotRun: Readonly<Pod>[] = [];
  const candidateNodes: string[] = [];
  const allowedNodes: string[] = [];
  let numSurge = 0;
  let numAvailable = 0;
  for (const [name, pods] of byNode) {
    const { newPod, oldPod, ok } = updatedPodsOnNode(pods, hash, generation);
    if (!ok) {
      numSurge++;
      continue;
    }
    if (oldPod ? available(oldPod) : newPod && available(newPod)) numAvailable++;
    if (!oldPod) continue;
    if (!newPod) {
      if (!available(oldPod)) {
        if (!shouldRun(name)) deletePods.push(oldPod);
        else allowedNodes.push(name);
      } else if (!shouldRun(name)) {
        shouldNotRun.push(oldPod);
      } else if (numSurge < maxSurge) {
        candidateNodes.push(name);
      }
    } else if (!available(newPod)) {
      numSurge++;
    } else {
      deletePods.push(oldPod);
    }
  }
  // With surge the owner expects full availability: pods on nodes that stopped fitting go only
  // while more than the desired number are available.
  const deletable = Math.min(Math.max(0, numAvailable - desired), shouldNotRun.length);
  deletePods.push(...shouldNotRun.slice(0, deletable));
  const remaining = Math.min(Math.max(0, maxSurge - numSurge), candidateNodes.length);
  return { deletePods, createOn: [...allowedNodes, ...candidateNodes.slice(0, remaining)] };
}
