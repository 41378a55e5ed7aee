/**
 * What the Job controller reads from its pods (upstream pkg/controller/job): phases, the tracking
 * finalizer, completion indexes, readiness, and when a pod finished (for the failure back-off).
 */
import type { Job } from './job-types.js';
import type { Pod } from '../../api/kinds/core/pod.js';
import type { PodStatus } from '../../api/kinds/core/pod-status.js';

/** batch.kubernetes.io/job-tracking: a pod keeps it until the controller has counted it in the Job's status. */
export const JOB_TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';
/** Annotation (and label) holding an Indexed Job pod's completion index. */
export const COMPLETION_INDEX_ANNOTATION = 'batch.kubernetes.io/job-completion-index';
/** The env var every container of an Indexed Job pod gets, from the annotation. */
export const COMPLETION_INDEX_ENV = 'JOB_COMPLETION_INDEX';

export const podStatus = (p: Readonly<Pod>): PodStatus => p.status ?? {};
export const isSucceeded = (p: Readonly<Pod>): boolean => podStatus(p).phase === 'Succeeded';
export const hasTrackingFinalizer = (p: Readonly<Pod>): boolean => (p.metadata.finalizers ?? []).includes(JOB_TRACKING_FINALIZER);

/** Only pods that reached phase Failed are replaced when podReplacementPolicy is Failed (onlyReplaceFailedPods). */
export function onlyReplaceFailedPods(job: Readonly<Job>): boolean {
  return job.spec.podReplacementPolicy === 'Failed' || job.spec.podFailurePolicy !== undefined;
}

/**
 * isPodFailed: phase Failed; or, unless only failed pods are replaced, a deleted pod that did not
 * succeed (orphans deleted before reaching a terminal phase still count as failures).
 */
export function isFailed(p: Readonly<Pod>, job: Readonly<Job>): boolean {
  const phase = podStatus(p).phase;
  if (phase === 'Failed') return true;
  if (onlyReplaceFailedPods(job)) return false;
  return !!p.metadata.deletionTimestamp && phase !== 'Succeeded';
}

/** Neither finished nor being deleted. */
export const isActive = (p: Readonly<Pod>): boolean => {
  const phase = podStatus(p).phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !p.metadata.deletionTimestamp;
};

/** Being deleted but not yet in a terminal phase. */
export const isTerminating = (p: Readonly<Pod>): boolean => {
  const phase = podStatus(p).phase;
  return !!p.metadata.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed';
};

export const isReady = (p: Readonly<Pod>): boolean => (podStatus(p).conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

/** The pod's completion index, or undefined when absent or not a decimal below `completions`. */
export function completionIndex(p: Readonly<Pod>, completions: number): number | undefined {
  const v = p.metadata.annotations?.[COMPLETION_INDEX_ANNOTATION] ?? p.metadata.labels?.[COMPLETION_INDEX_ANNOTATION];
  if (v === undefined || !/^(0|[1-9]\d*)$/.test(v)) return undefined;
  const n = Number(v);
  return n < completions ? n : undefined;
}

/** When a pod finished (getFinishedTime): the latest container finishedAt, else its deletion or the Ready transition, else `now`. */
export function finishedAt(p: Readonly<Pod>, now: number): number {
  const s = podStatus(p);
  let latest = NaN;
  for (const c of [...(s.containerStatuses ?? []), ...(s.initContainerStatuses ?? [])]) {
    const t = Date.parse(c.state?.terminated?.finishedAt ?? '');
    if (!Number.isNaN(t) && !(t <= latest)) latest = t;
  }
  if (!Number.isNaN(latest)) return latest;
  const del = Date.parse(p.metadata.deletionTimestamp ?? '');
  return Number.isNaN(del) ? now : del;
}
