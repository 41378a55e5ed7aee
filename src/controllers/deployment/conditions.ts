/**
 * Deployment conditions and status (upstream deploymentutil condition helpers, sync.go
 * calculateStatus): Available says whether at least spec.replicas - maxUnavailable pods are
 * available; Progressing tracks the rollout (see progress.ts). Times are RFC 3339 seconds.
 */
import type { Condition, ReplicaSet } from '../../controller-runtime/workload/types.js';
import { maxUnavailable } from './fenceposts.js';
import { Reasons, desiredReplicas, hasProgressDeadline, progressDeadlineSeconds, type Deployment, type DeploymentStatus } from './types.js';

export const rfc3339 = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

export function newCondition(type: string, status: Condition['status'], reason: string, message: string, now: number): Condition {
  const t = rfc3339(now);
  return { type, status, lastUpdateTime: t, lastTransitionTime: t, reason, message };
}

export function getCondition(status: DeploymentStatus | undefined, type: string): Condition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

/**
 * Upstream SetDeploymentCondition: same status and reason leaves the condition alone; same status,
 * new reason keeps lastTransitionTime; the condition moves to the end of the list.
 */
export function setCondition(status: DeploymentStatus, cond: Condition): void {
  const cur = getCondition(status, cond.type);
  if (cur && cur.status === cond.status && cur.reason === cond.reason) return;
  const next = { ...cond };
  if (cur && cur.status === cond.status) next.lastTransitionTime = cur.lastTransitionTime;
  status.conditions = [...(status.conditions ?? []).filter((c) => c.type !== cond.type), next];
}

export function removeCondition(status: DeploymentStatus, type: string): void {
  if (!status.conditions) return;
  status.conditions = status.conditions.filter((c) => c.type !== type);
  if (status.conditions.length === 0) delete status.conditions;
}

const sum = (rss: readonly (Readonly<ReplicaSet> | undefined)[], f: (rs: Readonly<ReplicaSet>) => number) =>
  rss.reduce((n, rs) => n + (rs ? f(rs) : 0), 0);

/** Σ spec.replicas. */
export const specReplicaCount = (rss: readonly (Readonly<ReplicaSet> | undefined)[]) => sum(rss, (rs) => rs.spec.replicas ?? 1);
/** Σ status.replicas. */
export const actualReplicaCount = (rss: readonly (Readonly<ReplicaSet> | undefined)[]) => sum(rss, (rs) => rs.status?.replicas ?? 0);
export const readyReplicaCount = (rss: readonly (Readonly<ReplicaSet> | undefined)[]) => sum(rss, (rs) => rs.status?.readyReplicas ?? 0);
export const availableReplicaCount = (rss: readonly (Readonly<ReplicaSet> | undefined)[]) => sum(rss, (rs) => rs.status?.availableReplicas ?? 0);

/** The status the ReplicaSets imply, with the Available condition updated (upstream calculateStatus). */
export function calculateStatus(allRSs: readonly (Readonly<ReplicaSet> | undefined)[], newRS: Readonly<ReplicaSet> | undefined, d: Readonly<Deployment>, now: number): DeploymentStatus {
  const available = availableReplicaCount(allRSs);
  const total = specReplicaCount(allRSs);
  const status: DeploymentStatus = {
    observedGeneration: d.metadata.generation,
    replicas: actualReplicaCount(allRSs),
    updatedReplicas: actualReplicaCount([newRS]),
    readyReplicas: readyReplicaCount(allRSs),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, total - available),
  };
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
  if (d.status?.conditions?.length) status.conditions = d.status.conditions.map((c) => ({ ...c }));
  if (available >= desiredReplicas(d) - maxUnavailable(d)) {
    setCondition(status, newCondition('Available', 'True', Reasons.MinimumReplicasAvailable, 'Deployment has minimum availability.', now));
  } else {
    setCondition(status, newCondition('Available', 'False', Reasons.MinimumReplicasUnavailable, 'Deployment does not have minimum availability.', now));
  }
  return status;
}

/** Every replica updated and available and the latest generation observed (what `rollout status` waits for). */
export function deploymentComplete(d: Readonly<Deployment>, s: DeploymentStatus): boolean {
  const want = desiredReplicas(d);
  return (s.updatedReplicas ?? 0) === want && (s.replicas ?? 0) === want && (s.availableReplicas ?? 0) === want
    && (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0);
}

/** Progress since the stored status: more updated, ready or available pods, or fewer old ones. */
export function deploymentProgressing(d: Readonly<Deployment>, s: DeploymentStatus): boolean {
  const o = d.status ?? {};
  const oldOld = (o.replicas ?? 0) - (o.updatedReplicas ?? 0);
  const newOld = (s.replicas ?? 0) - (s.updatedReplicas ?? 0);
  return (s.updatedReplicas ?? 0) > (o.updatedReplicas ?? 0) || newOld < oldOld
    || (s.readyReplicas ?? 0) > (o.readyReplicas ?? 0) || (s.availableReplicas ?? 0) > (o.availableReplicas ?? 0);
}

/** The Progressing condition's last update is older than progressDeadlineSeconds. */
export function deploymentTimedOut(d: Readonly<Deployment>, s: DeploymentStatus, now: number): boolean {
  if (!hasProgressDeadline(d)) return false;
  const c = getCondition(s, 'Progressing');
  if (!c) return false;
  if (c.reason === Reasons.NewRSAvailable) return false;
  if (c.reason === Reasons.TimedOut) return true;
  const from = Date.parse(c.lastUpdateTime ?? '');
  if (Number.isNaN(from)) return false;
  return from + progressDeadlineSeconds(d) * 1000 < now;
}

/** Statuses equal for the purpose of skipping a write (zero and absent counts alike). */
export function statusEqual(a: DeploymentStatus | undefined, b: DeploymentStatus | undefined): boolean {
  const norm = (s: DeploymentStatus | undefined) => {
    const x = s ?? {};
    return JSON.stringify([
      x.observedGeneration ?? 0, x.replicas ?? 0, x.updatedReplicas ?? 0, x.readyReplicas ?? 0, x.availableReplicas ?? 0,
      x.unavailableReplicas ?? 0, x.collisionCount ?? null,
      (x.conditions ?? []).map((c) => [c.type, c.status, c.reason ?? '', c.message ?? '', c.lastUpdateTime ?? '', c.lastTransitionTime ?? '']),
    ]);
  };
  return norm(a) === norm(b);
}
