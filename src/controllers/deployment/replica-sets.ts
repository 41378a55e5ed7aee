/**
 * Finding and making the Deployment's ReplicaSets (upstream sync.go getAllReplicaSetsAndSyncRevision,
 * getNewReplicaSet, cleanupDeployment and deploymentutil FindNewReplicaSet / NewRSNewReplicas).
 * The new ReplicaSet is the oldest whose template equals the Deployment's (ignoring the hash
 * label); all others are old. A new one is named `<deployment>-<hash>` with the hash label on its
 * selector, template and labels, revision max(old) + 1.
 */
import { controllerRef } from '../../controller-runtime/workload/pod-template.js';
import type { ReplicaSet } from '../../controller-runtime/workload/types.js';
import { maxRevision, revisionOf, setDeploymentRevision, setNewReplicaSetAnnotations } from './annotations.js';
import { getCondition, newCondition, setCondition } from './conditions.js';
import { maxSurge } from './fenceposts.js';
import { byCreation, type SyncContext } from './sync-context.js';
import { computeHash, equalIgnoreHash } from './template-hash.js';
import {
  POD_TEMPLATE_HASH_LABEL, Reasons, RevisionAnnotation, desiredReplicas, hasProgressDeadline, isRollingUpdate, revisionHistoryLimit,
  type Deployment,
} from './types.js';

/** The oldest ReplicaSet whose template equals the Deployment's. */
export function findNewReplicaSet<T extends Readonly<ReplicaSet>>(d: Readonly<Deployment>, rsList: readonly T[]): T | undefined {
  return [...rsList].sort(byCreation).find((rs) => equalIgnoreHash(rs.spec.template, d.spec.template));
}

/**
 * How many replicas the new ReplicaSet should have now (upstream NewRSNewReplicas): for rolling
 * updates, grow it as far as spec.replicas + maxSurge total pods allow, never past spec.replicas;
 * for Recreate, all of spec.replicas.
 */
export function newRSNewReplicas(d: Readonly<Deployment>, allRSs: readonly (Readonly<ReplicaSet> | undefined)[], newRS: Readonly<ReplicaSet>): number {
  const desired = desiredReplicas(d);
  const newCount = newRS.spec.replicas ?? 1;
  if (!isRollingUpdate(d)) return desired;
  const current = allRSs.reduce((n, rs) => n + (rs ? rs.spec.replicas ?? 1 : 0), 0);
  const maxTotal = desired + maxSurge(d);
  if (current >= maxTotal) return newCount;
  const up = Math.min(maxTotal - current, desired - newCount);
  return newCount + up;
}

/**
 * Split into the new ReplicaSet (created when `create` and missing) and the old ones, syncing the
 * revision annotations of the new ReplicaSet and the Deployment. Mutates `ctx.d` and the copies.
 */
export function getAllReplicaSetsAndSyncRevision(ctx: SyncContext, rsList: ReplicaSet[], create: boolean): { newRS: ReplicaSet | undefined; oldRSs: ReplicaSet[] } {
  const d = ctx.d;
  const existing = findNewReplicaSet(d, rsList);
  const oldRSs = rsList.filter((rs) => rs !== existing);
  const newRevision = maxRevision(oldRSs) + 1n;

  if (existing) {
    const annotationsChanged = setNewReplicaSetAnnotations(d, existing, newRevision, true);
    const minReadyChanged = (existing.spec.minReadySeconds ?? 0) !== (d.spec.minReadySeconds ?? 0);
    if (annotationsChanged || minReadyChanged) {
      existing.spec.minReadySeconds = d.spec.minReadySeconds ?? 0;
      ctx.update(existing);
    }
    setDeploymentRevision(d, existing.metadata.annotations?.[RevisionAnnotation]);
    if (hasProgressDeadline(d) && !getCondition(d.status, 'Progressing')) {
      d.status ??= {};
      setCondition(d.status, newCondition('Progressing', 'True', Reasons.FoundNewReplicaSet, `Found new replica set "${existing.metadata.name}"`, ctx.now));
    }
    return { newRS: existing, oldRSs };
  }
  if (!create) return { newRS: undefined, oldRSs };

  const hash = computeHash(d.spec.template, d.status?.collisionCount);
  const template = structuredClone(d.spec.template ?? {});
  template.metadata ??= {};
  template.metadata.labels = { ...(template.metadata.labels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash };
  const selector = structuredClone(d.spec.selector ?? {});
  selector.matchLabels = { ...(selector.matchLabels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash };
  const newRS: ReplicaSet = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      // Deterministic, so a retried create after a lost response finds the same object.
      name: `${d.metadata.name}-${hash}`,
      namespace: d.metadata.namespace,
      ownerReferences: [controllerRef(d, 'apps/v1', 'Deployment')],
      labels: { ...template.metadata.labels },
    },
    spec: { replicas: 0, minReadySeconds: d.spec.minReadySeconds ?? 0, selector, template },
  };
  newRS.spec.replicas = newRSNewReplicas(d, [...oldRSs, newRS], newRS);
  setNewReplicaSetAnnotations(d, newRS, newRevision, false);
  ctx.actions.push({ kind: 'createReplicaSet', rs: structuredClone(newRS) });
  if ((newRS.spec.replicas ?? 0) > 0) {
    ctx.event('Normal', 'ScalingReplicaSet', `Scaled up replica set ${newRS.metadata.name} from 0 to ${newRS.spec.replicas}`);
  }
  setDeploymentRevision(d, String(newRevision));
  if (hasProgressDeadline(d)) {
    d.status ??= {};
    setCondition(d.status, newCondition('Progressing', 'True', Reasons.NewReplicaSetCreated, `Created new replica set "${newRS.metadata.name}"`, ctx.now));
  }
  // Creation time orders ReplicaSets; the new one is the newest.
  newRS.metadata.creationTimestamp = new Date(ctx.now).toISOString();
  rsList.push(newRS);
  return { newRS, oldRSs };
}

/**
 * Delete the oldest (by revision) old ReplicaSets beyond revisionHistoryLimit that are fully scaled
 * down and settled (upstream cleanupDeployment).
 */
export function cleanupDeployment(ctx: SyncContext, oldRSs: readonly ReplicaSet[]): void {
  const alive = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp);
  const diff = alive.length - revisionHistoryLimit(ctx.d);
  if (diff <= 0) return;
  const ordered = [...alive].sort((a, b) => { const ra = revisionOf(a); const rb = revisionOf(b); return ra < rb ? -1 : ra > rb ? 1 : byCreation(a, b); });
  for (const rs of ordered.slice(0, diff)) {
    if ((rs.status?.replicas ?? 0) !== 0 || (rs.spec.replicas ?? 1) !== 0) continue;
    if ((rs.metadata.generation ?? 0) > (rs.status?.observedGeneration ?? 0)) continue;
    ctx.actions.push({ kind: 'deleteReplicaSet', rs: structuredClone(rs) });
  }
}

