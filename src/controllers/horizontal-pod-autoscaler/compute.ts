/**
 * computeReplicasForMetrics of upstream's horizontal.go: one proposal per metric, the largest wins;
 * invalid metrics set ScalingActive False (and fail the pass) when all are invalid or when the valid
 * ones would scale down. Resource metrics here; Pods, Object and External metrics from the custom
 * and external metrics APIs that adapters serve through API aggregation (metric-proposals.ts).
 */
import type { HorizontalPodAutoscaler, HpaMetricSpec, HpaMetricStatus, HpaMetricTarget, Pod } from '../../api/kinds/index.js';
import { Quantity } from '../../api/quantity/index.js';
import { setCondition, type ConditionType } from './conditions.js';
import { externalProposal, MetricError, objectProposal, podsProposal, type CustomMetricSource } from './metric-proposals.js';
import { getRawResourceReplicas, getResourceReplicas, type CalculatorOptions, type PodMetricsInfo } from './replica-calculator.js';

export interface MetricSource extends CustomMetricSource {
  /** Per-pod usage of `resource` for pods matching the selector (container '' sums the pod). */
  resourceMetric(resource: string, container: string): Promise<PodMetricsInfo>;
  /** The pods the target's selector selects (from the cache). */
  pods(): readonly Pod[];
}

export interface Computed {
  /** -1 when the pass must stop (every metric invalid, or an invalid one and a scale-down). */
  replicas: number;
  metricName: string;
  statuses: HpaMetricStatus[];
  error?: string;
}

interface Invalid { reason: string; error: string; detail: string }

type Warn = (reason: string, message: string) => void;

async function resourceProposal(
  spec: HpaMetricSpec, specReplicas: number, src: MetricSource, o: CalculatorOptions, now: number,
): Promise<{ replicas: number; name: string; status: HpaMetricStatus }> {
  const container = spec.type === 'ContainerResource';
  const r = (container ? spec.containerResource : spec.resource)!;
  const containerName = container ? spec.containerResource!.container : '';
  const target: HpaMetricTarget = r.target;
  // computeStatusForResourceMetricGeneric's error is the event's and the condition's; computeReplicasForMetric
  // wraps it by the resource's name, or a ContainerResource's by the container's.
  const fail = (detail: string) => new MetricError(container
    ? `failed to get ${containerName} container metric value: ${detail}`
    : `failed to get ${r.name} resource metric value: ${detail}`, detail);
  const statusOf = (current: { averageUtilization?: number; averageValue: string }): HpaMetricStatus => container
    ? { type: 'ContainerResource', containerResource: { name: r.name, container: containerName, current } }
    : { type: 'Resource', resource: { name: r.name, current } };
  if (target.averageValue === undefined && target.averageUtilization === undefined) {
    throw fail('invalid resource metric source: neither an average utilization target nor an average value (usage) target was set');
  }
  const what = target.averageValue !== undefined ? 'usage' : 'utilization';
  try {
    let metrics: PodMetricsInfo;
    try {
      metrics = await src.resourceMetric(r.name, containerName);
    } catch (e) {
      throw new Error(`unable to get metrics for resource ${r.name}: ${(e as Error).message}`);
    }
    if (target.averageValue !== undefined) {
      const { replicas, usage } = getRawResourceReplicas(specReplicas, Number(Quantity.parse(String(target.averageValue)).milliValue()), r.name, src.pods(), metrics, o, now);
      return { replicas, name: `${r.name} resource`, status: statusOf({ averageValue: Quantity.fromMilli(usage).toString() }) };
    }
    const { replicas, utilization, rawUtilization } = getResourceReplicas(specReplicas, target.averageUtilization!, r.name, src.pods(), metrics, containerName, o, now);
    return {
      replicas, name: `${r.name} ${container ? 'container resource' : 'resource'} utilization (percentage of request)`,
      status: statusOf({ averageUtilization: utilization, averageValue: Quantity.fromMilli(rawUtilization).toString() }),
    };
  } catch (e) {
    throw fail(`failed to get ${r.name} ${what}: ${(e as Error).message}`);
  }
}

const FAILED_REASON: Record<string, string> = {
  Resource: 'FailedGetResourceMetric', ContainerResource: 'FailedGetContainerResourceMetric', Pods: 'FailedGetPodsMetric',
  Object: 'FailedGetObjectMetric', External: 'FailedGetExternalMetric',
};

export async function computeReplicasForMetrics(
  hpa: HorizontalPodAutoscaler, specReplicas: number, statusReplicas: number, src: MetricSource, o: CalculatorOptions, now: number, warn: Warn,
): Promise<Computed> {
  const specs = hpa.spec!.metrics ?? [];
  const statuses: HpaMetricStatus[] = [];
  let replicas = 0;
  let metricName = '';
  let invalid: Invalid | undefined;
  let invalidCount = 0;
  for (const spec of specs) {
    try {
      let p;
      if (spec.type === 'Resource' || spec.type === 'ContainerResource') p = await resourceProposal(spec, specReplicas, src, o, now);
      else if (spec.type === 'Pods' && spec.pods) p = await podsProposal(spec, specReplicas, src, o, now);
      else if (spec.type === 'External' && spec.external) p = await externalProposal(spec, specReplicas, statusReplicas, hpa.metadata.namespace ?? '', src, o);
      else if (spec.type === 'Object' && spec.object) p = await objectProposal(spec, specReplicas, statusReplicas, hpa.metadata.namespace ?? '', src, o);
      else throw new MetricError(`unknown metric source type "${spec.type}"`, `unknown metric source type "${spec.type}"`);
      statuses.push(p.status);
      if (replicas === 0 || p.replicas > replicas) {
        replicas = p.replicas;
        metricName = p.name;
      }
    } catch (e) {
      const reason = FAILED_REASON[spec.type] ?? 'InvalidMetricSourceType';
      const detail = e instanceof MetricError ? e.detail : (e as Error).message;
      warn(reason, detail); // getUnableComputeReplicaCountCondition
      statuses.push({ type: '' } as HpaMetricStatus); // upstream leaves the failed metric's slot zero
      if (invalidCount === 0) invalid = { reason, error: (e as Error).message, detail };
      invalidCount++;
    }
  }
  const error = invalid ? `invalid metrics (${invalidCount} invalid out of ${specs.length}), first error is: ${invalid.error}` : undefined;
  if (invalid && (invalidCount >= specs.length || replicas < specReplicas)) {
    setCondition(hpa, 'ScalingActive' as ConditionType, 'False', invalid.reason, `the HPA was unable to compute the replica count: ${invalid.detail}`, now);
    return { replicas: -1, metricName: '', statuses, error };
  }
  setCondition(hpa, 'ScalingActive', 'True', 'ValidMetricFound', `the HPA was able to successfully calculate a replica count from ${metricName}`, now);
  return { replicas, metricName, statuses, ...(error ? { error } : {}) };
}
