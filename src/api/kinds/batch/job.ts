/** batch/v1 Job: the served kind, its defaults, validation and printer columns (printJob). */
import { humanDuration } from '../../table/age.js';
import { col } from '../../table/columns.js';
import { containerCells } from '../apps/common.js';
import { defineKind } from '../define.js';
import { selectorString } from '../meta/label-selector.js';
import { nameIsDNSSubdomain } from '../meta/names.js';
import { jobSchema, type Job } from './job-schema.js';
import { defaultJob, validateJob, validateJobUpdate } from './job-validation.js';

export * from './job-schema.js';
export { CONTROLLER_UID_LABEL, JOB_NAME_LABEL, LEGACY_CONTROLLER_UID_LABEL, LEGACY_JOB_NAME_LABEL } from './job-validation.js';

const hasCondition = (job: Job, type: string) => (job.status?.conditions ?? []).some((c) => c.type === type && c.status === 'True');

/** printJob's STATUS cell. */
export function jobStatusCell(job: Job): string {
  if (hasCondition(job, 'Complete')) return 'Complete';
  if (hasCondition(job, 'Failed')) return 'Failed';
  if (job.metadata.deletionTimestamp) return 'Terminating';
  if (hasCondition(job, 'Suspended')) return 'Suspended';
  if (hasCondition(job, 'FailureTarget')) return 'FailureTarget';
  if (hasCondition(job, 'SuccessCriteriaMet')) return 'SuccessCriteriaMet';
  return 'Running';
}

/** printJob's COMPLETIONS cell: `1/3`, or `0/1 of 2` for a work-queue Job with parallelism > 1. */
export function jobCompletionsCell(job: Job): string {
  const succeeded = job.status?.succeeded ?? 0;
  if (job.spec?.completions !== undefined) return `${succeeded}/${job.spec.completions}`;
  const p = job.spec?.parallelism ?? 0;
  return p > 1 ? `${succeeded}/1 of ${p}` : `${succeeded}/1`;
}

/** printJob's DURATION cell: empty before the start, running time until completion. */
export function jobDurationCell(job: Job, now: Date): string {
  const start = job.status?.startTime ? Date.parse(job.status.startTime) : NaN;
  if (Number.isNaN(start)) return '';
  const end = job.status?.completionTime ? Date.parse(job.status.completionTime) : now.getTime();
  return humanDuration(end - start);
}

export const jobs = defineKind<Job>({
  group: 'batch', version: 'v1', kind: 'Job', plural: 'jobs', namespaced: true, categories: ['all'],
  subresources: ['status'],
  schema: jobSchema, nameValidator: nameIsDNSSubdomain,
  defaults: defaultJob,
  validate: validateJob,
  validateUpdate: validateJobUpdate,
  hasStatusSubresource: true, tracksGeneration: true,
  selectableFields: (job) => ({ 'status.successful': String(job.status?.succeeded ?? 0) }),
  columns: [
    col('Status', 'string', 'Status of the job.'),
    col('Completions', 'string', 'The completion status of the job.'),
    col('Duration', 'string', 'Time required to complete the job.'),
    col('Containers', 'string', 'Names of each container in the template.', true),
    col('Images', 'string', 'Images referenced by each container in the template.', true),
    col('Selector', 'string', 'Selector that selects a set of pods.', true),
  ],
  cells: (job, now) => [
    jobStatusCell(job), jobCompletionsCell(job), jobDurationCell(job, now),
    ...containerCells(job.spec?.template?.spec?.containers), selectorString(job.spec?.selector),
  ],
  protobufMessage: 'k8s.io.api.batch.v1.Job',
});
