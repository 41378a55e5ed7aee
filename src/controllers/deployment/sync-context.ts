/**
 * The deployment controller plans before it writes: a sync works on private copies of the
 * Deployment and its ReplicaSets and records the writes it wants (`Action`s) in order, exactly where
 * upstream's sync would call the API. The executor (executor.ts) then performs them, stopping at
 * the first failure; the Deployment's annotations and status are written once, last. This keeps
 * every rollout decision a pure function of (Deployment, ReplicaSets, pods, now) for tests.
 */
import type { ReplicaSet } from '../../controller-runtime/workload/types.js';
import { replicasAnnotationsNeedUpdate, setReplicasAnnotations } from './annotations.js';
import { maxSurge } from './fenceposts.js';
import { desiredReplicas, type Deployment } from './types.js';

export type Action =
  /** POST a ReplicaSet (the new one for the current template). */
  | { kind: 'createReplicaSet'; rs: ReplicaSet }
  /** PUT a ReplicaSet (spec.replicas, annotations, minReadySeconds); a snapshot at planning time. */
  | { kind: 'updateReplicaSet'; rs: ReplicaSet }
  /** DELETE an old ReplicaSet beyond revisionHistoryLimit. */
  | { kind: 'deleteReplicaSet'; rs: ReplicaSet }
  /** Record an event on the Deployment (only once the writes before it succeeded). */
  | { kind: 'event'; type: 'Normal' | 'Warning'; reason: string; message: string };

export class SyncContext {
  readonly actions: Action[] = [];
  /** Ask to look again after this many ms (progress deadline checks). */
  requeueAfter: number | undefined;

  constructor(readonly d: Deployment, readonly now: number) {}

  event(type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.actions.push({ kind: 'event', type, reason, message });
  }

  update(rs: ReplicaSet): void {
    this.actions.push({ kind: 'updateReplicaSet', rs: structuredClone(rs) });
  }

  /** Upstream scaleReplicaSetAndRecordEvent: true if the size changed. */
  scaleAndRecord(rs: ReplicaSet, newScale: number): boolean {
    const cur = rs.spec.replicas ?? 1;
    if (cur === newScale) return false;
    return this.scale(rs, newScale, cur < newScale ? 'up' : 'down');
  }

  /**
   * Upstream scaleReplicaSet: set the size and the desired/max-replicas annotations; true (and a
   * ScalingReplicaSet event) only if the size changed.
   */
  scale(rs: ReplicaSet, newScale: number, op: 'up' | 'down' | ''): boolean {
    const cur = rs.spec.replicas ?? 1;
    const desired = desiredReplicas(this.d);
    const max = desired + maxSurge(this.d);
    const sizeChanged = cur !== newScale;
    if (!sizeChanged && !replicasAnnotationsNeedUpdate(rs, desired, max)) return false;
    rs.spec.replicas = newScale;
    setReplicasAnnotations(rs, desired, max);
    this.update(rs);
    if (!sizeChanged) return false;
    this.event('Normal', 'ScalingReplicaSet', `Scaled ${op} replica set ${rs.metadata.name} from ${cur} to ${newScale}`);
    return true;
  }
}

/** Oldest first; ties by name (upstream ReplicaSetsByCreationTimestamp). */
export function byCreation(a: Readonly<ReplicaSet>, b: Readonly<ReplicaSet>): number {
  const ta = a.metadata.creationTimestamp ?? '';
  const tb = b.metadata.creationTimestamp ?? '';
  if (ta !== tb) return ta < tb ? -1 : 1;
  return (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : (a.metadata.name ?? '') > (b.metadata.name ?? '') ? 1 : 0;
}

/** ReplicaSets with spec.replicas > 0. */
export const activeReplicaSets = <T extends Readonly<ReplicaSet>>(rss: readonly (T | undefined)[]): T[] =>
  rss.filter((rs): rs is T => !!rs && (rs.spec.replicas ?? 1) > 0);
