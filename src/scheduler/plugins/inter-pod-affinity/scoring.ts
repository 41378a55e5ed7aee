/**
 * InterPodAffinity scoring (upstream plugins/interpodaffinity/scoring.go). Every existing pod adds
 * to its node's topology domains: the incoming pod's preferred affinity (+weight) and anti-affinity
 * (-weight) terms that select it, and, symmetrically, its own terms that select the incoming pod:
 * required affinity (+hardPodAffinityWeight, 1), preferred affinity (+weight), preferred
 * anti-affinity (-weight). A node scores the sum over its domains, scaled to 0-100 between the
 * lowest and highest node. Skipped when nothing adds anything.
 */
import type { PreScorePlugin, ScorePlugin } from '../../framework/interface.js';
import type { NodeInfo } from '../../framework/node-info.js';
import { termMatches, type AffinityTerm, type NamespaceLabels } from '../../framework/pod-info.js';
import { Status } from '../../framework/status.js';
import { MAX_NODE_SCORE } from '../../framework/types.js';

const SCORE_KEY = 'PreScoreInterPodAffinity';
/** Upstream InterPodAffinityArgs.hardPodAffinityWeight default. */
export const HARD_POD_AFFINITY_WEIGHT = 1;

/** topologyKey -> value -> score. */
type TopologyScore = Map<string, Map<string, number>>;

function add(m: TopologyScore, term: AffinityTerm, weight: number, node: NodeInfo): void {
  const v = node.node.metadata.labels?.[term.topologyKey];
  if (v === undefined || weight === 0) return;
  let byValue = m.get(term.topologyKey);
  if (!byValue) m.set(term.topologyKey, (byValue = new Map()));
  byValue.set(v, (byValue.get(v) ?? 0) + weight);
}

export function affinityScoring(): Pick<PreScorePlugin & ScorePlugin, 'preScore' | 'score' | 'normalizeScore'> {
  return {
    preScore(state, pod, _nodes, snapshot) {
      const own = [
        ...pod.preferredAffinityTerms.map((t) => ({ t, w: t.weight })),
        ...pod.preferredAntiAffinityTerms.map((t) => ({ t, w: -t.weight })),
      ];
      const ns: NamespaceLabels = snapshot.namespaceLabels;
      const m: TopologyScore = new Map();
      // Without terms of its own, only pods with terms can add anything (upstream HavePodsWithAffinityList).
      for (const node of own.length ? snapshot.nodes : snapshot.havePodsWithAffinity()) {
        if (!node.node.metadata.labels || Object.keys(node.node.metadata.labels).length === 0) continue;
        for (const existing of own.length ? node.pods : node.podsWithAffinity) {
          for (const { t, w } of own) if (termMatches(t, existing.pod, ns)) add(m, t, w, node);
          for (const t of existing.requiredAffinityTerms) if (termMatches(t, pod.pod, ns)) add(m, t, HARD_POD_AFFINITY_WEIGHT, node);
          for (const t of existing.preferredAffinityTerms) if (termMatches(t, pod.pod, ns)) add(m, t, t.weight, node);
          for (const t of existing.preferredAntiAffinityTerms) if (termMatches(t, pod.pod, ns)) add(m, t, -t.weight, node);
        }
      }
      if (m.size === 0) return Status.SKIP;
      state.write(SCORE_KEY, m);
      return Status.SUCCESS;
    },
    score(state, _pod, node) {
      const m = state.read<TopologyScore>(SCORE_KEY);
      let total = 0;
      for (const [key, byValue] of m) {
        const v = node.node.metadata.labels?.[key];
        if (v !== undefined) total += byValue.get(v) ?? 0;
      }
      return total;
    },
    normalizeScore(_state, _pod, scores) {
      let min = Infinity;
      let max = -Infinity;
      for (const s of scores) {
        min = Math.min(min, s);
        max = Math.max(max, s);
      }
      for (let i = 0; i < scores.length; i++) {
        scores[i] = max > min ? Math.trunc((MAX_NODE_SCORE * (scores[i]! - min)) / (max - min)) : 0;
      }
    },
  };
}
