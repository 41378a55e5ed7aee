/**
 * Which API changes matter to the scheduler, so its own writes and node heartbeats do not wake
 * unschedulable pods (upstream isPodUpdated and nodeSchedulingPropertiesChange).
 */
import type { Node, Pod } from './framework/types.js';

/** A pod needs the scheduler: unbound, ours, not finished, not gated, not being deleted. */
export function needsScheduling(pod: Pod, schedulerName: string): boolean {
  return !pod.spec.nodeName
    && (pod.spec.schedulerName || 'default-scheduler') === schedulerName
    && !isTerminal(pod)
    && !pod.metadata.deletionTimestamp
    && !(pod.spec.schedulingGates?.length);
}

/** Succeeded and Failed pods hold no resources. */
export function isTerminal(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

/** Whether anything but status and bookkeeping metadata changed (upstream isPodUpdated). */
export function podSpecOrMetaChanged(a: Pod, b: Pod): boolean {
  return JSON.stringify(a.spec) !== JSON.stringify(b.spec)
    || JSON.stringify(a.metadata.labels ?? {}) !== JSON.stringify(b.metadata.labels ?? {})
    || JSON.stringify(a.metadata.annotations ?? {}) !== JSON.stringify(b.metadata.annotations ?? {});
}

const conditionSummary = (n: Node) => JSON.stringify((n.status?.conditions ?? []).map((c) => [c.type, c.status]));

/** Whether a node change can change where pods fit (not a heartbeat). */
export function nodeSchedulingPropertiesChanged(a: Node, b: Node): boolean {
  return (a.spec?.unschedulable ?? false) !== (b.spec?.unschedulable ?? false)
    || JSON.stringify(a.spec?.taints ?? []) !== JSON.stringify(b.spec?.taints ?? [])
    || JSON.stringify(a.metadata.labels ?? {}) !== JSON.stringify(b.metadata.labels ?? {})
    || JSON.stringify(a.status?.allocatable ?? {}) !== JSON.stringify(b.status?.allocatable ?? {})
    || conditionSummary(a) !== conditionSummary(b);
}
