/**
 * Proposals for Pods, Object and External metrics, as upstream's horizontal.go
 * computeStatusForPodsMetric, computeStatusForObjectMetric and computeStatusForExternalMetric with
 * replica_calculator.go's GetMetricReplicas (the per-pod values averaged against
 * target.averageValue, calcPlainMetricReplicas), GetObjectPerPodMetricReplicas and
 * GetExternalPerPodMetricReplicas (the value or sum over the status's replicas against
 * target.averageValue) and GetObjectMetricReplicas and GetExternalMetricReplicas (against
 * target.value, times the ready pods: getUsageRatioReplicaCount).
 */
import type { HpaMetricSpec, HpaMetricStatus, Pod } from '../../api/kinds/index.js';
import { selectorString } from '../../api/kinds/meta/label-selector.js';
import { Quantity } from '../../api/quantity/index.js';
import { CalculationError, getRawResourceReplicas, type CalculatorOptions, type PodMetricsInfo } from './replica-calculator.js';

export interface CustomMetricSource {
  /** custom.metrics.k8s.io: each selected pod's value of the metric (milli). */
  podsMetric(metricName: string, metricSelector: string): Promise<PodMetricsInfo>;
  /** custom.metrics.k8s.io: the described object's value of the metric (milli). */
  objectMetric(metricName: string, metricSelector: string, described: { apiVersion?: string; kind: string; name: string }): Promise<number>;
  /** external.metrics.k8s.io: the metric's values (milli). */
  externalMetric(metricName: string, metricSelector: string): Promise<number[]>;
  pods(): readonly Pod[];
}

export interface Proposal { replicas: number; name: string; status: HpaMetricStatus }

/**
 * A metric that yielded no proposal, with upstream's two wordings: `detail` is the error
 * getUnableComputeReplicaCountCondition receives (the Failed<Type>Metric event and the ScalingActive
 * message), `message` the one computeReplicasForMetric returns (the first error of
 * FailedComputeMetricsReplicas), which wraps it once or twice more.
 */
export class MetricError extends Error {
  constructor(message: string, readonly detail: string) {
    super(message);
  }
}

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

type LabelSelector = NonNullable<NonNullable<HpaMetricSpec['external']>['metric']['selector']>;

const milliQuantity = (v: number): string => Quantity.fromMilli(v).toString();
const parseMilli = (q: unknown): number => Number(Quantity.parse(String(q)).milliValue());

/** Go's %+v of a *metav1.LabelSelector (its generated String()), as upstream's messages print it. */
export function goLabelSelector(sel: LabelSelector | undefined): string {
  if (!sel) return 'nil';
  const labels = Object.keys(sel.matchLabels ?? {}).sort().map((k) => `${k}: ${sel.matchLabels![k]},`).join('');
  const exprs = (sel.matchExpressions ?? []).map((r) => `LabelSelectorRequirement{Key:${r.key},Operator:${r.operator},Values:[${(r.values ?? []).join(' ')}],},`).join('');
  return `&LabelSelector{MatchLabels:map[string]string{${labels}},MatchExpressions:[]LabelSelectorRequirement{${exprs}},}`;
}

export async function podsProposal(spec: HpaMetricSpec, specReplicas: number, src: CustomMetricSource, o: CalculatorOptions, now: number): Promise<Proposal> {
  const { metric, target } = spec.pods!;
  try {
    let metrics: PodMetricsInfo;
    try {
      metrics = await src.podsMetric(metric.name, selectorString(metric.selector));
    } catch (e) {
      throw new Error(`unable to get metric ${metric.name}: ${errorText(e)}`);
    }
    const { replicas, usage } = getRawResourceReplicas(specReplicas, parseMilli(target.averageValue), '', src.pods(), metrics, o, now);
    return { replicas, name: `pods metric ${metric.name}`, status: { type: 'Pods', pods: { metric, current: { averageValue: milliQuantity(usage) } } } };
  } catch (e) {
    throw new MetricError(`failed to get pods metric value: ${errorText(e)}`, errorText(e));
  }
}

export async function externalProposal(
  spec: HpaMetricSpec, specReplicas: number, statusReplicas: number, namespace: string, src: CustomMetricSource, o: CalculatorOptions,
): Promise<Proposal> {
  const { metric, target } = spec.external!;
  const name = `external metric ${metric.name}(${goLabelSelector(metric.selector)})`;
  // computeStatusForExternalMetric wraps the calculator's error by target kind; computeReplicasForMetric once more.
  const fail = (returned: string, detail: string) => new MetricError(`failed to get ${metric.name} external metric value: ${returned}`, detail);
  const fetchUsage = async (): Promise<number> => {
    let usage = 0;
    try {
      for (const v of await src.externalMetric(metric.name, selectorString(metric.selector))) usage += v;
    } catch (e) {
      throw new Error(`unable to get external metric ${namespace}/${metric.name}/${goLabelSelector(metric.selector)}: ${errorText(e)}`);
    }
    return usage;
  };
  if (target.averageValue !== undefined) {
    try {
      const { replicas, average } = perPodReplicas(await fetchUsage(), parseMilli(target.averageValue), statusReplicas, o);
      return { replicas, name, status: { type: 'External', external: { metric, current: { averageValue: milliQuantity(average) } } } };
    } catch (e) {
      throw fail(`failed to get ${metric.name} external metric: ${errorText(e)}`, errorText(e));
    }
  }
  if (target.value !== undefined) {
    try {
      const usage = await fetchUsage();
      return { replicas: usageRatioReplicaCount(specReplicas, usage / parseMilli(target.value), src.pods(), o), name, status: { type: 'External', external: { metric, current: { value: milliQuantity(usage) } } } };
    } catch (e) {
      throw fail(`failed to get external metric ${metric.name}: ${errorText(e)}`, errorText(e));
    }
  }
  const invalid = 'invalid external metric source: neither a value target nor an average value target was set';
  throw fail(invalid, invalid);
}

export async function objectProposal(spec: HpaMetricSpec, specReplicas: number, statusReplicas: number, namespace: string, src: CustomMetricSource, o: CalculatorOptions): Promise<Proposal> {
  const { metric, target, describedObject } = spec.object!;
  // computeReplicasForMetric prefixes every Object failure with this.
  const fail = (returned: string, detail: string) => new MetricError(`failed to get object metric value: ${returned}`, detail);
  const fetch = async (): Promise<number> => {
    try {
      return await src.objectMetric(metric.name, selectorString(metric.selector), describedObject);
    } catch (e) {
      throw new Error(`unable to get metric ${metric.name}: ${describedObject.kind} on ${namespace} ${describedObject.name}/${errorText(e)}`);
    }
  };
  if (target.type === 'Value' && target.value !== undefined) {
    try {
      const usage = await fetch();
      const replicas = usageRatioReplicaCount(specReplicas, usage / parseMilli(target.value), src.pods(), o);
      return { replicas, name: `${describedObject.kind} metric ${metric.name}`, status: { type: 'Object', object: { describedObject, metric, current: { value: milliQuantity(usage) } } } };
    } catch (e) {
      throw fail(errorText(e), errorText(e));
    }
  }
  if (target.type === 'AverageValue' && target.averageValue !== undefined) {
    try {
      const { replicas, average } = perPodReplicas(await fetch(), parseMilli(target.averageValue), statusReplicas, o);
      // Upstream names this proposal "external metric" too (horizontal.go).
      return { replicas, name: `external metric ${metric.name}(${goLabelSelector(metric.selector)})`, status: { type: 'Object', object: { describedObject, metric, current: { averageValue: milliQuantity(average) } } } };
    } catch (e) {
      throw fail(`failed to get ${metric.name} object metric: ${errorText(e)}`, errorText(e));
    }
  }
  const invalid = 'invalid object metric source: neither a value target nor an average value target was set';
  throw fail(invalid, invalid);
}

/** GetExternalPerPodMetricReplicas / GetObjectPerPodMetricReplicas: the total against the per-pod target over the status's replicas. */
function perPodReplicas(usage: number, perPod: number, statusReplicas: number, o: CalculatorOptions): { replicas: number; average: number } {
  let replicas = statusReplicas;
  if (statusReplicas === 0 || Math.abs(1 - usage / (perPod * statusReplicas)) > o.tolerance) replicas = Math.ceil(usage / perPod);
  return { replicas, average: statusReplicas > 0 ? Math.ceil(usage / statusReplicas) : usage };
}

/** getUsageRatioReplicaCount: within tolerance no change; else the ratio times the ready pods (or the ratio itself from zero). */
function usageRatioReplicaCount(current: number, ratio: number, pods: readonly Pod[], o: CalculatorOptions): number {
  if (current === 0) return Math.ceil(ratio);
  if (Math.abs(1 - ratio) <= o.tolerance) return current;
  if (pods.length === 0) throw new CalculationError('unable to calculate ready pods: no pods returned by selector while calculating replica count');
  const ready = pods.filter((p) => p.status?.phase === 'Running' && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length;
  return Math.ceil(ratio * ready);
}
