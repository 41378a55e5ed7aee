/**
 * PodTopologySpread scoring (upstream plugins/podtopologyspread/scoring.go) for the pod's
 * `whenUnsatisfiable: ScheduleAnyway` constraints, or, for a pod with no constraints of its own,
 * the plugin's default ones (default-constraints.ts): a node scores the matching pods in its domain of
 * each constraint, weighted by log(number of domains + 2), plus maxSkew - 1; fewer is better after
 * normalising. Feasible nodes missing a constraint's key are ignored (score 0), except under the
 * system defaults, where a node without a zone is still spread by hostname (its zone counted as the
 * domain ""). Domains are counted over every node that carries the keys and passes the constraint's
 * inclusion policies, but only for domains some feasible node is in; hostname domains are counted
 * per node at Score.
 */
import type { PreScorePlugin, ScorePlugin } from '../../framework/interface.js';
import type { NodeInfo } from '../../framework/node-info.js';
import { Status } from '../../framework/status.js';
import { LABEL_HOSTNAME, LABEL_ZONE, MAX_NODE_SCORE } from '../../framework/types.js';
import type { PodInfo } from '../../framework/pod-info.js';
import type { Snapshot } from '../../framework/snapshot.js';
import type { PodGroup } from '../../framework/zone-pod-groups.js';
import { matchesLabels, type LabelSelector } from '../../../api/selectors/index.js';
import { requiredNodeAffinity } from '../../../api/scheduling/node-selector.js';
import { countDomains, countMatching, hasAllKeys, podSpreadConstraints, type SpreadConstraint } from './common.js';
import type { SpreadDefaults, SpreadListers } from './default-constraints.js';

const STATE_KEY = 'PreScorePodTopologySpread';

interface PreScoreState {
  constraints: SpreadConstraint[];
  /** Feasible nodes without every topology key: not scored. */
  ignored: Set<string>;
  /**
   * Per constraint: domain value -> matching pods in it, for the domains of feasible nodes (upstream
   * keys these by topology pair; a pod's constraints have distinct keys, as validation requires);
   * undefined for hostname constraints, counted per node at Score.
   */
  counts: (Map<string, number> | undefined)[];
  /**
   * Per hostname constraint: the cache's pod groups its selector matches, when the snapshot has them
   * (a node's count is then the sum of their per-node counts); undefined: count the node's pods.
   */
  hostGroups: (PodGroup[] | undefined)[];
  /** Per constraint: log(domains among feasible nodes + 2). */
  weights: number[];
  /** The feasible nodes in the order normalizeScore sees their scores. */
  nodes: readonly NodeInfo[];
}

/**
 * A zone constraint's counts over every node from the snapshot's pod groups (zone-pod-groups.ts),
 * when every node counts: nodes without the key too (not requireAll), and no inclusion policy
 * leaves nodes out (the pod has no required node affinity, taints ignored). False: scan the nodes.
 */
function countZonesFromGroups(pod: PodInfo, c: SpreadConstraint, counts: Map<string, number>, matched: Matched): boolean {
  if (c.topologyKey !== LABEL_ZONE || c.honorTaints || (c.honorAffinity && requiredNodeAffinity(pod.pod.spec))) return false;
  const groups = matched(c.selector);
  if (!groups) return false;
  for (const g of groups) {
    for (const [zone, n] of g.zones) {
      const have = counts.get(zone);
      if (have !== undefined) counts.set(zone, have + n);
    }
  }
  return true;
}

/** The cache's pod groups in the pod's namespace that a selector matches; undefined without groups. */
type Matched = (selector: LabelSelector) => PodGroup[] | undefined;

/**
 * Matched groups per selector for one PreScore: the system defaults' zone and hostname constraints
 * share one selector, so the groups are matched once (an empty selector matches none).
 */
function matcher(pod: PodInfo, snapshot: Snapshot): Matched {
  const memo = new Map<LabelSelector, PodGroup[] | undefined>();
  return (selector) => {
    if (memo.has(selector)) return memo.get(selector);
    const groups = snapshot.zonePodGroups(pod.pod.metadata.namespace ?? 'default');
    const out = !groups ? undefined : !selector.nothing && selector.requirements.length === 0 ? [] : [...groups].filter((g) => matchesLabels(selector, g.labels));
    memo.set(selector, out);
    return out;
  };
}

export function spreadScoring(defaults: SpreadDefaults, listers: () => SpreadListers | undefined): Pick<PreScorePlugin & ScorePlugin, 'preScore' | 'score' | 'normalizeScore'> {
  return {
    preScore(state, pod, nodes, snapshot) {
      if (nodes.length === 0 || snapshot.nodes.length === 0) return Status.SKIP;
      let constraints: SpreadConstraint[];
      try {
        constraints = podSpreadConstraints(pod, 'ScheduleAnyway', defaults, listers());
      } catch (err) {
        return Status.error(err);
      }
      if (constraints.length === 0) return Status.SKIP;
      // Only the pod's own constraints and listed defaults need every key (upstream requireAllTopologies).
      const requireAll = !!pod.pod.spec.topologySpreadConstraints?.length || !defaults.systemDefaulted;
      const counts = constraints.map((c) => (c.topologyKey === LABEL_HOSTNAME ? undefined : new Map<string, number>()));
      const matched = matcher(pod, snapshot);
      const hostGroups = constraints.map((c) => (c.topologyKey === LABEL_HOSTNAME ? matched(c.selector) : undefined));
      const s: PreScoreState = { constraints, ignored: new Set(), counts, hostGroups, weights: [], nodes };
      for (const node of nodes) {
        if (requireAll && !hasAllKeys(node, constraints)) {
          s.ignored.add(node.name);
          continue;
        }
        const labels = node.node.metadata.labels;
        for (let i = 0; i < constraints.length; i++) counts[i]?.set(labels?.[constraints[i]!.topologyKey] ?? '', 0);
      }
      s.weights = constraints.map((_, i) => Math.log((counts[i] ? counts[i].size : nodes.length - s.ignored.size) + 2));
      // Hostname domains are counted at Score; zone domains from the cache's groups when they can be.
      const scanned = constraints.filter((c, i) => counts[i] && !(!requireAll && countZonesFromGroups(pod, c, counts[i], matched)));
      if (scanned.length > 0) {
        countDomains(pod, snapshot.nodes, scanned, (c, value, count) => {
          const m = counts[constraints.indexOf(c)]!;
          const have = m.get(value);
          if (have !== undefined) m.set(value, have + count());
        }, requireAll);
      }
      state.write(STATE_KEY, s);
      return Status.SUCCESS;
    },
    score(state, pod, node) {
      const s = state.read<PreScoreState>(STATE_KEY);
      if (s.ignored.size > 0 && s.ignored.has(node.name)) return 0;
      const labels = node.node.metadata.labels;
      if (!labels) return 0;
      let score = 0;
      for (let i = 0; i < s.constraints.length; i++) {
        const c = s.constraints[i]!;
        const v = labels[c.topologyKey];
        if (v === undefined) continue;
        const m = s.counts[i];
        const groups = s.hostGroups[i];
        const cnt = m ? m.get(v) ?? 0 : groups ? groups.reduce((sum, g) => sum + (g.nodes.get(node.name) ?? 0), 0) : countMatching(node, c.selector, pod.pod.metadata.namespace ?? 'default');
        score += cnt * s.weights[i]! + (c.maxSkew - 1);
      }
      return Math.round(score);
    },
    // Fewer matching pods is better: (max + min - score) / max, ignored nodes 0 (upstream NormalizeScore).
    normalizeScore(state, _pod, scores) {
      const s = state.read<PreScoreState>(STATE_KEY);
      let min = Number.MAX_SAFE_INTEGER;
      let max = 0;
      scores.forEach((v, i) => {
        if (s.ignored.has(s.nodes[i]!.name)) return;
        min = Math.min(min, v);
        max = Math.max(max, v);
      });
      for (let i = 0; i < scores.length; i++) {
        if (s.ignored.has(s.nodes[i]!.name)) scores[i] = 0;
        else if (max === 0) scores[i] = MAX_NODE_SCORE;
        else scores[i] = Math.trunc((MAX_NODE_SCORE * (max + min - scores[i]!)) / max);
      }
    },
  };
}
