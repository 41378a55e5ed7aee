/**
 * NodeResourcesFit: a pod fits a node only if its requests fit in allocatable minus what the pods
 * already there (bound or assumed) request, and the node has room for one more pod (Filter). Among
 * fitting nodes it prefers the least allocated (Score, upstream's default LeastAllocated strategy).
 */
import type { FilterPlugin, ScorePlugin } from '../../framework/interface.js';
import type { NodeInfo } from '../../framework/node-info.js';
import type { PodInfo } from '../../framework/pod-info.js';
import { CPU, EPHEMERAL_STORAGE, MEMORY, PODS } from '../../framework/resources.js';
import { Status } from '../../framework/status.js';
import { MAX_NODE_SCORE } from '../../framework/types.js';

export const NAME = 'NodeResourcesFit';
export const TOO_MANY_PODS = 'Too many pods';

/** Upstream's reason for a resource that does not fit: `Insufficient cpu`. */
export const insufficient = (resource: string): string => `Insufficient ${resource}`;

/** Every reason the pod does not fit the node, in upstream's order (pods, cpu, memory, storage, others). */
export function insufficientResources(pod: PodInfo, node: NodeInfo): string[] {
  const out: string[] = [];
  if (node.pods.length + 1 > (node.allocatable[PODS] ?? 0)) out.push(TOO_MANY_PODS);
  const req = pod.requests;
  for (const name in req) {
    if (name === PODS) continue;
    const want = req[name]!;
    if (want <= 0) continue;
    if (want > (node.allocatable[name] ?? 0) - (node.requested[name] ?? 0)) out.push(insufficient(name));
  }
  if (out.length > 1) {
    const rank = (r: string) => r === TOO_MANY_PODS ? 0 : r === insufficient(CPU) ? 1 : r === insufficient(MEMORY) ? 2 : r === insufficient(EPHEMERAL_STORAGE) ? 3 : 4;
    out.sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  }
  return out;
}

/**
 * The common case without allocating: room for a pod, and every request (usually just cpu and
 * memory) within what is left. False means "look closer", not "does not fit".
 */
function fitsQuickly(pod: PodInfo, node: NodeInfo): boolean {
  if (node.pods.length + 1 > (node.allocatable[PODS] ?? 0)) return false;
  const req = pod.requests;
  for (const name in req) {
    const want = req[name]!;
    if (want > 0 && name !== PODS && want > (node.allocatable[name] ?? 0) - (node.requested[name] ?? 0)) return false;
  }
  return true;
}

/** ((capacity - requested) * 100) / capacity, 0 when over capacity (upstream leastRequestedScore). */
export function leastRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.trunc(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

export function newNodeResourcesFit(): FilterPlugin & ScorePlugin {
  return {
    name: NAME,
    filter(_state, pod, node) {
      if (fitsQuickly(pod, node)) return Status.SUCCESS;
      const reasons = insufficientResources(pod, node);
      return reasons.length ? Status.unschedulable(...reasons) : Status.SUCCESS;
    },
    // LeastAllocated over cpu and memory with weight 1 each, counting requests with the non-zero defaults.
    score(_state, pod, node) {
      let total = 0;
      let weights = 0;
      const cpuCap = node.allocatable[CPU] ?? 0;
      const memCap = node.allocatable[MEMORY] ?? 0;
      if (cpuCap > 0) {
        total += leastRequestedScore(node.nonZeroCpu + pod.nonZeroCpu, cpuCap);
        weights++;
      }
      if (memCap > 0) {
        total += leastRequestedScore(node.nonZeroMemory + pod.nonZeroMemory, memCap);
        weights++;
      }
      return weights ? Math.trunc(total / weights) : 0;
    },
  };
}
