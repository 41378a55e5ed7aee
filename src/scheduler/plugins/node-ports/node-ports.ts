/**
 * NodePorts: a pod asking for a host port fits only nodes where no pod holds the same protocol and
 * port on the same host IP (0.0.0.0 collides with every IP).
 */
import type { FilterPlugin, PreFilterPlugin } from '../../framework/interface.js';
import { Status } from '../../framework/status.js';

export const NAME = 'NodePorts';
/** Upstream's ErrReason. */
export const ERR_REASON = "node(s) didn't have free ports for the requested pod ports";

export function newNodePorts(): PreFilterPlugin & FilterPlugin {
  return {
    name: NAME,
    preFilter(_state, pod) {
      return pod.hostPorts.length ? Status.SUCCESS : Status.SKIP;
    },
    filter(_state, pod, node) {
      for (const hp of pod.hostPorts) if (node.portInUse(hp)) return Status.unschedulable(ERR_REASON);
      return Status.SUCCESS;
    },
  };
}
