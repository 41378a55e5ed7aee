/**
 * NodeUnschedulable: a cordoned node (spec.unschedulable) takes no new pods, unless the pod tolerates
 * the node.kubernetes.io/unschedulable:NoSchedule taint that cordoning stands for.
 */
import type { FilterPlugin } from '../../framework/interface.js';
import { Status } from '../../framework/status.js';
import { TAINT_NODE_UNSCHEDULABLE } from '../../framework/types.js';
import { toleratedBy } from '../../../api/scheduling/tolerations.js';

export const NAME = 'NodeUnschedulable';
/** Upstream's ErrReasonUnschedulable. */
export const ERR_REASON_UNSCHEDULABLE = 'node(s) were unschedulable';

export function newNodeUnschedulable(): FilterPlugin {
  return {
    name: NAME,
    filter(_state, pod, node) {
      if (!node.node.spec?.unschedulable) return Status.SUCCESS;
      if (toleratedBy(pod.pod.spec.tolerations, { key: TAINT_NODE_UNSCHEDULABLE, effect: 'NoSchedule' })) return Status.SUCCESS;
      return Status.unresolvable(ERR_REASON_UNSCHEDULABLE);
    },
  };
}
