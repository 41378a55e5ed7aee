/**
 * batch/v1 Job (pkg/registry/batch/job/strategy.go): on create the status is dropped and, unless
 * spec.manualSelector, the selector and template labels are generated from the uid
 * (generateSelector), then checked (ValidateGeneratedSelector); writes through /status keep the
 * stored labels. Pod templates get PodSecurity warnings as for apps workloads.
 */
import type { Job } from '../../../api/kinds/batch/job.js';
import { generateJobSelector, validateGeneratedSelector } from '../../../api/kinds/batch/job-validation.js';
import type { Strategy } from './types.js';
import { workloadStrategy } from './workload.js';

export const jobStrategy: Strategy<Job> = {
  ...workloadStrategy,
  prepareForCreate(obj) {
    generateJobSelector(obj);
  },
  validate(obj, old) {
    return old ? [] : validateGeneratedSelector(obj);
  },
};
