/**
 * SelectorSpread: spreads the replicas of one controller (the pod's controller ownerReference) over
 * nodes, and over zones when nodes carry topology.kubernetes.io/zone: fewer replicas already on a
 * node (zone), higher score. Scoring as upstream's SelectorSpread, with "same controller" standing
 * for "matched by the same Service/ReplicaSet/StatefulSet selector".
 */
import type { PreScorePlugin, ScorePlugin } from '../../framework/interface.js';
import type { NodeInfo } from '../../framework/node-info.js';
import { Status } from '../../framework/status.js';
import { MAX_NODE_SCORE } from '../../framework/types.js';

export const NAME = 'SelectorSpread';
/** Zone spreading outweighs node spreading 2:1 when zones exist (upstream zoneWeighting). */
const ZONE_WEIGHTING = 2 / 3;
const STATE_KEY = `PreScore${NAME}`;

export function newSelectorSpread(): PreScorePlugin & ScorePlugin {
  return {
    name: NAME,
    preScore(state, pod, nodes) {
      // Pods with their own spread constraints are PodTopologySpread's alone (upstream skipSelectorSpread).
      if (!pod.ownerUid || pod.pod.spec.topologySpreadConstraints?.length) return Status.SKIP;
      // The order of `nodes` is the order of the scores handed to normalizeScore.
      state.write(STATE_KEY, nodes);
      return Status.SUCCESS;
    },
    score(_state, pod, node) {
      return node.ownerCounts.get(pod.ownerUid!) ?? 0;
    },
    normalizeScore(state, _pod, scores) {
      const nodes = state.read<readonly NodeInfo[]>(STATE_KEY);
      let maxByNode = 0;
      const byZone = new Map<string, number>();
      for (let i = 0; i < scores.length; i++) {
        maxByNode = Math.max(maxByNode, scores[i]!);
        const zone = nodes[i]!.zone;
        if (zone !== undefined) byZone.set(zone, (byZone.get(zone) ?? 0) + scores[i]!);
      }
      let maxByZone = 0;
      for (const c of byZone.values()) maxByZone = Math.max(maxByZone, c);
      for (let i = 0; i < scores.length; i++) {
        let f = maxByNode > 0 ? (MAX_NODE_SCORE * (maxByNode - scores[i]!)) / maxByNode : MAX_NODE_SCORE;
        const zone = nodes[i]!.zone;
        if (byZone.size > 0 && zone !== undefined) {
          const zoneScore = maxByZone > 0 ? (MAX_NODE_SCORE * (maxByZone - byZone.get(zone)!)) / maxByZone : MAX_NODE_SCORE;
          f = f * (1 - ZONE_WEIGHTING) + ZONE_WEIGHTING * zoneScore;
        }
        scores[i] = Math.trunc(f);
      }
    },
  };
}
