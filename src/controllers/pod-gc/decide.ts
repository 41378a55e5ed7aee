/**
 * What the pod garbage collector deletes, decided from the caches alone (upstream
 * pkg/controller/podgc/gc_controller.go, gc()), in upstream's order:
 *   1. terminated pods (phase neither Pending, Running nor Unknown) beyond --terminated-pod-gc-threshold
 *      (12500; 0 turns this off), evicted ones first, then oldest first, then by name;
 *   2. terminating pods on a NotReady node with the node.kubernetes.io/out-of-service taint;
 *   3. pods bound to a node that is gone: once the node has been missing from the cache for the
 *      quarantine (40 s), the controller confirms with a live GET before deleting (the `verify` list);
 *      these get the DisruptionTarget condition (DeletionByPodGC, "PodGC: node no longer exists");
 *   4. terminating pods that were never scheduled.
 * Every deletion is a force delete (grace 0) after the pod is marked Failed if it was not finished.
 */
import type { Node, Pod } from '../../api/kinds/index.js';

export const DEFAULT_TERMINATED_POD_THRESHOLD = 12500;
export const DEFAULT_QUARANTINE_MS = 40_000;
export const OUT_OF_SERVICE_TAINT = 'node.kubernetes.io/out-of-service';

export interface DisruptionCondition {
  type: 'DisruptionTarget';
  status: 'True';
  reason: string;
  message: string;
}

export const ORPHANED_CONDITION: DisruptionCondition = {
  type: 'DisruptionTarget', status: 'True', reason: 'DeletionByPodGC', message: 'PodGC: node no longer exists',
};

export type GcReason = 'terminated' | 'out-of-service' | 'orphaned' | 'unscheduled-terminating';

export interface GcAction {
  pod: Readonly<Pod>;
  reason: GcReason;
  /** Set on the pod's status with phase Failed before the delete (orphaned pods only, as upstream). */
  condition?: DisruptionCondition;
}

export interface GcInput {
  pods: readonly Readonly<Pod>[];
  nodes: readonly Readonly<Node>[];
  /** 0 or less: terminated pods are never collected by count. */
  terminatedPodThreshold: number;
  quarantineMs: number;
  now: number;
  /** When each missing node was first seen missing; updated in place (nodes that came back are dropped). */
  missingSince: Map<string, number>;
  /** Nodes a live GET confirmed gone (this pass). */
  confirmedGone?: ReadonlySet<string>;
}

export interface GcDecision {
  actions: GcAction[];
  /** Missing nodes past their quarantine, to GET before their pods count as orphaned. */
  verify: string[];
  /** The soonest a quarantine ends (ms from now), to check again then. */
  nextCheckMs?: number;
}

const isTerminated = (p: Readonly<Pod>): boolean => !['Pending', 'Running', 'Unknown'].includes(p.status?.phase ?? 'Pending');
const isEvicted = (p: Readonly<Pod>): boolean => p.status?.phase === 'Failed' && p.status.reason === 'Evicted';

/** byEvictionAndCreationTimestamp: evicted first, then older, then by name. */
export function byEvictionAndCreation(a: Readonly<Pod>, b: Readonly<Pod>): number {
  const ea = isEvicted(a);
  const eb = isEvicted(b);
  if (ea !== eb) return ea ? -1 : 1;
  const ta = Date.parse(a.metadata.creationTimestamp ?? '') || 0;
  const tb = Date.parse(b.metadata.creationTimestamp ?? '') || 0;
  if (ta !== tb) return ta - tb;
  const na = a.metadata.name ?? '';
  const nb = b.metadata.name ?? '';
  return na < nb ? -1 : na > nb ? 1 : 0;
}

function isReady(n: Readonly<Node>): boolean {
  return n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

export function decidePodGc(input: GcInput): GcDecision {
  const actions: GcAction[] = [];
  const taken = new Set<Readonly<Pod>>();
  const take = (pod: Readonly<Pod>, reason: GcReason, condition?: DisruptionCondition): void => {
    if (taken.has(pod)) return;
    taken.add(pod);
    actions.push(condition ? { pod, reason, condition } : { pod, reason });
  };

  if (input.terminatedPodThreshold > 0) {
    const terminated = input.pods.filter(isTerminated);
    const excess = terminated.length - input.terminatedPodThreshold;
    if (excess > 0) for (const p of [...terminated].sort(byEvictionAndCreation).slice(0, excess)) take(p, 'terminated');
  }

  const nodes = new Map(input.nodes.map((n) => [n.metadata.name!, n]));
  const outOfService = input.pods.filter((p) => {
    const node = p.metadata.deletionTimestamp && p.spec?.nodeName ? nodes.get(p.spec.nodeName) : undefined;
    return node !== undefined && !isReady(node) && (node.spec?.taints ?? []).some((t) => t.key === OUT_OF_SERVICE_TAINT);
  });
  for (const p of outOfService.sort(byEvictionAndCreation)) take(p, 'out-of-service');

  // Quarantine: a node name must stay missing for quarantineMs before a GET may confirm it gone.
  const missing = new Set(input.pods.map((p) => p.spec?.nodeName).filter((n): n is string => !!n && !nodes.has(n)));
  for (const name of [...input.missingSince.keys()]) if (!missing.has(name)) input.missingSince.delete(name);
  const verify: string[] = [];
  let nextCheckMs: number | undefined;
  for (const name of missing) {
    const since = input.missingSince.get(name) ?? input.now;
    input.missingSince.set(name, since);
    const left = since + input.quarantineMs - input.now;
    if (left <= 0) verify.push(name);
    else nextCheckMs = Math.min(nextCheckMs ?? left, left);
  }
  const gone = input.confirmedGone ?? new Set<string>();
  for (const p of input.pods) if (p.spec?.nodeName && gone.has(p.spec.nodeName)) take(p, 'orphaned', ORPHANED_CONDITION);

  for (const p of input.pods) if (p.metadata.deletionTimestamp && !p.spec?.nodeName) take(p, 'unscheduled-terminating');

  return nextCheckMs === undefined ? { actions, verify } : { actions, verify, nextCheckMs };
}
