/**
 * Job conditions as upstream writes them (pkg/controller/job/job_controller.go newCondition /
 * ensureJobConditionStatus, reasons from k8s.io/api/batch/v1): interim FailureTarget and
 * SuccessCriteriaMet first, the terminal Failed / Complete once no pod of the Job is left running.
 */
import type { Job, JobCondition } from './job-types.js';
import { rfc3339Seconds } from '../../controller-runtime/utc-time.js';

export const REASON = {
  backoffLimitExceeded: 'BackoffLimitExceeded',
  deadlineExceeded: 'DeadlineExceeded',
  podFailurePolicy: 'PodFailurePolicy',
  maxFailedIndexesExceeded: 'MaxFailedIndexesExceeded',
  failedIndexes: 'FailedIndexes',
  successPolicy: 'SuccessPolicy',
  completionsReached: 'CompletionsReached',
  suspended: 'JobSuspended',
  resumed: 'JobResumed',
} as const;

export const MESSAGE = {
  backoffLimitExceeded: 'Job has reached the specified backoff limit',
  deadlineExceeded: 'Job was active longer than specified deadline',
  maxFailedIndexesExceeded: 'Job has exceeded the specified maximal number of failed indexes',
  failedIndexes: 'Job has failed indexes',
  completionsReached: 'Reached expected number of succeeded pods',
} as const;

export function findCondition(job: { status?: Job['status'] }, type: string): JobCondition | undefined {
  return job.status?.conditions?.find((c) => c.type === type);
}

export function conditionTrue(job: { status?: Job['status'] }, type: string): boolean {
  return findCondition(job, type)?.status === 'True';
}

/** Complete or Failed is True: nothing more happens to the Job but finalizer clean-up. */
export const isFinished = (job: { status?: Job['status'] }): boolean => conditionTrue(job, 'Complete') || conditionTrue(job, 'Failed');

export function newCondition(type: string, status: 'True' | 'False', reason: string, message: string, now: number): JobCondition {
  const t = rfc3339Seconds(now);
  return { type, status, lastProbeTime: t, lastTransitionTime: t, reason, message };
}

/**
 * ensureJobConditionStatus: add the condition, or update it when its status changes (reason and
 * message follow it); an unchanged status keeps the condition as it was. Returns whether it changed.
 */
export function ensureCondition(conds: JobCondition[], type: string, status: 'True' | 'False', reason: string, message: string, now: number): boolean {
  const i = conds.findIndex((c) => c.type === type);
  if (i < 0) {
    if (status === 'False') return false;
    conds.push(newCondition(type, status, reason, message, now));
    return true;
  }
  if (conds[i]!.status === status) return false;
  conds[i] = newCondition(type, status, reason, message, now);
  return true;
}
