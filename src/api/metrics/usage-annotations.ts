/**
 * How simulated nodes report resource usage: a rule on the pod, in the spirit of KWOK's
 * ResourceUsage (kwok's kustomize/metrics/usage "usage-from-annotation", which gives every container
 * the CPU and memory in the pod's annotations). Each container of a Running pod on a simulated node
 * uses exactly what the pod's annotations say; a pod without them uses nothing.
 *   metrics.bosun.dev/cpu: 250m        metrics.bosun.dev/memory: 64Mi
 */
import { parseQuantity } from '../quantity/index.js';
import type { Pod } from '../kinds/index.js';

/** Label on every simulated Node (src/simulated-nodes); their usage follows the rule above. */
export const SIMULATED_NODE_LABEL = 'node.bosun.dev/simulated';
export const CPU_USAGE_ANNOTATION = 'metrics.bosun.dev/cpu';
export const MEMORY_USAGE_ANNOTATION = 'metrics.bosun.dev/memory';

export interface ContainerUsage {
  name: string;
  nanoCores: number;
  bytes: number;
}

function quantity(v: string | undefined, scale: (q: ReturnType<typeof parseQuantity>) => bigint): number {
  if (!v) return 0;
  try {
    return Number(scale(parseQuantity(v)));
  } catch {
    return 0; // an unparsable rule reads as no usage, as KWOK's failed expression
  }
}

/** Each container's usage by the pod's annotations. */
export function simulatedContainerUsage(pod: Pod): ContainerUsage[] {
  const a = pod.metadata.annotations ?? {};
  const nanoCores = quantity(a[CPU_USAGE_ANNOTATION], (q) => q.milliValue() * 1_000_000n);
  const bytes = quantity(a[MEMORY_USAGE_ANNOTATION], (q) => q.value());
  return (pod.spec?.containers ?? []).map((c) => ({ name: c.name, nanoCores, bytes }));
}
