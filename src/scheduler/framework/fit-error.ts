/**
 * Why a pod fits nowhere, worded as upstream's FitError.Error():
 * `0/3 nodes are available: 1 node(s) had untolerated taint {k: v}, 2 Insufficient cpu.`
 * Reasons are counted per node, printed as "<count> <reason>", sorted as strings, joined by ", ".
 * A PreFilter rejection stands for all nodes and is printed once instead of the histogram; a
 * PostFilter (preemption) message is appended. With no PostFilter plugins nothing is appended.
 */
import type { Status } from './status.js';

/** Upstream ErrNoNodesAvailable: the message when the cluster has no nodes at all. */
export const NO_NODES_AVAILABLE = 'no nodes available to schedule pods';

export interface Diagnosis {
  /** Node name -> why the pod does not fit it (only nodes that were checked and rejected). */
  nodeStatuses: Map<string, Status>;
  /**
   * Why the nodes missing from nodeStatuses do not fit, when a PreFilter narrowed the pod to some
   * nodes (upstream NodeToStatus.AbsentNodesStatus); counted once per such node.
   */
  absentStatus?: Status;
  /** Number of nodes in the snapshot. */
  numAllNodes: number;
  /** Plugins that rejected the pod somewhere: the queue wakes the pod on events that could help them. */
  unschedulablePlugins: Set<string>;
  preFilterMsg?: string;
  postFilterMsg?: string;
}

export function fitErrorMessage(d: Diagnosis): string {
  if (d.numAllNodes === 0) return NO_NODES_AVAILABLE;
  let msg = `0/${d.numAllNodes} nodes are available:`;
  if (d.preFilterMsg) {
    msg += ` ${d.preFilterMsg}.`;
  } else {
    const histogram = new Map<string, number>();
    for (const st of d.nodeStatuses.values()) {
      for (const r of st.reasons) histogram.set(r, (histogram.get(r) ?? 0) + 1);
    }
    const absent = d.numAllNodes - d.nodeStatuses.size;
    if (d.absentStatus && absent > 0) {
      for (const r of d.absentStatus.reasons) histogram.set(r, (histogram.get(r) ?? 0) + absent);
    }
    // Go's sort.Strings orders by bytes; plain < on these ASCII strings does the same.
    const parts = [...histogram].map(([reason, n]) => `${n} ${reason}`).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    if (parts.length) msg += ` ${parts.join(', ')}.`;
  }
  if (d.postFilterMsg) msg += ` ${d.postFilterMsg}.`;
  return msg;
}
