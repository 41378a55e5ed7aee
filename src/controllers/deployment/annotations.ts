/**
 * Revision bookkeeping (upstream deploymentutil): each ReplicaSet carries the revision it was last
 * the new ReplicaSet for; the Deployment mirrors its new ReplicaSet's revision. Reusing an old
 * ReplicaSet (a rollback) gives it max(old revisions) + 1 and appends its previous revision to
 * revision-history. desired-replicas / max-replicas record the Deployment size each ReplicaSet was
 * last scaled for, which drives proportional scaling. Deployment annotations other than these are
 * copied to the new ReplicaSet, so `kubectl rollout history` shows change-cause.
 */
import type { ReplicaSet } from '../../controller-runtime/workload/types.js';
import { maxSurge } from './fenceposts.js';
import {
  DesiredReplicasAnnotation, MaxReplicasAnnotation, MaxRevisionHistoryChars, RevisionAnnotation, RevisionHistoryAnnotation,
  desiredReplicas, type Deployment,
} from './types.js';

const skipCopy = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  RevisionAnnotation, RevisionHistoryAnnotation, DesiredReplicasAnnotation, MaxReplicasAnnotation,
  'deprecated.deployment.rollback.to',
]);

/**
 * The revision of an object; 0 when absent or not a number. A bigint: upstream's revisions are int64
 * (deploymentutil.Revision's ParseInt), and a ReplicaSet adopted with one past 2^53 (conformance's
 * 3546343826724305832) must give the next revision exactly.
 */
export function revisionOf(obj: { metadata: { annotations?: Record<string, string> } }): bigint {
  const v = obj.metadata.annotations?.[RevisionAnnotation];
  if (v === undefined || !/^\d+$/.test(v)) return 0n;
  return BigInt(v);
}

export function maxRevision(rss: readonly Readonly<ReplicaSet>[]): bigint {
  return rss.reduce((m, rs) => { const r = revisionOf(rs); return r > m ? r : m; }, 0n);
}

function copyDeploymentAnnotations(d: Readonly<Deployment>, rs: ReplicaSet): boolean {
  let changed = false;
  const ann = (rs.metadata.annotations ??= {});
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) {
    if (skipCopy.has(k) || ann[k] === v) continue;
    ann[k] = v;
    changed = true;
  }
  return changed;
}

/** Set desired-replicas and max-replicas; true if either changed. */
export function setReplicasAnnotations(rs: ReplicaSet, desired: number, max: number): boolean {
  const ann = (rs.metadata.annotations ??= {});
  let changed = false;
  if (ann[DesiredReplicasAnnotation] !== String(desired)) {
    ann[DesiredReplicasAnnotation] = String(desired);
    changed = true;
  }
  if (ann[MaxReplicasAnnotation] !== String(max)) {
    ann[MaxReplicasAnnotation] = String(max);
    changed = true;
  }
  return changed;
}

export function replicasAnnotationsNeedUpdate(rs: Readonly<ReplicaSet>, desired: number, max: number): boolean {
  const ann = rs.metadata.annotations ?? {};
  return ann[DesiredReplicasAnnotation] !== String(desired) || ann[MaxReplicasAnnotation] !== String(max);
}

/** The desired-replicas annotation, if present and numeric. */
export function desiredReplicasAnnotation(rs: Readonly<ReplicaSet>): number | undefined {
  const v = rs.metadata.annotations?.[DesiredReplicasAnnotation];
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
}

export function maxReplicasAnnotation(rs: Readonly<ReplicaSet>): number | undefined {
  const v = rs.metadata.annotations?.[MaxReplicasAnnotation];
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
}

/**
 * Bring the new ReplicaSet's annotations up to date (upstream SetNewReplicaSetAnnotations): copy the
 * Deployment's, raise the revision to `newRevision` if lower (recording the old one in
 * revision-history when it is a reuse), and for a ReplicaSet about to be created (`exists` false)
 * set the replicas annotations. True if anything changed.
 */
export function setNewReplicaSetAnnotations(d: Readonly<Deployment>, rs: ReplicaSet, newRevision: bigint, exists: boolean): boolean {
  let changed = copyDeploymentAnnotations(d, rs);
  const ann = (rs.metadata.annotations ??= {});
  const oldRaw = ann[RevisionAnnotation] || undefined;
  if (oldRaw !== undefined && !/^\d+$/.test(oldRaw)) return changed; // unparseable: leave it alone, as upstream
  const old = oldRaw === undefined ? 0n : BigInt(oldRaw);
  if (old < newRevision) {
    ann[RevisionAnnotation] = String(newRevision);
    changed = true;
    if (oldRaw !== undefined) {
      const history = ann[RevisionHistoryAnnotation];
      if (!history) {
        ann[RevisionHistoryAnnotation] = oldRaw;
      } else {
        const parts = history.split(',');
        let total = history.length + oldRaw.length + 1;
        let start = 0;
        while (total > MaxRevisionHistoryChars && start < parts.length) {
          total -= parts[start]!.length + 1;
          start++;
        }
        if (total <= MaxRevisionHistoryChars) ann[RevisionHistoryAnnotation] = [...parts.slice(start), oldRaw].join(',');
      }
    }
  }
  if (!exists && setReplicasAnnotations(rs, desiredReplicas(d), desiredReplicas(d) + maxSurge(d))) changed = true;
  return changed;
}

/** Mirror `revision` on the Deployment; true if it changed. */
export function setDeploymentRevision(d: Deployment, revision: string | undefined): boolean {
  if (revision === undefined) return false;
  const ann = (d.metadata.annotations ??= {});
  if (ann[RevisionAnnotation] === revision) return false;
  ann[RevisionAnnotation] = revision;
  return true;
}
