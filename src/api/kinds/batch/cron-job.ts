/** batch/v1 CronJob: schema, defaults (SetDefaults_CronJob), validation (ValidateCronJob*) and printer columns (printCronJob). */
import type { ObjectMeta } from '../../meta.js';
import { s } from '../../schema/builders.js';
import { fe } from '../../schema/errors.js';
import type { Infer } from '../../schema/types.js';
import type { FieldError } from '../../status.js';
import { age } from '../../table/age.js';
import { col, NONE } from '../../table/columns.js';
import { containerCells } from '../apps/common.js';
import { objectReferenceSchema } from '../core/service-account.js';
import { defineKind, gvk } from '../define.js';
import { formatLabelSelector } from '../meta/label-selector.js';
import { nameIsDNSSubdomain } from '../meta/names.js';
import { standardMetadata, typeMeta } from '../meta/object-meta.js';
import { CronParseError, isKnownTimeZone, parseStandardSchedule } from './cron-schedule.js';
import { jobSpecSchema } from './job-schema.js';

const BATCH = 'io.k8s.api.batch.v1';

export const jobTemplateSpecSchema = s.object({
  metadata: standardMetadata,
  spec: { ...jobSpecSchema, description: 'Specification of the desired behavior of the job.' },
}, { name: `${BATCH}.JobTemplateSpec`, description: 'JobTemplateSpec describes the data a Job should have when created from a template' });

export const cronJobSpecSchema = s.object({
  schedule: s.string('The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.'),
  timeZone: s.string('The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones.'),
  startingDeadlineSeconds: s.int64('Optional deadline in seconds for starting the job if it misses scheduled time for any reason.  Missed jobs executions will be counted as failed ones.'),
  concurrencyPolicy: s.string({ description: 'Specifies how to treat concurrent executions of a Job. Valid values are: "Allow" (default), "Forbid", "Replace".', enum: ['Allow', 'Forbid', 'Replace'], default: 'Allow' }),
  suspend: s.bool({ description: 'This flag tells the controller to suspend subsequent executions, it does not apply to already started executions.  Defaults to false.', default: false }),
  jobTemplate: { ...jobTemplateSpecSchema, description: 'Specifies the job that will be created when executing a CronJob.' },
  successfulJobsHistoryLimit: s.int({ description: 'The number of successful finished jobs to retain. Value must be non-negative integer. Defaults to 3.', default: 3 }),
  failedJobsHistoryLimit: s.int({ description: 'The number of failed finished jobs to retain. Value must be non-negative integer. Defaults to 1.', default: 1 }),
}, { name: `${BATCH}.CronJobSpec`, required: ['schedule', 'jobTemplate'], description: 'CronJobSpec describes how the job execution will look like and when it will actually run.' });

export const cronJobStatusSchema = s.object({
  active: s.array(objectReferenceSchema, { description: 'A list of pointers to currently running jobs.', listType: 'atomic' }),
  lastScheduleTime: s.time('Information when was the last time the job was successfully scheduled.'),
  lastSuccessfulTime: s.time('Information when was the last time the job successfully completed.'),
}, { name: `${BATCH}.CronJobStatus`, description: 'CronJobStatus represents the current state of a cron job.' });

export const cronJobSchema = s.object({
  ...typeMeta,
  metadata: standardMetadata,
  spec: { ...cronJobSpecSchema, description: 'Specification of the desired behavior of a cron job, including the schedule.' },
  status: { ...cronJobStatusSchema, description: 'Current status of a cron job.' },
}, { name: `${BATCH}.CronJob`, gvk: gvk('batch', 'v1', 'CronJob'), description: 'CronJob represents the configuration of a single cron job.' });

export type CronJob = Infer<typeof cronJobSchema> & { metadata: ObjectMeta };
export type CronJobSpec = Infer<typeof cronJobSpecSchema>;
export type CronJobStatus = Infer<typeof cronJobStatusSchema>;

/** Job names are `<cronjob>-<minutes>`, and a Job's name feeds a pod label: 52 leaves room (upstream's limit). */
const MAX_CRONJOB_NAME = 52;
const TZ_CHARS = /^[A-Za-z.\-_0-9+/]+$/;

/**
 * validateScheduleFormat + validateTimeZone + the spec's numeric and template checks. A TZ in the
 * schedule is refused unless the stored object (`old`, on update) already had one (AllowTZInSchedule),
 * and then only together with spec.timeZone.
 */
export function validateCronJob(cj: CronJob, old?: CronJob): FieldError[] {
  const errs: FieldError[] = [];
  const name = cj.metadata?.name ?? '';
  if (name.length > MAX_CRONJOB_NAME) errs.push(fe.invalid('metadata.name', name, `must be no more than ${MAX_CRONJOB_NAME} characters`));
  const spec = cj.spec;
  if (!spec) return [...errs, fe.required('spec')];
  if (!spec.schedule) errs.push(fe.required('spec.schedule'));
  else {
    try {
      parseStandardSchedule(spec.schedule);
    } catch (err) {
      if (!(err instanceof CronParseError)) throw err;
      errs.push(fe.invalid('spec.schedule', spec.schedule, err.message));
    }
    const allowTZ = old?.spec?.schedule?.includes('TZ') ?? false;
    if (spec.schedule.includes('TZ')) {
      if (!allowTZ) errs.push(fe.invalid('spec.schedule', spec.schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'));
      else if (spec.timeZone !== undefined) errs.push(fe.invalid('spec.schedule', spec.schedule, 'cannot use both timeZone field and TZ or CRON_TZ in schedule'));
    }
  }
  if (spec.timeZone !== undefined) {
    if (spec.timeZone === '') errs.push(fe.invalid('spec.timeZone', spec.timeZone, 'timeZone must be nil or non-empty string'));
    else if (spec.timeZone.toLowerCase() === 'local') errs.push(fe.invalid('spec.timeZone', spec.timeZone, 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones'));
    else if (!TZ_CHARS.test(spec.timeZone) || !isKnownTimeZone(spec.timeZone)) errs.push(fe.invalid('spec.timeZone', spec.timeZone, `unknown time zone ${spec.timeZone}`));
  }
  for (const k of ['startingDeadlineSeconds', 'successfulJobsHistoryLimit', 'failedJobsHistoryLimit'] as const) {
    const v = spec[k];
    if (v !== undefined && v < 0) errs.push(fe.invalid(`spec.${k}`, v, 'must be greater than or equal to 0'));
  }
  const js = spec.jobTemplate?.spec;
  if (!js) errs.push(fe.required('spec.jobTemplate.spec'));
  else {
    if (js.manualSelector === true) errs.push(fe.notSupported('spec.jobTemplate.spec.manualSelector', true, ['nil', 'false']));
    const rp = js.template?.spec?.restartPolicy;
    if (rp !== 'OnFailure' && rp !== 'Never') errs.push(fe.notSupported('spec.jobTemplate.spec.template.spec.restartPolicy', rp ?? '', ['OnFailure', 'Never']));
    for (const k of ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished'] as const) {
      const v = js[k];
      if (v !== undefined && v < 0) errs.push(fe.invalid(`spec.jobTemplate.spec.${k}`, v, 'must be greater than or equal to 0'));
    }
  }
  return errs;
}

export const cronJobs = defineKind<CronJob>({
  group: 'batch', version: 'v1', kind: 'CronJob', plural: 'cronjobs', namespaced: true, shortNames: ['cj'], categories: ['all'],
  subresources: ['status'],
  schema: cronJobSchema, nameValidator: nameIsDNSSubdomain,
  validate: validateCronJob,
  hasStatusSubresource: true, tracksGeneration: true,
  columns: [
    col('Schedule', 'string', 'The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.'),
    col('Timezone', 'string', 'The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones. If not specified, this will default to the time zone of the kube-controller-manager process. The set of valid time zone names and the time zone offset is loaded from the system-wide time zone database by the API server during CronJob validation and the controller manager during execution. If no system-wide time zone database can be found a bundled version of the database is used instead. If the time zone name becomes invalid during the lifetime of a CronJob or due to a change in host configuration, the controller will stop creating new new Jobs and will create a system event with the reason UnknownTimeZone. More information can be found in https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#time-zones'),
    col('Suspend', 'boolean', 'This flag tells the controller to suspend subsequent executions, it does not apply to already started executions.  Defaults to false.'),
    col('Active', 'integer', 'A list of pointers to currently running jobs.'),
    col('Last Schedule', 'string', 'Information when was the last time the job was successfully scheduled.'),
    col('Containers', 'string', 'Names of each container in the template.', true),
    col('Images', 'string', 'Images referenced by each container in the template.', true),
    col('Selector', 'string', 'Selector that selects a set of pods.', true),
  ],
  cells: (cj, now) => [
    cj.spec?.schedule ?? '', cj.spec?.timeZone ?? NONE, cj.spec?.suspend ?? false, cj.status?.active?.length ?? 0,
    cj.status?.lastScheduleTime ? age(cj.status.lastScheduleTime, now) : NONE,
    ...containerCells(cj.spec?.jobTemplate?.spec?.template?.spec?.containers), formatLabelSelector(cj.spec?.jobTemplate?.spec?.selector),
  ],
  protobufMessage: 'k8s.io.api.batch.v1.CronJob',
});
