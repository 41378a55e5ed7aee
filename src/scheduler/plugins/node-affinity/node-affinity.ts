/**
 * NodeAffinity: spec.nodeSelector and required node affinity decide which nodes a pod may use
 * (Filter); required terms that name nodes (`matchFields metadata.name In`, DaemonSet pods) narrow
 * the cycle to those nodes at PreFilter; preferred node affinity terms add their weights to
 * matching nodes (Score).
 */
import type { NodeAffinity, NodeSelectorTerm } from '../../../api/kinds/core/affinity.js';
import type { FilterPlugin, PreFilterPlugin, PreScorePlugin, ScorePlugin } from '../../framework/interface.js';
import { defaultNormalizeScore } from '../../framework/normalize-score.js';
import type { PodInfo } from '../../framework/pod-info.js';
import { Status } from '../../framework/status.js';
import { compileNodeSelectorTerm, requiredNodeAffinity, type NodeMatcher } from '../../../api/scheduling/node-selector.js';

export const NAME = 'NodeAffinity';
/** Upstream's ErrReasonPod. */
export const ERR_REASON_POD = "node(s) didn't match Pod's node affinity/selector";

/** Upstream's errReasonConflict: every term names nodes, and together they name none. */
export const ERR_REASON_CONFLICT = 'pod affinity terms conflict';

/**
 * The only nodes the required terms allow by name (upstream NodeAffinity PreFilter): the union over
 * terms of each term's `matchFields metadata.name In` sets, intersected within a term. Undefined
 * when some term names no node (terms are ORed, so any node may match it).
 */
export function affinityNodeNames(terms: readonly NodeSelectorTerm[] | undefined): Set<string> | undefined {
  if (!terms?.length) return undefined;
  const union = new Set<string>();
  for (const t of terms) {
    let names: Set<string> | undefined;
    for (const r of t.matchFields ?? []) {
      if (r.key !== 'metadata.name' || r.operator !== 'In') continue;
      const values = new Set(r.values ?? []);
      names = names ? new Set([...names].filter((v) => values.has(v))) : values;
    }
    if (!names) return undefined;
    for (const v of names) union.add(v);
  }
  return union;
}

const FILTER_KEY = `PreFilter${NAME}`;
const SCORE_KEY = `PreScore${NAME}`;

function nodeAffinityOf(pod: PodInfo): NodeAffinity | undefined {
  return pod.pod.spec.affinity?.nodeAffinity;
}

/** Whether the pod's nodeSelector and required node affinity both accept `node` (upstream GetRequiredNodeAffinity().Match). */
export function requiredNodeAffinityMatcher(pod: PodInfo): NodeMatcher | null {
  return requiredNodeAffinity(pod.pod.spec);
}

export function newNodeAffinity(): PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin {
  return {
    name: NAME,
    preFilter(state, pod) {
      const m = requiredNodeAffinityMatcher(pod);
      if (!m) return Status.SKIP;
      state.write(FILTER_KEY, m);
      const names = affinityNodeNames(nodeAffinityOf(pod)?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms);
      if (!names) return Status.SUCCESS;
      if (names.size === 0) return Status.unresolvable(ERR_REASON_CONFLICT);
      return { status: Status.SUCCESS, nodeNames: names };
    },
    filter(state, _pod, node) {
      const m = state.read<NodeMatcher>(FILTER_KEY);
      return m(node.node) ? Status.SUCCESS : Status.unresolvable(ERR_REASON_POD);
    },
    preScore(state, pod) {
      const preferred = nodeAffinityOf(pod)?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
      const terms: Array<{ weight: number; match: NodeMatcher }> = [];
      for (const p of preferred) {
        const match = p.weight ? compileNodeSelectorTerm(p.preference) : null;
        if (match) terms.push({ weight: p.weight, match });
      }
      if (terms.length === 0) return Status.SKIP;
      state.write(SCORE_KEY, terms);
      return Status.SUCCESS;
    },
    score(state, _pod, node) {
      let total = 0;
      for (const t of state.read<Array<{ weight: number; match: NodeMatcher }>>(SCORE_KEY)) if (t.match(node.node)) total += t.weight;
      return total;
    },
    normalizeScore(_state, _pod, scores) {
      defaultNormalizeScore(scores, false);
    },
  };
}
