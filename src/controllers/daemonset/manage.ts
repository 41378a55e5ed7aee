/**
 * The DaemonSet's core loop as a pure decision (upstream DaemonSetsController.manage and
 * podsShouldBeOnNode): which nodes need a daemon pod and which pods must go, given the nodes, the
 * claimed pods by target node, and the current revision hash.
 *
 * Per node: eligible without a pod -> create; a pod that may stay -> delete Succeeded pods and
 * Failed ones (with a per-node back-off, as upstream's failedPodsBackoff), and extra pods (without
 * surge all but the oldest; with surge one old and one new at most, the old one going once the new
 * one is available or when it is not ready); a node that may not keep its pod -> delete them all.
 * Unscheduled pods aimed at nodes that no longer exist are deleted too.
 */
import type { DaemonSet, Node } from '../../api/kinds/index.js';
import { isPodAvailable, isPodReady } from '../../controller-runtime/workload/pod-state.js';
import type { Pod } from '../../api/kinds/core/pod.js';
import { REVISION_HASH_LABEL } from './daemon-pod.js';
import type { NodeVerdict } from './node-eligibility.js';
import { surgeCount } from './rollout-math.js';

export interface ManageInput {
  ds: Readonly<DaemonSet>;
  nodes: readonly Readonly<Node>[];
  /** Claimed pods by target node (terminating ones included, terminal-and-deleting ones not). */
  podsByNode: ReadonlyMap<string, readonly Readonly<Pod>[]>;
  hash: string;
  now: number;
  verdict: (node: Readonly<Node>) => NodeVerdict;
  /** For a Failed pod on `node`: 0 to delete it now, or ms to wait (the back-off is running). */
  failedPodDelay: (nodeName: string) => number;
}

export interface ManagePlan {
  createOn: string[];
  deletePods: Readonly<Pod>[];
  /** Failed pods that are being deleted (for the FailedDaemonPod warning). */
  failedPods: { pod: Readonly<Pod>; node: string }[];
  /** Look again after this long (a failed pod's back-off). */
  requeueAfterMs?: number;
}

/** podByCreationTimestampAndPhase: scheduled pods first, then oldest first, then by name. */
export function byAgeScheduledFirst(a: Readonly<Pod>, b: Readonly<Pod>): number {
  const sa = !!a.spec?.nodeName;
  const sb = !!b.spec?.nodeName;
  if (sa !== sb) return sa ? -1 : 1;
  const ta = a.metadata.creationTimestamp ?? '';
  const tb = b.metadata.creationTimestamp ?? '';
  if (ta === tb) return (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1;
  return ta < tb ? -1 : 1;
}

export function planManage(input: ManageInput): ManagePlan {
  const { ds, podsByNode, hash, now } = input;
  const plan: ManagePlan = { createOn: [], deletePods: [], failedPods: [] };
  const minReady = ds.spec?.minReadySeconds ?? 0;
  const allowsSurge = surgeCount(ds, 1) !== 0;
  for (const node of input.nodes) {
    const name = node.metadata.name!;
    const { shouldRun, shouldContinueRunning } = input.verdict(node);
    const pods = podsByNode.get(name);
    if (shouldRun && !pods) {
      plan.createOn.push(name);
    } else if (shouldContinueRunning) {
      const running: Readonly<Pod>[] = [];
      for (const pod of pods ?? []) {
        if (pod.metadata.deletionTimestamp) continue;
        const phase = pod.status?.phase;
        if (phase === 'Failed') {
          const wait = input.failedPodDelay(name);
          if (wait > 0) {
            plan.requeueAfterMs = Math.min(plan.requeueAfterMs ?? Infinity, wait);
            continue;
          }
          plan.deletePods.push(pod);
          plan.failedPods.push({ pod, node: name });
        } else if (phase === 'Succeeded') {
          plan.deletePods.push(pod);
        } else {
          running.push(pod);
        }
      }
      running.sort(byAgeScheduledFirst);
      if (!allowsSurge) {
        plan.deletePods.push(...running.slice(1));
        continue;
      }
      if (running.length <= 1) {
        // Racing with the kubelet: the pod is going away, so bring up a new one.
        if (running.length === 0 && shouldRun) plan.createOn.push(name);
        continue;
      }
      // Surge: keep the oldest new and the oldest old pod; the old one goes when it is not ready or the new one is available.
      let oldestNew: Readonly<Pod> | undefined;
      let oldestOld: Readonly<Pod> | undefined;
      for (const pod of running) {
        if (pod.metadata.labels?.[REVISION_HASH_LABEL] === hash) {
          if (!oldestNew) {
            oldestNew = pod;
            continue;
          }
        } else if (!oldestOld) {
          oldestOld = pod;
          continue;
        }
        plan.deletePods.push(pod);
      }
      if (oldestNew && oldestOld && (!isPodReady(oldestOld) || isPodAvailable(oldestNew, minReady, now))) plan.deletePods.push(oldestOld);
    } else if (pods) {
      for (const pod of pods) if (!pod.metadata.deletionTimestamp) plan.deletePods.push(pod);
    }
  }
  // getUnscheduledPodsWithoutNode: pods still waiting for a node that is gone.
  const names = new Set(input.nodes.map((n) => n.metadata.name!));
  for (const [node, pods] of podsByNode) {
    if (names.has(node)) continue;
    for (const pod of pods) if (!pod.spec?.nodeName) plan.deletePods.push(pod);
  }
  return plan;
}
