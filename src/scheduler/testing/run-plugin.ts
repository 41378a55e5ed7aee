/** Runs one plugin the way the framework would, for table-driven plugin tests. */
import { CycleState } from '../framework/cycle-state.js';
import { preFilterParts, type AnyPlugin } from '../framework/interface.js';
import type { NodeInfo } from '../framework/node-info.js';
import type { PodInfo } from '../framework/pod-info.js';
import { Snapshot } from '../framework/snapshot.js';
import { Code, Status } from '../framework/status.js';

/**
 * PreFilter (against a snapshot of `nodes`, or just `node`), then Filter on `node`. A PreFilter
 * Skip means the Filter does not run and the node fits; a PreFilter rejection is returned as is, and
 * a node the PreFilter's node names leave out is rejected as the framework rejects it.
 */
export function runFilter(plugin: AnyPlugin, pod: PodInfo, node: NodeInfo, nodes: NodeInfo[] = [node]): Status {
  const state = new CycleState();
  if (plugin.preFilter) {
    const { status: st, nodeNames } = preFilterParts(plugin.preFilter(state, pod, new Snapshot(nodes)));
    if (nodeNames && !nodeNames.has(node.name)) return Status.unresolvable(`node(s) didn't satisfy plugin(s) [${plugin.name}]`);
    if (st.code === Code.Skip) return Status.SUCCESS;
    if (st.code !== Code.Success) return st;
  }
  return plugin.filter!(state, pod, node);
}

/** PreScore, Score and NormalizeScore over `nodes`; null when PreScore says Skip. */
export function runScore(plugin: AnyPlugin, pod: PodInfo, nodes: NodeInfo[]): number[] | null {
  const state = new CycleState();
  if (plugin.preScore) {
    const st = plugin.preScore(state, pod, nodes, new Snapshot(nodes));
    if (st.code === Code.Skip) return null;
  }
  const scores = nodes.map((n) => plugin.score!(state, pod, n));
  plugin.normalizeScore?.(state, pod, scores);
  return scores;
}
