/**
 * Which nodes run a DaemonSet's pod (upstream NodeShouldRunDaemonPod and predicates): the pod the
 * DaemonSet would put there (its template plus daemon tolerations, nodeName set) must fit the
 * node's name, nodeSelector and required node affinity, and tolerate its NoSchedule and NoExecute
 * taints. A pod already there may keep running on a node whose only untolerated taints are
 * NoSchedule ones.
 */
import type { DaemonSet, Node, PodSpec } from '../../api/kinds/index.js';
import { requiredNodeAffinity } from '../../api/scheduling/node-selector.js';
import { findUntoleratedTaint } from '../../api/scheduling/tolerations.js';
import { daemonPodTolerations } from './daemon-pod.js';

export interface NodeVerdict {
  /** A daemon pod should be created here if there is none. */
  shouldRun: boolean;
  /** A daemon pod already here may stay. */
  shouldContinueRunning: boolean;
}

const NO = { shouldRun: false, shouldContinueRunning: false } as const;
const YES = { shouldRun: true, shouldContinueRunning: true } as const;

/** A verdict function for `ds`, computing the template-derived parts once for all nodes. */
export function nodeEligibility(ds: Readonly<DaemonSet>): (node: Readonly<Node>) => NodeVerdict {
  const spec = (ds.spec?.template?.spec ?? {}) as PodSpec;
  const tolerations = daemonPodTolerations(spec);
  const affinity = requiredNodeAffinity(spec);
  return (node) => {
    const name = node.metadata.name!;
    if (spec.nodeName && spec.nodeName !== name) return NO;
    if (affinity && !affinity(node)) return NO;
    const taints = node.spec?.taints;
    if (!findUntoleratedTaint(taints, tolerations, (t) => t.effect === 'NoExecute' || t.effect === 'NoSchedule')) return YES;
    // Scheduled daemon pods keep running if they tolerate the NoExecute taints.
    return { shouldRun: false, shouldContinueRunning: !findUntoleratedTaint(taints, tolerations, (t) => t.effect === 'NoExecute') };
  };
}
