/** The Job as the controller reads it: a stored Job always has a spec (defaults filled by the API server). */
import type { Job as ApiJob, JobSpec } from '../../api/kinds/batch/job.js';

export type Job = ApiJob & { spec: JobSpec };
export type { JobCondition, JobSpec, JobStatus, PodFailurePolicyRule } from '../../api/kinds/batch/job.js';
