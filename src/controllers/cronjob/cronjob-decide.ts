/**
 * One CronJob sync decided without I/O (upstream cronjob_controllerv2.go syncCronJob and
 * cleanupFinishedJobs): reconcile status.active with the Jobs it owns, then — unless suspended,
 * unparseable or in an unknown zone — start the Job owed for the most recent missed schedule
 * (honouring startingDeadlineSeconds and concurrencyPolicy Allow/Forbid/Replace), trim finished
 * Jobs to the history limits, and say when to look again.
 */
import type { CronJob } from '../../api/kinds/batch/cron-job.js';
import { CronParseError, isKnownTimeZone, parseStandardSchedule } from '../../api/kinds/batch/cron-schedule.js';
import type { Job } from '../../api/kinds/batch/job.js';
import type { ObjectReference } from '../../api/kinds/core/service-account.js';
import { rfc3339Seconds } from '../../controller-runtime/utc-time.js';
import { earliestTime, jobNameFor, mostRecentScheduleTime, rfc1123z } from './schedule-times.js';

export interface CronEvent { type: 'Normal' | 'Warning'; reason: string; message: string }

export interface CronJobPlan {
  status: NonNullable<CronJob['status']>;
  /** A Job to create for this scheduled time (epoch ms). */
  create?: { name: string; scheduled: number };
  /** Jobs to delete (background): active ones under Replace, finished ones past the history limits. */
  delete: { name: string; reason: 'Replace' | 'History' }[];
  events: CronEvent[];
  requeueAfterMs?: number;
}

/** Finished: Complete or Failed is True; returns which. */
export function finishedAs(job: Readonly<Job>): 'Complete' | 'Failed' | undefined {
  const c = job.status?.conditions?.find((x) => (x.type === 'Complete' || x.type === 'Failed') && x.status === 'True');
  return c?.type as 'Complete' | 'Failed' | undefined;
}

/** status.active's reference to a Job (getRef). */
export const jobRef = (job: Readonly<Job>): ObjectReference => ({
  kind: 'Job', namespace: job.metadata.namespace, name: job.metadata.name, uid: job.metadata.uid, apiVersion: 'batch/v1', resourceVersion: job.metadata.resourceVersion,
});

/**
 * Decide one sync. `jobs` are the Jobs this CronJob controls (the informer's); `foundLive` holds
 * the uids of status.active entries the informer lacks but a live read found (not missing yet).
 */
export function decideCronJob(cj: Readonly<CronJob>, jobs: readonly Readonly<Job>[], now: number, foundLive: ReadonlySet<string> = new Set()): CronJobPlan {
  const status: NonNullable<CronJob['status']> = structuredClone(cj.status ?? {});
  const plan: CronJobPlan = { status, delete: [], events: [] };
  const byUid = new Map(jobs.map((j) => [j.metadata.uid, j] as const));
  const active = new Map((status.active ?? []).map((r) => [r.uid, r] as const));

  for (const j of jobs) {
    const done = finishedAs(j);
    const listed = active.has(j.metadata.uid);
    if (!done && !listed) {
      // A running Job of ours that the status does not list: reported, not adopted into it (upstream).
      // One this controller made before a lost status write comes back through the create's AlreadyExists.
      plan.events.push({ type: 'Warning', reason: 'UnexpectedJob', message: `Saw a job that the controller did not create or forgot: ${j.metadata.name}` });
    } else if (done && listed) {
      plan.events.push({ type: 'Normal', reason: 'SawCompletedJob', message: `Saw completed job: ${j.metadata.name}, condition: ${done}` });
      active.delete(j.metadata.uid);
    }
    if (done === 'Complete' && j.status?.completionTime && (!status.lastSuccessfulTime || Date.parse(j.status.completionTime) > Date.parse(status.lastSuccessfulTime))) {
      status.lastSuccessfulTime = j.status.completionTime;
    }
  }
  for (const [uid, ref] of active) {
    if (!byUid.has(uid) && !(uid && foundLive.has(uid))) {
      plan.events.push({ type: 'Normal', reason: 'MissingJob', message: `Active job went missing: ${ref.name}` });
      active.delete(uid);
    }
  }
  const setActive = () => {
    if (active.size > 0) status.active = [...active.values()];
    else delete status.active;
  };
  setActive();
  plan.delete.push(...historyToDelete(cj, jobs));
  if (cj.metadata.deletionTimestamp) return plan;

  const spec = cj.spec!;
  if (spec.timeZone !== undefined && !isKnownTimeZone(spec.timeZone)) {
    plan.events.push({ type: 'Warning', reason: 'UnknownTimeZone', message: `invalid timeZone: ${JSON.stringify(spec.timeZone)}: unknown time zone ${spec.timeZone}` });
    return plan;
  }
  if (spec.suspend) return plan;
  if (spec.schedule.includes('TZ')) {
    plan.events.push({ type: 'Warning', reason: 'UnsupportedSchedule', message: `CRON_TZ or TZ used in schedule ${JSON.stringify(spec.schedule)} is not officially supported, see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details` });
  }
  let schedule;
  try {
    schedule = parseStandardSchedule(spec.schedule, spec.timeZone);
  } catch (err) {
    if (!(err instanceof CronParseError)) throw err;
    plan.events.push({ type: 'Warning', reason: 'UnparseableSchedule', message: `unparseable schedule: ${JSON.stringify(spec.schedule)} : ${err.message}` });
    return plan;
  }
  const created = Date.parse(cj.metadata.creationTimestamp ?? '') || now;
  const last = cj.status?.lastScheduleTime ? Date.parse(cj.status.lastScheduleTime) : undefined;
  const recent = mostRecentScheduleTime(schedule, earliestTime(created, last, spec.startingDeadlineSeconds, now), now);
  const next = schedule.next(now);
  // Look again just after the next scheduled time (upstream adds 100 ms).
  if (next !== undefined) plan.requeueAfterMs = next - now + 100;
  if (recent.missed === 'many') {
    plan.events.push({ type: 'Warning', reason: 'TooManyMissedTimes', message: 'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew' });
  }
  const scheduled = recent.time;
  if (scheduled === undefined) return plan;
  if (spec.startingDeadlineSeconds !== undefined && scheduled + spec.startingDeadlineSeconds * 1000 < now) {
    plan.events.push({ type: 'Warning', reason: 'MissSchedule', message: `Missed scheduled time to start a job: ${rfc1123z(scheduled)}` });
    return plan;
  }
  const name = jobNameFor(cj.metadata.name!, scheduled);
  if ([...active.values()].some((r) => r.name === name) || (last !== undefined && last === scheduled)) return plan;
  if (spec.concurrencyPolicy === 'Forbid' && active.size > 0) {
    plan.events.push({ type: 'Normal', reason: 'JobAlreadyActive', message: 'Not starting job because prior execution is running and concurrency policy is Forbid' });
    return plan;
  }
  if (spec.concurrencyPolicy === 'Replace') {
    for (const r of active.values()) plan.delete.push({ name: r.name!, reason: 'Replace' });
    active.clear();
    setActive();
  }
  plan.create = { name, scheduled };
  status.lastScheduleTime = rfc3339Seconds(scheduled);
  return plan;
}

/** cleanupFinishedJobs: the oldest (by start time) finished Jobs beyond successful/failed history limits. */
function historyToDelete(cj: Readonly<CronJob>, jobs: readonly Readonly<Job>[]): { name: string; reason: 'History' }[] {
  const out: { name: string; reason: 'History' }[] = [];
  const trim = (kind: 'Complete' | 'Failed', limit: number | undefined) => {
    if (limit === undefined) return;
    const done = jobs.filter((j) => finishedAs(j) === kind && !j.metadata.deletionTimestamp);
    // byJobStartTime: Jobs without a start time sort last, then by name.
    done.sort((a, b) => {
      const sa = a.status?.startTime;
      const sb = b.status?.startTime;
      if (!sa || !sb) return sa ? -1 : sb ? 1 : (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
      return sa === sb ? (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '') : Date.parse(sa) - Date.parse(sb);
    });
    for (const j of done.slice(0, Math.max(0, done.length - limit))) out.push({ name: j.metadata.name!, reason: 'History' });
  };
  trim('Complete', cj.spec?.successfulJobsHistoryLimit);
  trim('Failed', cj.spec?.failedJobsHistoryLimit);
  return out;
}
