/**
 * MarkPodsNotReady (upstream pkg/controller/util/node): when a node stops being Ready, the pods on
 * it are marked Ready=False so that endpoints drop them before they are evicted. The node's agent
 * sets them Ready again if it comes back. As upstream, only status and lastTransitionTime change.
 */
import type { Pod, PodCondition } from '../../api/kinds/index.js';

/** The pod's conditions with Ready=False, or undefined when there is nothing to change. */
export function notReadyConditions(pod: Pick<Pod, 'status'>, now: Date): PodCondition[] | undefined {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return undefined;
  const conditions = pod.status?.conditions ?? [];
  const ready = conditions.find((c) => c.type === 'Ready');
  if (!ready || ready.status === 'False') return undefined;
  const at = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return conditions.map((c) => (c.type === 'Ready' ? { ...c, status: 'False', lastTransitionTime: at } : c));
}
