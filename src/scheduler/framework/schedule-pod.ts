/**
 * One scheduling cycle as a pure function of a snapshot (Nomad's idea, upstream's schedulePod):
 * PreFilter, Filter over enough nodes, PreScore, Score, pick the best. Nothing here writes; the
 * caller reserves (assumes) and binds.
 */
import { CycleState } from './cycle-state.js';
import { fitErrorMessage, type Diagnosis } from './fit-error.js';
import { preFilterParts, type FilterPlugin } from './interface.js';
import type { NodeInfo } from './node-info.js';
import type { PodInfo } from './pod-info.js';
import type { Profile } from './profile.js';
import type { Snapshot } from './snapshot.js';
import { Code, Status } from './status.js';
import { MAX_NODE_SCORE } from './types.js';

/** A list as Go's %v prints a sorted []string: `[a b]`. */
const goList = (names: readonly string[]) => `[${[...names].sort().join(' ')}]`;

/** Below this many nodes every node is checked (upstream minFeasibleNodesToFind). */
export const MIN_FEASIBLE_NODES_TO_FIND = 100;
/** The adaptive percentage never goes below this (upstream minFeasibleNodesPercentageToFind). */
export const MIN_FEASIBLE_NODES_PERCENTAGE = 5;

export interface ScheduleOptions {
  /** Index of the node to start filtering at; rotate it between cycles so all nodes get chances. */
  startIndex?: number;
  /** Picks among equally scored nodes; defaults to Math.random. */
  random?: () => number;
  /** The node as filters must see it for this pod (the scheduler adds pods nominated there by preemption). */
  nodeView?: (pod: PodInfo, node: NodeInfo) => NodeInfo;
}

export type ScheduleResult =
  | { node: string; state: CycleState; evaluatedNodes: number; feasibleNodes: number; nextStartIndex: number }
  /** No fit; `nominatedNode`: a PostFilter (preemption) made room there for the pod ('' : clear the pod's nomination). */
  | { diagnosis: Diagnosis; message: string; state: CycleState; nextStartIndex: number; nominatedNode?: string }
  | { error: Status; state: CycleState; nextStartIndex: number };

/** How many feasible nodes to find before scoring (upstream numFeasibleNodesToFind). */
export function numFeasibleNodesToFind(numAllNodes: number, percentage: number): number {
  if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND) return numAllNodes;
  let pct = percentage;
  if (pct <= 0) pct = Math.max(50 - Math.trunc(numAllNodes / 125), MIN_FEASIBLE_NODES_PERCENTAGE);
  if (pct >= 100) return numAllNodes;
  return Math.max(Math.trunc((numAllNodes * pct) / 100), MIN_FEASIBLE_NODES_TO_FIND);
}

function runFilters(filters: readonly FilterPlugin[], state: CycleState, pod: PodInfo, node: NodeInfo): Status {
  for (const p of filters) {
    const st = p.filter(state, pod, node);
    if (st.code !== Code.Success) return st.withPlugin(p.name);
  }
  return Status.SUCCESS;
}

export function schedulePod(pod: PodInfo, snapshot: Snapshot, profile: Profile, opts: ScheduleOptions = {}): ScheduleResult {
  const state = new CycleState();
  const all = snapshot.nodes;
  const n = all.length;
  const start = n === 0 ? 0 : (opts.startIndex ?? 0) % n;
  const diagnosis: Diagnosis = { nodeStatuses: new Map(), numAllNodes: n, unschedulablePlugins: new Set() };
  const unschedulable = () => {
    let nominatedNode: string | undefined;
    for (const p of profile.postFilter) {
      const r = p.postFilter(state, pod, snapshot, diagnosis.nodeStatuses);
      if (r.status.reasons.length) diagnosis.postFilterMsg = r.status.message();
      nominatedNode ??= r.nominatedNode;
    }
    return { diagnosis, message: fitErrorMessage(diagnosis), state, nextStartIndex: start, ...(nominatedNode !== undefined ? { nominatedNode } : {}) };
  };
  if (n === 0) return unschedulable();

  // Node names PreFilter plugins narrowed the pod to (intersected), and which plugins did.
  let allowed: Set<string> | undefined;
  const withNodes: string[] = [];
  const reject = (s: Status) => {
    for (const node of all) diagnosis.nodeStatuses.set(node.name, s);
    diagnosis.preFilterMsg = s.message();
    return unschedulable();
  };
  // Upstream RunPreFilterPlugins: UnschedulableAndUnresolvable ends PreFilter at once; Unschedulable
  // lets the rest run (their state may be needed by preemption, kubernetes#119770) and the last one
  // is the answer.
  let rejected: Status | undefined;
  for (const p of profile.preFilter) {
    const { status: st, nodeNames } = preFilterParts(p.preFilter(state, pod, snapshot));
    if (st.code === Code.Skip) state.skipFilter.add(p.name);
    else if (st.code === Code.Error) return { error: st.withPlugin(p.name), state, nextStartIndex: start };
    else if (st.code === Code.Unschedulable) rejected = st.withPlugin(p.name);
    else if (st.code !== Code.Success) {
      diagnosis.unschedulablePlugins.add(p.name);
      return reject(st.withPlugin(p.name));
    } else if (nodeNames) {
      withNodes.push(p.name);
      allowed = new Set(allowed ? [...allowed].filter((x) => nodeNames.has(x)) : nodeNames);
      if (allowed.size === 0) {
        // Upstream RunPreFilterPlugins: the plugins' node sets have nothing in common.
        for (const w of withNodes) diagnosis.unschedulablePlugins.add(w);
        return reject(Status.unresolvable(withNodes.length === 1 ? `node(s) didn't satisfy plugin ${withNodes[0]}` : `node(s) didn't satisfy plugin(s) ${goList(withNodes)} simultaneously`));
      }
    }
  }
  if (rejected) {
    diagnosis.unschedulablePlugins.add(rejected.plugin);
    return reject(rejected);
  }
  // Only the named nodes are filtered; the rest count as rejected by the narrowing plugins
  // (upstream findNodesThatFitPod's absent-nodes status). Names of nodes not in the snapshot drop out.
  let candidates = all;
  if (allowed) {
    const names = allowed;
    candidates = all.filter((node) => names.has(node.name));
    for (const w of withNodes) diagnosis.unschedulablePlugins.add(w);
    diagnosis.absentStatus = Status.unresolvable(`node(s) didn't satisfy plugin(s) ${goList(withNodes)}`);
  }
  const m = candidates.length;

  const filters = profile.filter.filter((p) => !state.skipFilter.has(p.name));
  const want = numFeasibleNodesToFind(m, profile.percentageOfNodesToScore);
  const feasible: NodeInfo[] = [];
  let processed = 0;
  for (; processed < m && feasible.length < want; processed++) {
    const node = candidates[(start + processed) % m]!;
    const st = runFilters(filters, state, pod, opts.nodeView ? opts.nodeView(pod, node) : node);
    if (st.code === Code.Success) feasible.push(node);
    else if (st.code === Code.Error) return { error: st, state, nextStartIndex: start };
    else {
      diagnosis.nodeStatuses.set(node.name, st);
      diagnosis.unschedulablePlugins.add(st.plugin);
    }
  }
  const nextStartIndex = (start + processed) % n;
  if (feasible.length === 0) return { ...unschedulable(), nextStartIndex };
  if (feasible.length === 1) {
    return { node: feasible[0]!.name, state, evaluatedNodes: processed, feasibleNodes: 1, nextStartIndex };
  }

  const totals = prioritize(profile, state, pod, feasible, snapshot);
  if ('error' in totals) return { error: totals.error, state, nextStartIndex };
  const node = selectHost(feasible, totals, opts.random ?? Math.random);
  return { node, state, evaluatedNodes: processed, feasibleNodes: feasible.length, nextStartIndex };
}

/** Weighted sum of every score plugin's normalised score, per feasible node. */
export function prioritize(profile: Profile, state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[], snapshot: Snapshot): number[] | { error: Status } {
  for (const p of profile.preScore) {
    const st = p.preScore(state, pod, nodes, snapshot);
    if (st.code === Code.Skip) state.skipScore.add(p.name);
    else if (st.code !== Code.Success) return { error: st.withPlugin(p.name) };
  }
  const totals = new Array<number>(nodes.length).fill(0);
  const scores = new Array<number>(nodes.length);
  for (const { plugin, weight } of profile.score) {
    if (state.skipScore.has(plugin.name)) continue;
    for (let i = 0; i < nodes.length; i++) scores[i] = plugin.score(state, pod, nodes[i]!);
    plugin.normalizeScore?.(state, pod, scores);
    for (let i = 0; i < nodes.length; i++) {
      const s = scores[i]!;
      if (s < 0 || s > MAX_NODE_SCORE) {
        return { error: Status.error(new Error(`plugin "${plugin.name}" returns an invalid score ${s}, it should in the range of [0, ${MAX_NODE_SCORE}] after normalizing`)) };
      }
      totals[i]! += s * weight;
    }
  }
  return totals;
}

/** The highest total; among equals, one chosen uniformly at random (reservoir sampling, as upstream). */
export function selectHost(nodes: readonly NodeInfo[], totals: readonly number[], random: () => number): string {
  let best = 0;
  let ties = 1;
  for (let i = 1; i < nodes.length; i++) {
    if (totals[i]! > totals[best]!) {
      best = i;
      ties = 1;
    } else if (totals[i] === totals[best]) {
      ties++;
      if (random() * ties < 1) best = i;
    }
  }
  return nodes[best]!.name;
}
