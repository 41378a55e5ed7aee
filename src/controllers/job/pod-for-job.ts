/**
 * A pod for a Job (upstream podTemplate handling in manageJob / addCompletionIndexEnvVariables):
 * the template with the tracking finalizer; Indexed Jobs add the completion index as annotation,
 * label and JOB_COMPLETION_INDEX env var (from the annotation, through the downward API), a
 * `<job>-<index>` hostname and a `<job>-<index>-` name prefix.
 */
import type { OwnerReference } from '../../api/meta.js';
import { podFromTemplate } from '../../controller-runtime/workload/pod-template.js';
import type { Pod } from '../../api/kinds/core/pod.js';
import { INDEX_FAILURE_COUNT_ANNOTATION, INDEX_IGNORED_FAILURE_COUNT_ANNOTATION } from './job-counting.js';
import type { PodToCreate } from './job-manage.js';
import { COMPLETION_INDEX_ANNOTATION, COMPLETION_INDEX_ENV, JOB_TRACKING_FINALIZER } from './job-pods.js';
import type { Job } from './job-types.js';

export function podForJob(job: Readonly<Job>, ref: OwnerReference, what: PodToCreate): Pod {
  const pod = podFromTemplate(job.spec.template, job.metadata.name!, ref);
  pod.metadata.finalizers = [...(pod.metadata.finalizers ?? []), JOB_TRACKING_FINALIZER];
  if (what.index === undefined) return pod;
  const ix = String(what.index);
  pod.metadata.generateName = `${job.metadata.name}-${ix}-`;
  pod.metadata.annotations = { ...pod.metadata.annotations, [COMPLETION_INDEX_ANNOTATION]: ix };
  if (what.indexFailures !== undefined) pod.metadata.annotations[INDEX_FAILURE_COUNT_ANNOTATION] = String(what.indexFailures);
  if (what.indexIgnoredFailures) pod.metadata.annotations[INDEX_IGNORED_FAILURE_COUNT_ANNOTATION] = String(what.indexIgnoredFailures);
  pod.metadata.labels = { ...pod.metadata.labels, [COMPLETION_INDEX_ANNOTATION]: ix };
  const spec = pod.spec;
  spec.hostname = `${job.metadata.name}-${ix}`;
  const env = { name: COMPLETION_INDEX_ENV, valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${COMPLETION_INDEX_ANNOTATION}']` } } };
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    if (!(c.env ?? []).some((e) => e.name === COMPLETION_INDEX_ENV)) c.env = [...(c.env ?? []), env];
  }
  return pod;
}
