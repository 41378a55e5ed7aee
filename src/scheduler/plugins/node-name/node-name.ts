/** NodeName: a pod that names a node (spec.nodeName) fits only that node. */
import type { FilterPlugin } from '../../framework/interface.js';
import { Status } from '../../framework/status.js';

export const NAME = 'NodeName';
/** Upstream's ErrReason. */
export const ERR_REASON = "node(s) didn't match the requested node name";

export function newNodeName(): FilterPlugin {
  return {
    name: NAME,
    filter(_state, pod, node) {
      const want = pod.pod.spec.nodeName;
      if (!want || want === node.name) return Status.SUCCESS;
      return Status.unresolvable(ERR_REASON);
    },
  };
}
