/**
 * batch/v1 Job defaults and validation (pkg/apis/batch/v1/defaults.go SetDefaults_Job,
 * pkg/apis/batch/validation/validation.go ValidateJob / ValidateJobSpecUpdate), worded as upstream.
 */
import { child, fe, invalidRendered } from '../../schema/errors.js';
import type { FieldError } from '../../status.js';
import { validateSelectorAndTemplate } from '../apps/workload-validation.js';
import { validateDomainPrefixedPath } from '../networking/ingress-class.js';
import type { Job, JobSpec } from './job-schema.js';

/** Labels the Job's generated selector and its pods carry (k8s.io/api/batch/v1 types.go). */
export const CONTROLLER_UID_LABEL = 'batch.kubernetes.io/controller-uid';
export const LEGACY_CONTROLLER_UID_LABEL = 'controller-uid';
export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';
export const LEGACY_JOB_NAME_LABEL = 'job-name';
const MAX_PARALLELISM_INDEXED = 100_000;
const MAX_INT32 = 2147483647;

/** SetDefaults_Job. */
export function defaultJob(job: Job): void {
  const spec = (job.spec ??= {} as JobSpec);
  if (spec.completions === undefined && spec.parallelism === undefined) spec.completions = 1;
  spec.parallelism ??= 1;
  spec.backoffLimit ??= spec.backoffLimitPerIndex === undefined ? 6 : MAX_INT32;
  spec.completionMode ??= 'NonIndexed';
  spec.suspend ??= false;
  spec.podReplacementPolicy ??= spec.podFailurePolicy ? 'Failed' : 'TerminatingOrFailed';
  for (const rule of spec.podFailurePolicy?.rules ?? []) for (const c of rule.onPodConditions ?? []) c.status ??= 'True';
  const tl = spec.template?.metadata?.labels;
  if (tl && Object.keys(job.metadata.labels ?? {}).length === 0) job.metadata.labels = { ...tl };
}

/**
 * generateSelector (pkg/registry/batch/job/strategy.go): the template gets the job-name and
 * controller-uid labels (new and legacy), the selector matches the uid. Runs on create unless
 * spec.manualSelector is true; a user's conflicting labels are left for validation to refuse.
 */
export function generateJobSelector(job: Job): void {
  const spec = (job.spec ??= {} as JobSpec);
  if (spec.manualSelector === true) return;
  const template = (spec.template ??= {});
  const meta = (template.metadata ??= {});
  const labels = (meta.labels ??= {});
  const uid = job.metadata.uid!;
  labels[LEGACY_JOB_NAME_LABEL] ??= job.metadata.name!;
  labels[JOB_NAME_LABEL] ??= job.metadata.name!;
  labels[LEGACY_CONTROLLER_UID_LABEL] ??= uid;
  labels[CONTROLLER_UID_LABEL] ??= uid;
  const sel = (spec.selector ??= {});
  const ml = (sel.matchLabels ??= {});
  ml[CONTROLLER_UID_LABEL] ??= uid;
}

/** ValidateGeneratedSelector: with an automatic selector, it and the template must carry this job's uid. */
export function validateGeneratedSelector(job: Job): FieldError[] {
  if (job.spec?.manualSelector === true) return [];
  const uid = job.metadata.uid;
  const errs: FieldError[] = [];
  const sel = job.spec?.selector;
  if (sel && (sel.matchLabels?.[CONTROLLER_UID_LABEL] !== uid || (sel.matchExpressions ?? []).length > 0 || Object.keys(sel.matchLabels ?? {}).length !== 1)) {
    errs.push(fe.invalid('spec.selector', '', '`selector` not auto-generated'));
  }
  const labels = job.spec?.template?.metadata?.labels ?? {};
  if (labels[CONTROLLER_UID_LABEL] !== undefined && labels[CONTROLLER_UID_LABEL] !== uid) {
    errs.push(fe.invalid(`spec.template.metadata.labels[${CONTROLLER_UID_LABEL}]`, labels[CONTROLLER_UID_LABEL], `must be '${uid}'`));
  }
  return errs;
}

/** ValidateJob's spec part. */
/** maxManagedByLength. */
const MAX_MANAGED_BY_LENGTH = 63;

export function validateJob(job: Job): FieldError[] {
  const spec = job.spec;
  if (!spec) return [fe.required('spec')];
  const errs: FieldError[] = [];
  for (const k of ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished', 'backoffLimitPerIndex', 'maxFailedIndexes'] as const) {
    const v = spec[k];
    if (v !== undefined && v < 0) errs.push(fe.invalid(`spec.${k}`, v, 'must be greater than or equal to 0'));
  }
  // managedBy (JobManagedBy, beta and on in 1.32): a domain-prefixed path of at most 63 bytes.
  if (spec.managedBy !== undefined) {
    errs.push(...validateDomainPrefixedPath('spec.managedBy', spec.managedBy));
    if (spec.managedBy.length > MAX_MANAGED_BY_LENGTH) errs.push(fe.tooLong('spec.managedBy', MAX_MANAGED_BY_LENGTH));
  }
  const indexed = spec.completionMode === 'Indexed';
  if (indexed) {
    if (spec.completions === undefined) errs.push(fe.required('spec.completions', 'when completion mode is Indexed'));
    if ((spec.parallelism ?? 0) > MAX_PARALLELISM_INDEXED) errs.push(fe.invalid('spec.parallelism', spec.parallelism, `must be less than or equal to ${MAX_PARALLELISM_INDEXED} when completion mode is Indexed`));
  }
  if (spec.backoffLimitPerIndex !== undefined && !indexed) errs.push(fe.forbidden('spec.backoffLimitPerIndex', 'requires indexed completion mode'));
  if (spec.maxFailedIndexes !== undefined && spec.backoffLimitPerIndex === undefined) errs.push(fe.required('spec.backoffLimitPerIndex', 'when maxFailedIndexes is specified'));
  if (spec.successPolicy && !indexed) errs.push(fe.invalid('spec.completionMode', spec.completionMode ?? 'NonIndexed', 'requires indexed completion mode'));
  errs.push(...validatePodFailurePolicy(spec));
  if (spec.podFailurePolicy && spec.podReplacementPolicy !== undefined && spec.podReplacementPolicy !== 'Failed') {
    errs.push(fe.notSupported('spec.podReplacementPolicy', spec.podReplacementPolicy, ['Failed']));
  }
  // Selector and template: present, matching; the template's restartPolicy is OnFailure or Never.
  errs.push(...validateSelectorAndTemplate('job', spec.selector, spec.template, undefined).filter((e) => !e.field.endsWith('restartPolicy') && !e.field.endsWith('activeDeadlineSeconds')));
  const rp = spec.template?.spec?.restartPolicy;
  if (rp !== 'OnFailure' && rp !== 'Never') errs.push(fe.notSupported('spec.template.spec.restartPolicy', rp ?? '', ['OnFailure', 'Never']));
  else if (spec.podFailurePolicy && rp !== 'Never') errs.push(fe.invalid('spec.template.spec.restartPolicy', rp, 'only "Never" is supported when podFailurePolicy is specified'));
  return errs;
}

function validatePodFailurePolicy(spec: JobSpec): FieldError[] {
  const errs: FieldError[] = [];
  const rules = spec.podFailurePolicy?.rules ?? [];
  const containers = new Set(((spec.template?.spec?.containers ?? []) as { name: string }[]).concat((spec.template?.spec?.initContainers ?? []) as { name: string }[]).map((c) => c.name));
  rules.forEach((rule, i) => {
    const path = `spec.podFailurePolicy.rules[${i}]`;
    if (rule.action === 'FailIndex' && spec.backoffLimitPerIndex === undefined) errs.push(fe.forbidden(child(path, 'action'), 'requires the backoffLimitPerIndex to be set'));
    const codes = rule.onExitCodes;
    if (codes && rule.onPodConditions !== undefined) errs.push(fe.invalid(path, '', 'specifying both OnExitCodes and OnPodConditions is not supported'));
    else if (!codes && rule.onPodConditions === undefined) errs.push(fe.invalid(path, '', 'specifying one of OnExitCodes and OnPodConditions is required'));
    if (codes) {
      const vp = child(child(path, 'onExitCodes'), 'values');
      if (codes.containerName !== undefined && !containers.has(codes.containerName)) {
        errs.push(fe.invalid(child(child(path, 'onExitCodes'), 'containerName'), codes.containerName, 'must be one of the container or initContainer names in the pod template'));
      }
      if (codes.values.length === 0) errs.push(fe.invalid(vp, '', 'at least one value is required'));
      if (codes.values.length > 255) errs.push(fe.tooMany(vp, codes.values.length, 255));
      codes.values.forEach((v, j) => {
        if (j > 0 && v <= codes.values[j - 1]!) errs.push(fe.invalid(`${vp}[${j}]`, v, 'must be ordered'));
        if (codes.operator === 'In' && v === 0) errs.push(fe.invalid(`${vp}[${j}]`, v, 'must not be 0 for the In operator'));
      });
    }
    (rule.onPodConditions ?? []).forEach((c, j) => {
      if (c.status !== undefined && !['True', 'False', 'Unknown'].includes(c.status)) {
        errs.push(fe.notSupported(`${path}.onPodConditions[${j}].status`, c.status, ['True', 'False', 'Unknown']));
      }
    });
  });
  return errs;
}

/**
 * ValidateJobSpecUpdate: the selector, completionMode, podFailurePolicy, successPolicy and
 * backoffLimitPerIndex never change; completions only for an elastic Indexed Job (to the new
 * parallelism); the template only while the Job is suspended and never started
 * (then only scheduling directives and labels/annotations: validateJobTemplateUpdate).
 */
export function validateJobUpdate(job: Job, old: Job): FieldError[] {
  const errs: FieldError[] = [];
  const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
  const s = job.spec;
  const o = old.spec;
  for (const k of ['selector', 'completionMode', 'podFailurePolicy', 'successPolicy', 'backoffLimitPerIndex', 'manualSelector', 'managedBy'] as const) {
    if (!same(s?.[k], o?.[k])) errs.push(invalidRendered(`spec.${k}`, JSON.stringify(s?.[k] ?? null), 'field is immutable'));
  }
  // validateCompletions (ElasticIndexedJob): an Indexed Job's completions change only to equal
  // the new parallelism, whatever the two were before.
  if (s?.completions !== o?.completions) {
    if (s?.completionMode !== 'Indexed') errs.push(fe.invalid('spec.completions', s?.completions ?? null, 'field is immutable'));
    else if (s.completions !== undefined && s.completions !== s.parallelism) errs.push(fe.invalid('spec.completions', s.completions, 'can only be modified in tandem with spec.parallelism'));
  }
  if (!same(s?.template, o?.template)) {
    const mutableScheduling = o?.suspend === true && !old.status?.startTime;
    if (!mutableScheduling || !same(withoutSchedulingDirectives(s?.template), withoutSchedulingDirectives(o?.template))) {
      errs.push(invalidRendered('spec.template', 'core.PodTemplateSpec{...}', 'field is immutable'));
    }
  }
  return errs;
}

function withoutSchedulingDirectives(t: JobSpec['template'] | undefined): unknown {
  if (!t) return null;
  const spec = { ...(t.spec ?? {}) } as Record<string, unknown>;
  for (const k of ['nodeSelector', 'tolerations', 'affinity', 'schedulingGates']) delete spec[k];
  return spec;
}
