/**
 * Node health as the node lifecycle controller sees it (upstream tryUpdateNodeHealth): the
 * controller remembers, per node, the local time at which it last saw a sign of life (a new lease
 * renewTime or a new Ready lastHeartbeatTime). Comparing local observation times, never the
 * node's own timestamps against our clock, makes the verdict immune to clock skew. A node whose
 * last sign of life is older than the grace period is stale: its conditions become Unknown.
 */
import type { Lease, Node, NodeCondition } from '../../api/kinds/index.js';

export interface HealthRecord {
  /** Local time (epoch ms) of the last observed sign of life, or of first sight. */
  probeMs: number;
  /** The Ready condition's lastHeartbeatTime last seen. */
  heartbeat?: string;
  /** The lease's renewTime last seen. */
  renewTime?: string;
}

/** Fold the node's and lease's current state into the record. */
export function observe(prev: HealthRecord | undefined, node: Pick<Node, 'status'> | undefined, lease: Pick<Lease, 'spec'> | undefined, nowMs: number): HealthRecord {
  const heartbeat = node?.status?.conditions?.find((c) => c.type === 'Ready')?.lastHeartbeatTime ?? undefined;
  const renewTime = lease?.spec?.renewTime ?? undefined;
  if (!prev) return { probeMs: nowMs, heartbeat, renewTime };
  const alive = (heartbeat !== undefined && heartbeat !== prev.heartbeat) || (renewTime !== undefined && renewTime !== prev.renewTime);
  return { probeMs: alive ? nowMs : prev.probeMs, heartbeat, renewTime };
}

/** Milliseconds until the record goes stale (<= 0: stale now). */
export function msUntilStale(rec: HealthRecord, graceMs: number, nowMs: number): number {
  return rec.probeMs + graceMs - nowMs;
}

/** Conditions a kubelet always reports; missing ones are added as Unknown when a node goes stale. */
export const REQUIRED_CONDITIONS = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'] as const;

const seconds = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * The conditions of a stale node: every condition Unknown with reason NodeStatusUnknown ("Kubelet
 * stopped posting node status."), or NodeStatusNeverUpdated for conditions it never reported.
 * lastHeartbeatTime is kept; lastTransitionTime moves to `now` where the status changes.
 * Returns undefined when the conditions already say so.
 */
export function staleConditions(node: Pick<Node, 'status' | 'metadata'>, now: Date): NodeCondition[] | undefined {
  const current = node.status?.conditions ?? [];
  let changed = false;
  const out: NodeCondition[] = current.map((c) => {
    if (c.status === 'Unknown') return c;
    changed = true;
    return { ...c, status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: seconds(now) };
  });
  for (const type of REQUIRED_CONDITIONS) {
    if (current.some((c) => c.type === type)) continue;
    changed = true;
    out.push({
      type, status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.',
      lastHeartbeatTime: node.metadata.creationTimestamp, lastTransitionTime: seconds(now),
    });
  }
  return changed ? out : undefined;
}
