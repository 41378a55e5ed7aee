/**
 * The extension points (upstream framework/interface.go). A plugin is an object with a `name` that
 * implements only the points it needs; the framework calls them in this order per pod:
 * PreFilter -> Filter (per node) -> PostFilter (only when no node fits) -> PreScore -> Score (per
 * feasible node) -> NormalizeScore -> Reserve -> Bind (asynchronous, outside the cycle).
 * Everything up to Reserve reads only the Snapshot: a cycle is a pure function of it.
 */
import type { CycleState } from './cycle-state.js';
import type { NodeInfo } from './node-info.js';
import type { PodInfo } from './pod-info.js';
import type { Snapshot } from './snapshot.js';
import type { Status } from './status.js';

export interface Plugin {
  readonly name: string;
}

/**
 * Runs once per cycle before any Filter: computes per-pod state into CycleState. Returning Skip means
 * the plugin's Filter is not needed for this pod; a rejection fails the pod on every node at once
 * (the message then stands for all nodes, as upstream's PreFilterMsg).
 */
export interface PreFilterPlugin extends Plugin {
  preFilter(state: CycleState, pod: PodInfo, snapshot: Snapshot): Status | PreFilterResult;
}

/**
 * A successful PreFilter that also names the only nodes the pod may go to (upstream
 * PreFilterResult.NodeNames; NodeAffinity's `matchFields metadata.name In`, as DaemonSet pods
 * carry). The framework filters only those; every other node counts as rejected with
 * `node(s) didn't satisfy plugin(s) [<plugins>]`.
 */
export interface PreFilterResult {
  status: Status;
  nodeNames: ReadonlySet<string>;
}

/** The status and the node names (undefined: all nodes) of a PreFilter's answer. */
export function preFilterParts(r: Status | PreFilterResult): { status: Status; nodeNames?: ReadonlySet<string> } {
  return 'nodeNames' in r ? r : { status: r };
}

/** Whether the pod fits one node. Must not look at other nodes except through CycleState/Snapshot. */
export interface FilterPlugin extends Plugin {
  filter(state: CycleState, pod: PodInfo, node: NodeInfo): Status;
}

/**
 * Runs when no node fits (upstream: preemption). May return a nominated node name and a message;
 * an empty name clears the pod's nomination (upstream NominatingInfo ModeOverride with ""),
 * undefined leaves it as it is.
 */
export interface PostFilterPlugin extends Plugin {
  postFilter(state: CycleState, pod: PodInfo, snapshot: Snapshot, statuses: ReadonlyMap<string, Status>): { nominatedNode?: string; status: Status };
}

/** Runs once before Score with the feasible nodes; Skip turns this plugin's Score off for the pod. */
export interface PreScorePlugin extends Plugin {
  preScore(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[], snapshot: Snapshot): Status;
}

/**
 * Ranks a feasible node. Scores are in [0, MAX_NODE_SCORE] after `normalizeScore` (if defined),
 * which sees every node's raw score at once and rewrites them in place.
 */
export interface ScorePlugin extends Plugin {
  score(state: CycleState, pod: PodInfo, node: NodeInfo): number;
  normalizeScore?(state: CycleState, pod: PodInfo, scores: number[]): void;
}

/** Called when a node is chosen (reserve) or the reservation is given up (unreserve). */
export interface ReservePlugin extends Plugin {
  reserve(state: CycleState, pod: PodInfo, nodeName: string): Status;
  unreserve(state: CycleState, pod: PodInfo, nodeName: string): void;
}

/**
 * Runs after Reserve, outside the cycle, before Bind: makes what the pod needs real first (e.g.
 * VolumeBinding's volume bindings) and may wait for it. A failure unreserves and requeues the pod.
 */
export interface PreBindPlugin extends Plugin {
  preBind(state: CycleState, pod: PodInfo, nodeName: string): Promise<Status>;
}

/** Makes the placement real (the pods/binding subresource). Runs outside the cycle. */
export interface BindPlugin extends Plugin {
  bind(pod: PodInfo, nodeName: string): Promise<Status>;
}

export type AnyPlugin = Plugin & Partial<PreFilterPlugin & FilterPlugin & PostFilterPlugin & PreScorePlugin & ScorePlugin & ReservePlugin & PreBindPlugin & BindPlugin>;

export const isPreFilter = (p: AnyPlugin): p is PreFilterPlugin & AnyPlugin => typeof p.preFilter === 'function';
export const isFilter = (p: AnyPlugin): p is FilterPlugin & AnyPlugin => typeof p.filter === 'function';
export const isPostFilter = (p: AnyPlugin): p is PostFilterPlugin & AnyPlugin => typeof p.postFilter === 'function';
export const isPreScore = (p: AnyPlugin): p is PreScorePlugin & AnyPlugin => typeof p.preScore === 'function';
export const isScore = (p: AnyPlugin): p is ScorePlugin & AnyPlugin => typeof p.score === 'function';
export const isReserve = (p: AnyPlugin): p is ReservePlugin & AnyPlugin => typeof p.reserve === 'function';
export const isPreBind = (p: AnyPlugin): p is PreBindPlugin & AnyPlugin => typeof p.preBind === 'function';
export const isBind = (p: AnyPlugin): p is BindPlugin & AnyPlugin => typeof p.bind === 'function';
