/**
 * Opt-in automatic rollback (Bosun's own; upstream only marks a Deployment ProgressDeadlineExceeded).
 * Modelled on Nomad's `auto_revert` and Argo Rollouts' abort-to-stable. A pure decision here; the
 * controller writes it (auto-rollback-executor.ts). Contract:
 *
 * - Only for Deployments annotated `deploy.bosun.dev/auto-rollback: "true"`, not paused, not deleted.
 * - "Fully available": whenever the Deployment is complete (every replica updated and available, the
 *   latest generation observed; what `kubectl rollout status` waits for, so minReadySeconds counts),
 *   the pod-template-hash of its new ReplicaSet is appended to `deploy.bosun.dev/available-hashes`
 *   (most recent last, at most 10; noteAvailableRevision). A container that exits at once may look
 *   ready for a moment, so a revision can be listed and still crash-loop afterwards.
 * - The current rollout has failed when, with the latest generation observed and the Deployment not
 *   complete, either
 *     (a) Progressing is False with reason ProgressDeadlineExceeded, or
 *     (b) a pod of the new ReplicaSet crash-loops: one of its containers (init or regular) has
 *         restartCount >= the threshold (`deploy.bosun.dev/auto-rollback-restarts`, default 3) and is
 *         now waiting in CrashLoopBackOff or terminated with a non-zero exit code, or the pod is
 *         Failed with a container terminated non-zero (not an eviction: those are the node's doing).
 * - The target is the most recent listed hash that is not the failing one, not in
 *   `deploy.bosun.dev/auto-rollback-bad-hashes`, and whose ReplicaSet still exists. The Deployment
 *   goes back to it as `kubectl rollout undo` (and upstream's old rollbackTo) does: its template,
 *   without the pod-template-hash label, becomes spec.template. The failing hash is added to the bad
 *   list; a Warning event `AutoRollback` and the condition RolledBack=True (reason: what failed,
 *   ProgressDeadlineExceeded or CrashLoopBackOff) say why.
 * - Never a loop: every rollback adds its source to the bad list and a bad hash is never a target,
 *   so a Deployment rolls back at most once per distinct revision. A failure with no target (the
 *   revision rolled back to fails too, nothing was ever fully available, or the ReplicaSet is gone
 *   through revisionHistoryLimit) records the failing hash as bad once, with a Warning event
 *   `AutoRollbackSkipped`, and leaves the Deployment as upstream would (ProgressDeadlineExceeded).
 */
import type { Condition, ReplicaSet } from '../../controller-runtime/workload/types.js';
import { calculateStatus, deploymentComplete, getCondition, newCondition } from './conditions.js';
import { findNewReplicaSet } from './replica-sets.js';
import { POD_TEMPLATE_HASH_LABEL, Reasons, RevisionAnnotation, type Deployment } from './types.js';
import { copyOf } from '../../controller-runtime/informer/indexer.js';

export const AutoRollbackAnnotation = 'deploy.bosun.dev/auto-rollback';
export const RestartThresholdAnnotation = 'deploy.bosun.dev/auto-rollback-restarts';
export const AvailableHashesAnnotation = 'deploy.bosun.dev/available-hashes';
const MaxAvailableHashes = 10;
export const BadHashesAnnotation = 'deploy.bosun.dev/auto-rollback-bad-hashes';
export const RolledBackCondition = 'RolledBack';
export const DefaultRestartThreshold = 3;

/** The parts of a pod's status the crash-loop rule reads. */
interface ContainerStatusView {
  name?: string;
  restartCount?: number;
  state?: { waiting?: { reason?: string }; terminated?: { exitCode?: number } };
}
export interface PodView {
  metadata: { name?: string; labels?: Record<string, string> };
  status?: { phase?: string; reason?: string; containerStatuses?: ContainerStatusView[]; initContainerStatuses?: ContainerStatusView[] };
}

export type RollbackDecision =
  | { kind: 'none' }
  /** Write `deployment` (spec and annotations), then the condition, then the event. */
  | { kind: 'rollback'; deployment: Deployment; condition: Condition; reason: string; message: string }
  /** Record the bad hash (annotations only) and warn once. */
  | { kind: 'skip'; deployment: Deployment; message: string };

export const autoRollbackEnabled = (d: Readonly<Deployment>): boolean => d.metadata.annotations?.[AutoRollbackAnnotation] === 'true';

const hashOf = (rs: Readonly<ReplicaSet> | undefined): string | undefined => rs?.metadata.labels?.[POD_TEMPLATE_HASH_LABEL];

const listAnnotation = (d: Readonly<Deployment>, key: string): string[] => (d.metadata.annotations?.[key] ?? '').split(',').filter((h) => h !== '');

function restartThreshold(d: Readonly<Deployment>): number {
  const n = Number(d.metadata.annotations?.[RestartThresholdAnnotation]);
  return Number.isInteger(n) && n > 0 ? n : DefaultRestartThreshold;
}

/** Why a pod counts as crash-looping under the rule above, or undefined. */
export function crashLoopReason(pod: Readonly<PodView>, threshold: number): string | undefined {
  const all = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  const failedExit = (c: ContainerStatusView) => (c.state?.terminated?.exitCode ?? 0) !== 0;
  if (pod.status?.phase === 'Failed' && pod.status.reason !== 'Evicted') {
    const c = all.find(failedExit);
    if (c) return `pod "${pod.metadata.name}" failed: container "${c.name}" exited with code ${c.state!.terminated!.exitCode}`;
  }
  for (const c of all) {
    if ((c.restartCount ?? 0) < threshold) continue;
    if (c.state?.waiting?.reason === 'CrashLoopBackOff' || failedExit(c)) {
      return `container "${c.name}" of pod "${pod.metadata.name}" is crash-looping (${c.restartCount} restarts)`;
    }
  }
  return undefined;
}

/** Record the new ReplicaSet's hash once the Deployment is complete (mutates `d`, the planned Deployment). */
export function noteAvailableRevision(d: Deployment, rsList: readonly Readonly<ReplicaSet>[]): void {
  if (!autoRollbackEnabled(d) || !d.status || !deploymentComplete(d, d.status)) return;
  const hash = hashOf(findNewReplicaSet(d, rsList));
  const listed = listAnnotation(d, AvailableHashesAnnotation);
  if (!hash || listed[listed.length - 1] === hash) return;
  const next = [...listed.filter((h) => h !== hash), hash].slice(-MaxAvailableHashes);
  d.metadata.annotations = { ...d.metadata.annotations, [AvailableHashesAnnotation]: next.join(',') };
}

/** Whether and where to roll back, given the Deployment, its ReplicaSets and the new ReplicaSet's pods. */
export function planAutoRollback(
  d: Readonly<Deployment>, rsList: readonly Readonly<ReplicaSet>[], newRSPods: readonly Readonly<PodView>[], now: number,
): RollbackDecision {
  if (!autoRollbackEnabled(d) || d.spec.paused || d.metadata.deletionTimestamp) return { kind: 'none' };
  if ((d.status?.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) return { kind: 'none' };
  const newRS = findNewReplicaSet(d, rsList);
  const failing = hashOf(newRS);
  if (!newRS || !failing) return { kind: 'none' };
  // A complete rollout has not failed, whatever its pods did before.
  if (deploymentComplete(d, calculateStatus(rsList, newRS, d, now))) return { kind: 'none' };

  let why: { reason: string; detail: string } | undefined;
  const progressing = getCondition(d.status, 'Progressing');
  if (progressing?.status === 'False' && progressing.reason === Reasons.TimedOut) {
    why = { reason: Reasons.TimedOut, detail: progressing.message ?? 'the progress deadline passed' };
  } else {
    const threshold = restartThreshold(d);
    for (const p of newRSPods) {
      const r = crashLoopReason(p, threshold);
      if (r) {
        why = { reason: 'CrashLoopBackOff', detail: r };
        break;
      }
    }
  }
  if (!why) return { kind: 'none' };

  const bad = listAnnotation(d, BadHashesAnnotation);
  const target = listAnnotation(d, AvailableHashesAnnotation).reverse().filter((h) => h !== failing && !bad.includes(h))
    .map((h) => rsList.find((rs) => hashOf(rs) === h)).find((rs) => rs !== undefined);
  const nextBad = bad.includes(failing) ? bad : [...bad, failing];
  const annotated = (x: Deployment): Deployment => {
    x.metadata.annotations = { ...x.metadata.annotations, [BadHashesAnnotation]: nextBad.join(',') };
    return x;
  };
  const rev = (rs: Readonly<ReplicaSet>) => rs.metadata.annotations?.[RevisionAnnotation] ?? '?';
  const from = `revision ${rev(newRS)} (ReplicaSet "${newRS.metadata.name}")`;

  if (!target) {
    if (bad.includes(failing)) return { kind: 'none' }; // already reported
    const message = `Rollout of ${from} failed (${why.detail}) and there is no fully available revision to roll back to`;
    return { kind: 'skip', deployment: annotated(copyOf(d)), message };
  }

  const next = annotated(copyOf(d));
  const template = structuredClone(target.spec.template ?? {});
  if (template.metadata?.labels) delete template.metadata.labels[POD_TEMPLATE_HASH_LABEL];
  next.spec.template = template;
  const message = `Rolled back from ${from} to revision ${rev(target)} (ReplicaSet "${target.metadata.name}"): ${why.detail}`;
  return { kind: 'rollback', deployment: next, condition: newCondition(RolledBackCondition, 'True', why.reason, message, now), reason: why.reason, message };
}
