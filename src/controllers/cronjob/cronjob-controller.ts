/**
 * The CronJob controller (upstream pkg/controller/cronjob, the v2 controller): reconciles CronJobs;
 * Job events wake the Job's controlling CronJob. Each sync applies decideCronJob's plan: deletes
 * (Replace, history), creates the owed Job named `<cronjob>-<minutes>` with the
 * batch.kubernetes.io/cronjob-scheduled-timestamp annotation, writes status, and requeues for the
 * next scheduled time. Time comes from the manager's clock, so tests drive it with a FakeClock.
 */
import type { CronJob } from '../../api/kinds/batch/cron-job.js';
import type { Job } from '../../api/kinds/batch/job.js';
import { isAlreadyExists, isNotFound } from '../../client/errors.js';
import { resources } from '../../client/resource-ref.js';
import type { Controller } from '../../controller-runtime/controller.js';
import { controllerOwnerKey } from '../../controller-runtime/handlers.js';
import { keyString } from '../../controller-runtime/informer/keys.js';
import type { Manager } from '../../controller-runtime/manager.js';
import { controllerOf } from '../../controller-runtime/workload/controller-ref.js';
import { controllerRef } from '../../controller-runtime/workload/pod-template.js';
import { decideCronJob, finishedAs, jobRef } from './cronjob-decide.js';
import { rfc3339In } from './schedule-times.js';

export const SCHEDULED_TIMESTAMP_ANNOTATION = 'batch.kubernetes.io/cronjob-scheduled-timestamp';
const OWNER_UID_INDEX = 'cronjob-controller-uid';

/**
 * The CronJob to decide from: the cached one, or a live read when a running Job of ours is missing
 * from its status.active (upstream syncCronJob's GetCronJob before UnexpectedJob). The Job's own
 * event wakes the sync that follows its create, usually before the status write listing it reaches
 * the cache; deciding from that stale status reported our own Job as UnexpectedJob and wrote status
 * with a stale resourceVersion (a conflict). Undefined when the CronJob is gone or was replaced.
 */
async function freshIfJobUnlisted(client: Manager['client'], cached: Readonly<CronJob>, jobs: readonly Readonly<Job>[]): Promise<Readonly<CronJob> | undefined> {
  const listed = new Set((cached.status?.active ?? []).map((r) => r.uid));
  if (!jobs.some((j) => !finishedAs(j) && !listed.has(j.metadata.uid))) return cached;
  try {
    const live = await client.resource<CronJob>(resources.cronjobs, cached.metadata.namespace).get(cached.metadata.name!);
    return live.metadata.uid === cached.metadata.uid ? live : undefined;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/**
 * The status.active entries the informer lacks that the API server still has (upstream reads each
 * before it reports MissingJob: a slow Job watch is not a missing Job).
 */
async function foundLive(jobsApi: ReturnType<Manager['client']['resource']>, cj: Readonly<CronJob>, jobs: readonly Readonly<Job>[]): Promise<Set<string>> {
  const known = new Set(jobs.map((j) => j.metadata.uid));
  const out = new Set<string>();
  for (const r of cj.status?.active ?? []) {
    if (known.has(r.uid) || !r.name) continue;
    try {
      await jobsApi.get(r.name);
      out.add(r.uid!);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  return out;
}

export function addCronJobController(mgr: Manager): Controller {
  const clock = mgr.controllerDefaults.clock ?? { now: () => Date.now() };
  const cronInformer = mgr.informers.informerFor<CronJob>(resources.cronjobs);
  const jobInformer = mgr.informers.informerFor<Job>(resources.jobs);
  jobInformer.indexer.addIndexers({ [OWNER_UID_INDEX]: (j) => { const r = controllerOf(j); return r?.kind === 'CronJob' ? [r.uid] : []; } });
  const recorder = mgr.eventRecorder('cronjob-controller');
  const client = mgr.client;

  const jobToCronJob = (job: Readonly<Job>): string[] => {
    const k = controllerOwnerKey(job, 'batch', 'CronJob');
    return k ? [keyString(k)] : [];
  };

  return mgr
    .controller('cronjob')
    .for(resources.cronjobs)
    .watches(resources.jobs, jobToCronJob)
    .withOptions({ workers: 5 })
    .complete(async (req) => {
      const cached = cronInformer.indexer.get(`${req.namespace}/${req.name}`);
      if (!cached) return;
      const ns = cached.metadata.namespace!;
      const jobs = jobInformer.indexer.byIndex(OWNER_UID_INDEX, cached.metadata.uid!);
      const cj = await freshIfJobUnlisted(client, cached, jobs);
      if (!cj) return;
      const now = clock.now();
      const jobsApi = client.resource<Job>(resources.jobs, ns);
      const plan = decideCronJob(cj, jobs, now, await foundLive(jobsApi, cj, jobs));

      for (const d of plan.delete) {
        try {
          await jobsApi.delete(d.name, { propagationPolicy: 'Background' });
          recorder.event(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${d.name}`);
        } catch (err) {
          if (!isNotFound(err)) {
            recorder.event(cj, 'Warning', 'FailedDelete', `Deleted job: ${String(err instanceof Error ? err.message : err)}`);
            throw err;
          }
        }
      }
      if (plan.create) {
        const tpl = cj.spec!.jobTemplate;
        const job: Job = {
          apiVersion: 'batch/v1', kind: 'Job',
          metadata: {
            name: plan.create.name,
            labels: { ...(tpl.metadata?.labels ?? {}) },
            annotations: { ...(tpl.metadata?.annotations ?? {}), [SCHEDULED_TIMESTAMP_ANNOTATION]: rfc3339In(plan.create.scheduled, cj.spec!.timeZone) },
            ownerReferences: [controllerRef(cj, 'batch/v1', 'CronJob')],
          },
          spec: structuredClone(tpl.spec!),
        };
        try {
          const made = await jobsApi.create(job);
          recorder.event(cj, 'Normal', 'SuccessfulCreate', `Created job ${made.metadata.name}`);
          plan.status.active = [...(plan.status.active ?? []), jobRef(made)];
        } catch (err) {
          if (!isAlreadyExists(err)) {
            recorder.event(cj, 'Warning', 'FailedCreate', `Error creating job: ${String(err instanceof Error ? err.message : err)}`);
            throw err;
          }
          // Made by an earlier sync whose status write was lost: ours goes (back) into status.active
          // with its lastScheduleTime; someone else's is left to whoever made it, status as it was.
          const existing = await jobsApi.get(plan.create.name);
          const ours = controllerOf(existing)?.uid === cj.metadata.uid;
          if (ours && !(plan.status.active ?? []).some((r) => r.uid === existing.metadata.uid)) plan.status.active = [...(plan.status.active ?? []), jobRef(existing)];
          else if (cj.status?.lastScheduleTime) plan.status.lastScheduleTime = cj.status.lastScheduleTime;
          else delete plan.status.lastScheduleTime;
        }
      }
      for (const e of plan.events) recorder.event(cj, e.type, e.reason, e.message);
      if (JSON.stringify(cj.status ?? {}) !== JSON.stringify(plan.status)) {
        await client.resource<CronJob>(resources.cronjobs, ns).updateStatus({ ...structuredClone(cj), status: plan.status });
      }
      if (plan.requeueAfterMs !== undefined) return { requeueAfter: plan.requeueAfterMs };
    });
}
