/**
 * PodTopologySpread scoring (upstream plugins/podtopologyspread/scoring.go) for the pod's
 * `whenUnsatisfiable: ScheduleAnyway` constraints: a node scores the matching pods in its domain of
 * each constraint, weighted by log(number of domains + 2), plus maxSkew - 1; fewer is better after
 * normalising. Feasible nodes missing a constraint's key are ignored (score 0). Domains are counted
 * over every node that carries all keys and passes the constraint's inclusion policies, but only
 * for domains some feasible node is in; hostname domains are counted per node at Score.
 * Pods without ScheduleAnyway constraints are skipped: the cluster default constraints (spreading
 * by Service/ReplicaSet selectors) are SelectorSpread's job here.
 */
import type { PreScorePlugin, ScorePlugin } from '../../framework/interface.js';
import type { NodeInfo } from '../../framework/node-info.js';
import { Status } from '../../framework/status.js';
import { LABEL_HOSTNAME, MAX_NODE_SCORE } from '../../framework/types.js';
import { countDomains, countMatching, hasAllKeys, spreadConstraints, type SpreadConstraint } from './common.js';

const STATE_KEY = 'PreScorePodTopologySpread';

interface PreScoreState {
  constraints: SpreadConstraint[];
  /** Feasible nodes without every topology key: not scored. */
  ignored: Set<string>;
  /** `key\0value` -> matching pods in that domain (not for hostname constraints). */
  pairCounts: Map<string, number>;
  /** Per constraint: log(domains among feasible nodes + 2). */
  weights: number[];
  /** The feasible nodes in the order normalizeScore sees their scores. */
  nodes: readonly NodeInfo[];
}

const pairKey = (key: string, value: string) => `${key}\u0000${value}`;

export function spreadScoring(): Pick<PreScorePlugin & ScorePlugin, 'preScore' | 'score' | 'normalizeScore'> {
  return {
    preScore(state, pod, nodes, snapshot) {
      if (nodes.length === 0) return Status.SKIP;
      let constraints: SpreadConstraint[];
      try {
        constraints = spreadConstraints(pod, 'ScheduleAnyway');
      } catch (err) {
        return Status.error(err);
      }
      if (constraints.length === 0) return Status.SKIP;
      const s: PreScoreState = { constraints, ignored: new Set(), pairCounts: new Map(), weights: [], nodes };
      const sizes = constraints.map(() => 0);
      for (const node of nodes) {
        if (!hasAllKeys(node, constraints)) {
          s.ignored.add(node.name);
          continue;
        }
        constraints.forEach((c, i) => {
          if (c.topologyKey === LABEL_HOSTNAME) return;
          const k = pairKey(c.topologyKey, node.node.metadata.labels![c.topologyKey]!);
          if (!s.pairCounts.has(k)) {
            s.pairCounts.set(k, 0);
            sizes[i]!++;
          }
        });
      }
      s.weights = constraints.map((c, i) => Math.log((c.topologyKey === LABEL_HOSTNAME ? nodes.length - s.ignored.size : sizes[i]!) + 2));
      countDomains(pod, snapshot.nodes, constraints, (c, value, count) => {
        const k = pairKey(c.topologyKey, value);
        const n = s.pairCounts.get(k);
        if (n !== undefined) s.pairCounts.set(k, n + count);
      });
      state.write(STATE_KEY, s);
      return Status.SUCCESS;
    },
    score(state, pod, node) {
      const s = state.read<PreScoreState>(STATE_KEY);
      if (s.ignored.has(node.name)) return 0;
      const labels = node.node.metadata.labels ?? {};
      let score = 0;
      s.constraints.forEach((c, i) => {
        const v = labels[c.topologyKey];
        if (v === undefined) return;
        const cnt = c.topologyKey === LABEL_HOSTNAME ? countMatching(node, c.selector, pod.pod.metadata.namespace ?? 'default') : s.pairCounts.get(pairKey(c.topologyKey, v)) ?? 0;
        score += cnt * s.weights[i]! + (c.maxSkew - 1);
      });
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
