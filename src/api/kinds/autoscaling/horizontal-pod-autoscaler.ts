/**
 * autoscaling/v2 HorizontalPodAutoscaler, the storage version: defaults (SetDefaults_HorizontalPodAutoscaler
 * of pkg/apis/autoscaling/v2/defaults.go), validation (ValidateHorizontalPodAutoscaler of
 * pkg/apis/autoscaling/validation/validation.go) and printer columns (hpa-table.ts).
 */
import { parseQuantity } from '../../quantity/index.js';
import { fe } from '../../schema/errors.js';
import type { FieldError } from '../../status.js';
import { defineKind } from '../define.js';
import { nameIsDNSSubdomain } from '../meta/names.js';
import {
  hpaV2Schema, type CrossVersionObjectReference, type HorizontalPodAutoscaler, type HorizontalPodAutoscalerSpec, type HpaMetricSpec,
  type HpaMetricTarget, type HpaScalingRules,
} from './horizontal-pod-autoscaler-schema.js';
import { hpaCells, hpaColumns } from './hpa-table.js';

export * from './horizontal-pod-autoscaler-schema.js';

/** autoscaling.DefaultCPUUtilization: the metric of an HPA that names none. */
export const DEFAULT_CPU_UTILIZATION = 80;
/** The upstream limits on behavior (MaxPeriodSeconds, MaxStabilizationWindowSeconds). */
export const MAX_PERIOD_SECONDS = 1800;
export const MAX_STABILIZATION_WINDOW_SECONDS = 3600;
export const METRIC_SOURCE_TYPES = ['ContainerResource', 'External', 'Object', 'Pods', 'Resource'] as const;
const SELECT_POLICIES = ['Disabled', 'Max', 'Min'];
const POLICY_TYPES = ['Percent', 'Pods'];

/** HPAScaleUpRules of defaults.go: no stabilization, the higher of +100% and +4 pods per 15 s. */
export function defaultScaleUpRules(): HpaScalingRules {
  return {
    stabilizationWindowSeconds: 0, selectPolicy: 'Max',
    policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }],
  };
}

/** HPAScaleDownRules of defaults.go: the window stays unset (the controller fills its 300 s), -100% per 15 s. */
export function defaultScaleDownRules(): HpaScalingRules {
  return { selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] };
}

/** copyHPAScalingRules: the fields the user set win over the defaults. */
function fillRules(from: HpaScalingRules | undefined, to: HpaScalingRules): HpaScalingRules {
  if (!from) return to;
  if (from.selectPolicy !== undefined) to.selectPolicy = from.selectPolicy;
  if (from.stabilizationWindowSeconds !== undefined) to.stabilizationWindowSeconds = from.stabilizationWindowSeconds;
  if (from.policies !== undefined) to.policies = from.policies;
  return to;
}

export function defaultHorizontalPodAutoscaler(hpa: HorizontalPodAutoscaler): void {
  const spec = (hpa.spec ??= {} as HorizontalPodAutoscalerSpec);
  spec.minReplicas ??= 1;
  if (!spec.metrics || spec.metrics.length === 0) {
    spec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: DEFAULT_CPU_UTILIZATION } } }];
  }
  if (spec.behavior) {
    spec.behavior.scaleUp = fillRules(spec.behavior.scaleUp, defaultScaleUpRules());
    spec.behavior.scaleDown = fillRules(spec.behavior.scaleDown, defaultScaleDownRules());
  }
}

function positive(v: string | number | undefined, path: string): FieldError[] {
  if (v === undefined) return [];
  try {
    return parseQuantity(String(v)).cmp(parseQuantity('0')) === 1 ? [] : [fe.invalid(path, v, 'must be positive')];
  } catch {
    return [fe.invalid(path, v, 'must be a quantity')];
  }
}

function validateTarget(t: HpaMetricTarget | undefined, path: string): FieldError[] {
  if (!t) return [fe.required(path, 'must specify a metric target')];
  const errs: FieldError[] = [];
  if (!t.type) errs.push(fe.required(`${path}.type`, 'must specify a metric target type'));
  else if (!['Utilization', 'Value', 'AverageValue'].includes(t.type)) errs.push(fe.invalid(`${path}.type`, t.type, 'must be either Utilization, Value, or AverageValue'));
  if (t.averageUtilization !== undefined && t.averageUtilization < 1) errs.push(fe.invalid(`${path}.averageUtilization`, t.averageUtilization, 'must be greater than 0'));
  errs.push(...positive(t.value, `${path}.value`), ...positive(t.averageValue, `${path}.averageValue`));
  return errs;
}

/** validateResourceSource / validateContainerResourceSource. */
function validateResourceSource(src: { name?: string; container?: string; target?: HpaMetricTarget }, path: string, container: boolean): FieldError[] {
  const errs: FieldError[] = [];
  if (!src.name) errs.push(fe.required(`${path}.name`, 'must specify a resource name'));
  if (container && !src.container) errs.push(fe.required(`${path}.container`, 'must specify a container'));
  errs.push(...validateTarget(src.target, `${path}.target`));
  const t = src.target;
  if (t && t.averageUtilization === undefined && t.averageValue === undefined) {
    errs.push(fe.required(`${path}.target.averageUtilization`, 'must set either a target resource utilization or a target value'));
  }
  if (t?.averageUtilization !== undefined && t.averageValue !== undefined) {
    errs.push(fe.forbidden(`${path}.target.averageValue`, 'may not set both a target resource utilization and a target value'));
  }
  if (t?.value !== undefined) errs.push(fe.forbidden(`${path}.target.value`, 'may not set a target value for a resource metric'));
  return errs;
}

const SOURCE_FIELD: Record<string, keyof HpaMetricSpec> = {
  Resource: 'resource', ContainerResource: 'containerResource', Pods: 'pods', Object: 'object', External: 'external',
};

function validateMetric(m: HpaMetricSpec, path: string): FieldError[] {
  if (!m.type) return [fe.required(`${path}.type`, 'must specify a metric source type')];
  if (!(METRIC_SOURCE_TYPES as readonly string[]).includes(m.type)) return [fe.notSupported(`${path}.type`, m.type, METRIC_SOURCE_TYPES)];
  const field = SOURCE_FIELD[m.type]!;
  const set = Object.values(SOURCE_FIELD).filter((f) => m[f] !== undefined);
  if (m[field] === undefined) return [fe.required(`${path}.${field}`, 'must populate information for the given metric source')];
  if (set.length > 1) return [fe.forbidden(path, 'must populate the given metric source only')];
  if (m.type === 'Resource') return validateResourceSource(m.resource!, `${path}.resource`, false);
  if (m.type === 'ContainerResource') return validateResourceSource(m.containerResource!, `${path}.containerResource`, true);
  const src = m[field] as { target?: HpaMetricTarget; metric?: { name?: string } };
  const errs = validateTarget(src.target, `${path}.${field}.target`);
  if (!src.metric?.name) errs.push(fe.required(`${path}.${field}.metric.name`, 'must specify a metric name'));
  return errs;
}

function validateRules(r: HpaScalingRules | undefined, path: string): FieldError[] {
  if (!r) return [];
  const errs: FieldError[] = [];
  const w = r.stabilizationWindowSeconds;
  if (w !== undefined && w < 0) errs.push(fe.invalid(`${path}.stabilizationWindowSeconds`, w, 'must be greater than or equal to zero'));
  if (w !== undefined && w > MAX_STABILIZATION_WINDOW_SECONDS) errs.push(fe.invalid(`${path}.stabilizationWindowSeconds`, w, `must be less than or equal to ${MAX_STABILIZATION_WINDOW_SECONDS}`));
  if (r.selectPolicy !== undefined && !SELECT_POLICIES.includes(r.selectPolicy)) errs.push(fe.notSupported(`${path}.selectPolicy`, r.selectPolicy, SELECT_POLICIES));
  if (!r.policies || r.policies.length === 0) errs.push(fe.required(`${path}.policies`, 'must specify at least one Policy'));
  (r.policies ?? []).forEach((p, i) => {
    const at = `${path}.policies[${i}]`;
    if (!POLICY_TYPES.includes(p.type)) errs.push(fe.notSupported(`${at}.type`, p.type, POLICY_TYPES));
    if (!(p.value > 0)) errs.push(fe.invalid(`${at}.value`, p.value, 'must be greater than zero'));
    if (!(p.periodSeconds > 0)) errs.push(fe.invalid(`${at}.periodSeconds`, p.periodSeconds, 'must be greater than zero'));
    if (p.periodSeconds > MAX_PERIOD_SECONDS) errs.push(fe.invalid(`${at}.periodSeconds`, p.periodSeconds, `must be less than or equal to ${MAX_PERIOD_SECONDS}`));
  });
  return errs;
}

function validateRef(ref: CrossVersionObjectReference | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!ref?.kind) errs.push(fe.required(`${path}.kind`));
  else if (ref.kind.includes('/') || ref.kind === '.' || ref.kind === '..') errs.push(fe.invalid(`${path}.kind`, ref.kind, 'may not contain \'/\''));
  if (!ref?.name) errs.push(fe.required(`${path}.name`));
  else if (ref.name.includes('/') || ref.name === '.' || ref.name === '..') errs.push(fe.invalid(`${path}.name`, ref.name, 'may not contain \'/\''));
  return errs;
}

/** validateHorizontalPodAutoscalerSpec (scale to zero, behind the alpha HPAScaleToZero gate upstream, is refused). */
export function validateHorizontalPodAutoscaler(hpa: HorizontalPodAutoscaler): FieldError[] {
  const spec = hpa.spec;
  if (!spec) return [fe.required('spec')];
  const errs: FieldError[] = [];
  if (spec.minReplicas !== undefined && spec.minReplicas < 1) errs.push(fe.invalid('spec.minReplicas', spec.minReplicas, 'must be greater than or equal to 1'));
  if (spec.maxReplicas < 1) errs.push(fe.invalid('spec.maxReplicas', spec.maxReplicas, 'must be greater than 0'));
  if (spec.minReplicas !== undefined && spec.maxReplicas < spec.minReplicas) errs.push(fe.invalid('spec.maxReplicas', spec.maxReplicas, 'must be greater than or equal to `minReplicas`'));
  errs.push(...validateRef(spec.scaleTargetRef, 'spec.scaleTargetRef'));
  (spec.metrics ?? []).forEach((m, i) => errs.push(...validateMetric(m, `spec.metrics[${i}]`)));
  errs.push(...validateRules(spec.behavior?.scaleUp, 'spec.behavior.scaleUp'), ...validateRules(spec.behavior?.scaleDown, 'spec.behavior.scaleDown'));
  return errs;
}

export const horizontalPodAutoscalers = defineKind<HorizontalPodAutoscaler>({
  group: 'autoscaling', version: 'v2', kind: 'HorizontalPodAutoscaler', plural: 'horizontalpodautoscalers', namespaced: true,
  shortNames: ['hpa'], categories: ['all'], subresources: ['status'],
  schema: hpaV2Schema, nameValidator: nameIsDNSSubdomain,
  defaults: defaultHorizontalPodAutoscaler,
  validate: validateHorizontalPodAutoscaler,
  hasStatusSubresource: true, tracksGeneration: true,
  columns: hpaColumns,
  cells: hpaCells,
});
