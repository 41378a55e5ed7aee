/**
 * One Job sync decided without I/O (upstream syncJob): count terminated pods, judge success and
 * failure (backoffLimit, activeDeadlineSeconds, podFailurePolicy, per-index limits, successPolicy,
 * completions), handle suspend/resume, and plan creations and deletions. The executor
 * (job-reconciler.ts) writes `status`, removes `finalizersToRemove`, then writes the flushed counters,
 * adding `terminal` when every finalizer went.
 */
import type { Job, JobCondition, JobStatus } from './job-types.js';
import { rfc3339Seconds } from '../../controller-runtime/utc-time.js';
import type { Pod } from '../../api/kinds/core/pod.js';
import { conditionTrue, ensureCondition, findCondition, isFinished, MESSAGE, newCondition, REASON } from './job-conditions.js';
import { countTerminatedPods, releaseForFinish, type BackoffRecord } from './job-counting.js';
import { creationsDue, managePods, type PodToCreate } from './job-manage.js';
import { hasTrackingFinalizer, isActive, isFailed, isReady, isTerminating, podStatus } from './job-pods.js';
import { matchPodFailurePolicy } from './pod-failure-policy.js';
import { formatIndexes, parseIndexes } from './indexes.js';

export interface JobSyncInput {
  job: Readonly<Job>;
  /** Pods this Job controls. */
  pods: readonly Readonly<Pod>[];
  now: number;
  /** Uids whose finalizer removal was sent but not yet seen by the cache: neither counted again nor touched. */
  finalizerPending: ReadonlySet<string>;
  backoff: BackoffRecord;
  /** Earlier creations and deletions have all been observed. */
  expectationsSatisfied: boolean;
  /** First pod failure back-off (upstream DefaultJobPodFailureBackOff, 10 s); tests shorten it. */
  backoffBaseMs?: number;
}

export interface JobEvent { type: 'Normal' | 'Warning'; reason: string; message: string }

export interface JobSyncPlan {
  status: JobStatus;
  finalizersToRemove: Readonly<Pod>[];
  /** Complete or Failed, to add in the flush write once no uncounted pod and no running pod is left. */
  terminal?: JobCondition;
  create: PodToCreate[];
  delete: Readonly<Pod>[];
  events: JobEvent[];
  backoff: BackoffRecord;
  requeueAfterMs?: number;
}

export function decideJob(input: JobSyncInput): JobSyncPlan {
  const { job, pods, now } = input;
  const status: JobStatus = structuredClone(job.status ?? {});
  const conds: JobCondition[] = (status.conditions ??= []);
  const events: JobEvent[] = [];
  const plan: JobSyncPlan = { status, finalizersToRemove: [], create: [], delete: [], events, backoff: input.backoff };

  if (isFinished(job)) {
    // Finished: nothing runs any more; pods that still carry the finalizer just lose it.
    plan.finalizersToRemove = pods.filter((p) => hasTrackingFinalizer(p) && !input.finalizerPending.has(p.metadata.uid!));
    return plan;
  }

  const indexed = job.spec.completionMode === 'Indexed';
  const completions = job.spec.completions;
  const succeededIx = parseIndexes(status.completedIndexes, completions ?? 0);
  const failedIx = parseIndexes(status.failedIndexes, completions ?? 0);
  const counted = countTerminatedPods(job, pods, succeededIx, failedIx, input.finalizerPending, input.backoff, now);
  plan.backoff = counted.backoff;
  plan.finalizersToRemove = counted.finalizersToRemove;
  if (indexed) {
    status.completedIndexes = formatIndexes(succeededIx);
    if (succeededIx.size > 0 || status.succeeded !== undefined) status.succeeded = succeededIx.size;
    if (job.spec.backoffLimitPerIndex !== undefined) status.failedIndexes = formatIndexes(failedIx);
  }
  const succeeded = indexed ? succeededIx.size : (status.succeeded ?? 0) + counted.uncounted.succeeded.length;
  const failed = (status.failed ?? 0) + counted.uncounted.failed.length;

  // Suspend and resume.
  const suspended = job.spec.suspend === true;
  if (suspended) {
    // startTime stays (upstream clears it never; Kueue-like callers do): resuming resets it.
    if (ensureCondition(conds, 'Suspended', 'True', REASON.suspended, 'Job suspended', now)) events.push({ type: 'Normal', reason: 'Suspended', message: 'Job suspended' });
  } else {
    if (conditionTrue(job, 'Suspended') && ensureCondition(conds, 'Suspended', 'False', REASON.resumed, 'Job resumed', now)) {
      events.push({ type: 'Normal', reason: 'Resumed', message: 'Job resumed' });
      status.startTime = rfc3339Seconds(now);
    }
    status.startTime ??= rfc3339Seconds(now);
  }

  // Success and failure criteria, unless an interim condition already decided.
  let interim = conds.find((c) => (c.type === 'FailureTarget' || c.type === 'SuccessCriteriaMet') && c.status === 'True');
  if (!interim) {
    const failure = judgeFailure(job, pods, failed, failedIx, succeededIx, status.startTime, now);
    const success = failure ? undefined : judgeSuccess(job, pods, succeeded, succeededIx, failedIx);
    if (failure) interim = newCondition('FailureTarget', 'True', failure.reason, failure.message, now);
    else if (success) interim = newCondition('SuccessCriteriaMet', 'True', success.reason, success.message, now);
    if (interim) conds.push(interim);
  }

  if (interim && !counted.capped) releaseForFinish(job, pods, counted, input.finalizerPending, interim.type === 'FailureTarget');
  status.uncountedTerminatedPods = {
    ...(counted.uncounted.succeeded.length ? { succeeded: counted.uncounted.succeeded } : {}),
    ...(counted.uncounted.failed.length ? { failed: counted.uncounted.failed } : {}),
  };

  const active = pods.filter(isActive);
  if (interim || suspended) {
    // Finishing or suspended: every running pod goes.
    plan.delete = active;
  } else if (input.expectationsSatisfied) {
    const m = managePods(job, pods, succeeded, succeededIx, failedIx);
    plan.delete = m.delete;
    const go = creationsDue(job, m.create, plan.backoff, now, input.backoffBaseMs);
    plan.create = go.create;
    if (go.waitMs > 0) plan.requeueAfterMs = go.waitMs;
  }

  status.active = active.length;
  status.ready = active.filter(isReady).length;
  status.terminating = pods.filter(isTerminating).length;

  if (interim && plan.delete.length === 0 && status.terminating === 0 && !counted.capped) {
    const complete = interim.type === 'SuccessCriteriaMet';
    plan.terminal = complete
      ? newCondition('Complete', 'True', interim.reason!, interim.message!, now)
      : newCondition('Failed', 'True', interim.reason!, interim.message!, now);
  }
  if (counted.capped) plan.requeueAfterMs = 0;
  const deadline = job.spec.activeDeadlineSeconds;
  if (!interim && !suspended && deadline !== undefined && status.startTime) {
    const left = Date.parse(status.startTime) + deadline * 1000 - now;
    plan.requeueAfterMs = Math.min(plan.requeueAfterMs ?? Infinity, Math.max(left, 0));
  }
  if (conds.length === 0) delete status.conditions;
  return plan;
}

interface Verdict { reason: string; message: string }

function judgeFailure(job: Readonly<Job>, pods: readonly Readonly<Pod>[], failed: number, failedIx: ReadonlySet<number>, succeededIx: ReadonlySet<number>, startTime: string | undefined, now: number): Verdict | undefined {
  // getFailJobMessage: any failed pod of the Job, counted before or not, whose failure matches FailJob.
  for (const p of pods) {
    const m = isFailed(p, job) ? matchPodFailurePolicy(job.spec, p) : undefined;
    if (m?.action === 'FailJob') return { reason: REASON.podFailurePolicy, message: m.message! };
  }
  const limit = job.spec.backoffLimit ?? 6;
  if (failed > limit || pastBackoffLimitOnFailure(job, pods, limit)) return { reason: REASON.backoffLimitExceeded, message: MESSAGE.backoffLimitExceeded };
  const deadline = job.spec.activeDeadlineSeconds;
  // The startTime this sync writes: a resume has just reset it, so time spent suspended never
  // counts (upstream 1.32 reads the old one here and so can fail a Job on its resume).
  const start = startTime ? Date.parse(startTime) : NaN;
  if (deadline !== undefined && !Number.isNaN(start) && job.spec.suspend !== true && now - start >= deadline * 1000) {
    return { reason: REASON.deadlineExceeded, message: MESSAGE.deadlineExceeded };
  }
  if (job.spec.backoffLimitPerIndex !== undefined) {
    if (job.spec.maxFailedIndexes !== undefined && failedIx.size > job.spec.maxFailedIndexes) return { reason: REASON.maxFailedIndexesExceeded, message: MESSAGE.maxFailedIndexesExceeded };
    if (failedIx.size > 0 && failedIx.size + succeededIx.size >= (job.spec.completions ?? 0)) return { reason: REASON.failedIndexes, message: MESSAGE.failedIndexes };
  }
  return undefined;
}

/** restartPolicy OnFailure: container restarts of running pods count against backoffLimit. */
function pastBackoffLimitOnFailure(job: Readonly<Job>, pods: readonly Readonly<Pod>[], limit: number): boolean {
  if (job.spec.template.spec?.restartPolicy !== 'OnFailure') return false;
  let restarts = 0;
  for (const p of pods) {
    const s = podStatus(p);
    if (s.phase !== 'Running' && s.phase !== 'Pending') continue;
    for (const c of [...(s.containerStatuses ?? []), ...(s.initContainerStatuses ?? [])]) restarts += c.restartCount ?? 0;
  }
  return limit === 0 ? restarts > 0 : restarts >= limit;
}

function judgeSuccess(job: Readonly<Job>, pods: readonly Readonly<Pod>[], succeeded: number, succeededIx: ReadonlySet<number>, failedIx: ReadonlySet<number>): Verdict | undefined {
  // matchSuccessPolicy: nothing matches before an index succeeded; a rule whose indexes all lie
  // past completions names none and is skipped.
  const rules = succeededIx.size > 0 ? job.spec.successPolicy?.rules ?? [] : [];
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i]!;
    const scope = r.succeededIndexes !== undefined ? parseIndexes(r.succeededIndexes, job.spec.completions ?? 0) : undefined;
    if (scope?.size === 0) continue;
    const done = scope ? [...scope].filter((x) => succeededIx.has(x)).length : succeededIx.size;
    const allOfScope = scope ? done === scope.size : true;
    const enough = r.succeededCount !== undefined ? done >= r.succeededCount : allOfScope;
    if (enough && (r.succeededCount !== undefined || scope)) return { reason: REASON.successPolicy, message: `Matched rules at index ${i}` };
  }
  const completions = job.spec.completions;
  if (completions === undefined) {
    // Work-queue Job: done once one pod succeeded and none is left running.
    return succeeded > 0 && pods.filter(isActive).length === 0 ? { reason: REASON.completionsReached, message: MESSAGE.completionsReached } : undefined;
  }
  if (failedIx.size > 0) return undefined;
  return succeeded >= completions ? { reason: REASON.completionsReached, message: MESSAGE.completionsReached } : undefined;
}

/** The condition decideJob added last of `type`, for tests. */
export const conditionOf = (status: JobStatus, type: string) => findCondition({ status }, type);
