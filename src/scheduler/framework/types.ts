/** The API shapes the scheduler reads: the kinds' own Pod, Node and Taint (src/api/kinds/core). */
import type { KubeObject } from '../../api/meta.js';
import type { Pod as ApiPod } from '../../api/kinds/core/pod.js';
import type { PodSpec } from '../../api/kinds/core/pod-spec.js';

/** A Pod as served: validation makes spec required, so the scheduler relies on it. */
export type Pod = ApiPod & { spec: PodSpec };
export type { Node, Taint } from '../../api/kinds/core/node.js';

/** The highest score a Score plugin may give after normalisation (framework.MaxNodeScore). */
export const MAX_NODE_SCORE = 100;
/** The label every node carries with its name; the topology key of per-node spreading. */
export const LABEL_HOSTNAME = 'kubernetes.io/hostname';
export const LABEL_ZONE = 'topology.kubernetes.io/zone';
/** The taint that `spec.unschedulable` (kubectl cordon) stands for. */
export const TAINT_NODE_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';
export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';

/** The key the scheduler files a pod under: namespace/name (unique among live pods). */
export function podKey(pod: KubeObject): string {
  return `${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`;
}
