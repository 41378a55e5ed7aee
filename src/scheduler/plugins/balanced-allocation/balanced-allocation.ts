/**
 * NodeResourcesBalancedAllocation: prefers nodes whose CPU and memory would be used in equal
 * proportions after placing the pod: score = (1 - standard deviation of the used fractions) * 100.
 * Counts actual requests (no non-zero defaults), as upstream.
 */
import type { ScorePlugin } from '../../framework/interface.js';
import { CPU, MEMORY } from '../../framework/resources.js';
import { MAX_NODE_SCORE } from '../../framework/types.js';

export const NAME = 'NodeResourcesBalancedAllocation';

/** Upstream balancedResourceScorer over parallel lists of requested and allocatable amounts. */
export function balancedScore(requested: number[], allocatable: number[]): number {
  const fractions: number[] = [];
  for (let i = 0; i < requested.length; i++) {
    if (allocatable[i] === 0) continue;
    fractions.push(Math.min(requested[i]! / allocatable[i]!, 1));
  }
  let std = 0;
  if (fractions.length === 2) std = Math.abs((fractions[0]! - fractions[1]!) / 2);
  else if (fractions.length > 2) {
    const mean = fractions.reduce((a, b) => a + b, 0) / fractions.length;
    std = Math.sqrt(fractions.reduce((a, f) => a + (f - mean) * (f - mean), 0) / fractions.length);
  }
  return Math.trunc((1 - std) * MAX_NODE_SCORE);
}

export function newBalancedAllocation(): ScorePlugin {
  return {
    name: NAME,
    score(_state, pod, node) {
      const cpuCap = node.allocatable[CPU] ?? 0;
      const memCap = node.allocatable[MEMORY] ?? 0;
      if (cpuCap === 0 || memCap === 0) {
        return balancedScore(
          [(node.requested[CPU] ?? 0) + (pod.requests[CPU] ?? 0), (node.requested[MEMORY] ?? 0) + (pod.requests[MEMORY] ?? 0)],
          [cpuCap, memCap],
        );
      }
      // Two resources: the standard deviation is half the difference of the fractions.
      const cpu = Math.min(((node.requested[CPU] ?? 0) + (pod.requests[CPU] ?? 0)) / cpuCap, 1);
      const mem = Math.min(((node.requested[MEMORY] ?? 0) + (pod.requests[MEMORY] ?? 0)) / memCap, 1);
      return Math.trunc((1 - Math.abs((cpu - mem) / 2)) * MAX_NODE_SCORE);
    },
  };
}
