/**
 * autoscaling/v1 <-> v2 HorizontalPodAutoscaler, as pkg/apis/autoscaling/v1/conversion.go: v1's
 * targetCPUUtilizationPercentage is v2's `Resource cpu Utilization` metric; every other metric, the
 * current metrics, the conditions and the behavior travel in upstream's round-trip annotations
 * (metrics and current metrics in v1's own MetricSpec/MetricStatus form, the behavior as v2 JSON).
 * A v1 object without any metric gets the 80% CPU default, as upstream's conversion applies it.
 */
import type { KubeObject } from '../../meta.js';
import {
  DEFAULT_CPU_UTILIZATION, type HorizontalPodAutoscaler, type HorizontalPodAutoscalerCondition, type HpaMetricSpec, type HpaMetricStatus,
} from './horizontal-pod-autoscaler.js';
import type { HorizontalPodAutoscalerV1 } from './horizontal-pod-autoscaler-v1.js';

export const METRIC_SPECS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/metrics';
export const METRIC_STATUSES_ANNOTATION = 'autoscaling.alpha.kubernetes.io/current-metrics';
export const BEHAVIOR_ANNOTATION = 'autoscaling.alpha.kubernetes.io/behavior';
export const CONDITIONS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/conditions';
const ROUND_TRIP = [METRIC_SPECS_ANNOTATION, METRIC_STATUSES_ANNOTATION, BEHAVIOR_ANNOTATION, CONDITIONS_ANNOTATION];

type Json = Record<string, any>;
const drop = <T extends Json>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

/** v2 MetricSpec -> v1 (alpha) MetricSpec: targets flattened into target* fields. */
function specToV1(m: HpaMetricSpec): Json {
  const res = (r: NonNullable<HpaMetricSpec['resource']> & { container?: string }) =>
    drop({ name: r.name, container: r.container, targetAverageUtilization: r.target?.averageUtilization, targetAverageValue: r.target?.averageValue });
  switch (m.type) {
    case 'Resource': return { type: m.type, resource: res(m.resource!) };
    case 'ContainerResource': return { type: m.type, containerResource: res(m.containerResource!) };
    case 'Pods': return { type: m.type, pods: drop({ metricName: m.pods?.metric?.name, selector: m.pods?.metric?.selector, targetAverageValue: m.pods?.target?.averageValue }) };
    case 'Object': return { type: m.type, object: drop({ target: m.object?.describedObject, metricName: m.object?.metric?.name, selector: m.object?.metric?.selector, targetValue: m.object?.target?.value, averageValue: m.object?.target?.averageValue }) };
    case 'External': return { type: m.type, external: drop({ metricName: m.external?.metric?.name, metricSelector: m.external?.metric?.selector, targetValue: m.external?.target?.value, targetAverageValue: m.external?.target?.averageValue }) };
    default: return { type: m.type };
  }
}

function target(utilization: number | undefined, averageValue: string | undefined, value?: string): Json {
  if (utilization !== undefined) return { type: 'Utilization', averageUtilization: utilization };
  if (averageValue !== undefined) return { type: 'AverageValue', averageValue };
  return drop({ type: 'Value', value });
}

function specFromV1(m: Json): HpaMetricSpec {
  const metric = (name: string, selector: unknown) => drop({ name, selector });
  switch (m.type) {
    case 'Resource': return { type: 'Resource', resource: { name: m.resource?.name, target: target(m.resource?.targetAverageUtilization, m.resource?.targetAverageValue) } } as HpaMetricSpec;
    case 'ContainerResource': {
      const c = m.containerResource ?? {};
      return { type: 'ContainerResource', containerResource: { name: c.name, container: c.container, target: target(c.targetAverageUtilization, c.targetAverageValue) } } as HpaMetricSpec;
    }
    case 'Pods': return { type: 'Pods', pods: { metric: metric(m.pods?.metricName, m.pods?.selector), target: target(undefined, m.pods?.targetAverageValue) } } as HpaMetricSpec;
    case 'Object': return { type: 'Object', object: { describedObject: m.object?.target, metric: metric(m.object?.metricName, m.object?.selector), target: target(undefined, m.object?.averageValue, m.object?.targetValue) } } as HpaMetricSpec;
    case 'External': return { type: 'External', external: { metric: metric(m.external?.metricName, m.external?.metricSelector), target: target(undefined, m.external?.targetAverageValue, m.external?.targetValue) } } as HpaMetricSpec;
    default: return { type: m.type } as HpaMetricSpec;
  }
}

function statusToV1(m: HpaMetricStatus): Json {
  const res = (r: Json) =>
    drop({ name: r.name, container: r.container, currentAverageUtilization: r.current?.averageUtilization, currentAverageValue: r.current?.averageValue });
  switch (m.type) {
    case 'Resource': return { type: m.type, resource: res(m.resource!) };
    case 'ContainerResource': return { type: m.type, containerResource: res(m.containerResource!) };
    case 'Pods': return { type: m.type, pods: drop({ metricName: m.pods?.metric?.name, selector: m.pods?.metric?.selector, currentAverageValue: m.pods?.current?.averageValue }) };
    case 'Object': return { type: m.type, object: drop({ target: m.object?.describedObject, metricName: m.object?.metric?.name, selector: m.object?.metric?.selector, currentValue: m.object?.current?.value, averageValue: m.object?.current?.averageValue }) };
    case 'External': return { type: m.type, external: drop({ metricName: m.external?.metric?.name, metricSelector: m.external?.metric?.selector, currentValue: m.external?.current?.value, currentAverageValue: m.external?.current?.averageValue }) };
    default: return { type: m.type };
  }
}

function statusFromV1(m: Json): HpaMetricStatus {
  const res = (r: Json) => drop({ name: r.name, container: r.container, current: drop({ averageUtilization: r.currentAverageUtilization, averageValue: r.currentAverageValue }) });
  switch (m.type) {
    case 'Resource': return { type: 'Resource', resource: res(m.resource ?? {}) } as HpaMetricStatus;
    case 'ContainerResource': return { type: 'ContainerResource', containerResource: res(m.containerResource ?? {}) } as HpaMetricStatus;
    case 'Pods': return { type: 'Pods', pods: { metric: drop({ name: m.pods?.metricName, selector: m.pods?.selector }), current: drop({ averageValue: m.pods?.currentAverageValue }) } } as HpaMetricStatus;
    case 'Object': return { type: 'Object', object: { describedObject: m.object?.target, metric: drop({ name: m.object?.metricName, selector: m.object?.selector }), current: drop({ value: m.object?.currentValue, averageValue: m.object?.averageValue }) } } as HpaMetricStatus;
    case 'External': return { type: 'External', external: { metric: drop({ name: m.external?.metricName, selector: m.external?.metricSelector }), current: drop({ value: m.external?.currentValue, averageValue: m.external?.currentAverageValue }) } } as HpaMetricStatus;
    default: return { type: m.type } as HpaMetricStatus;
  }
}

const isCpuUtilization = (m: HpaMetricSpec) => m.type === 'Resource' && m.resource?.name === 'cpu' && m.resource.target?.averageUtilization !== undefined;

/** The stored (v2) object as a v1 client sees it. */
export function hpaV2ToV1(hpa: HorizontalPodAutoscaler): HorizontalPodAutoscalerV1 {
  const annotations = Object.fromEntries(Object.entries(hpa.metadata.annotations ?? {}).filter(([k]) => !ROUND_TRIP.includes(k)));
  const spec = hpa.spec ?? ({} as NonNullable<HorizontalPodAutoscaler['spec']>);
  const st = hpa.status;
  const metrics = spec.metrics ?? [];
  const cpu = metrics.find((m) => m.type === 'Resource' && m.resource?.name === 'cpu');
  const others = metrics.filter((m) => !isCpuUtilization(m));
  if (others.length > 0) annotations[METRIC_SPECS_ANNOTATION] = JSON.stringify(others.map(specToV1));
  if ((st?.currentMetrics ?? []).length > 0) annotations[METRIC_STATUSES_ANNOTATION] = JSON.stringify(st!.currentMetrics!.map(statusToV1));
  if (spec.behavior) annotations[BEHAVIOR_ANNOTATION] = JSON.stringify(spec.behavior);
  if ((st?.conditions ?? []).length > 0) annotations[CONDITIONS_ANNOTATION] = JSON.stringify(st!.conditions);
  const cpuStatus = (st?.currentMetrics ?? []).find((m) => m.type === 'Resource' && m.resource?.name === 'cpu' && m.resource.current?.averageUtilization !== undefined);
  const metadata = { ...hpa.metadata };
  if (Object.keys(annotations).length > 0) metadata.annotations = annotations;
  else delete metadata.annotations;
  const out: HorizontalPodAutoscalerV1 = {
    apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata,
    spec: drop({
      scaleTargetRef: spec.scaleTargetRef, minReplicas: spec.minReplicas, maxReplicas: spec.maxReplicas,
      targetCPUUtilizationPercentage: cpu?.resource?.target?.averageUtilization,
    }) as HorizontalPodAutoscalerV1['spec'],
  };
  if (st) {
    out.status = drop({
      observedGeneration: st.observedGeneration, lastScaleTime: st.lastScaleTime,
      currentReplicas: st.currentReplicas ?? 0, desiredReplicas: st.desiredReplicas ?? 0,
      currentCPUUtilizationPercentage: cpuStatus?.resource?.current?.averageUtilization,
    }) as HorizontalPodAutoscalerV1['status'];
  }
  return out;
}

function parseAnnotation<T>(a: Record<string, string>, key: string): T | undefined {
  const v = a[key];
  if (v === undefined) return undefined;
  try {
    return JSON.parse(v) as T;
  } catch {
    return undefined; // upstream fails the conversion; an unreadable annotation here is simply not carried over
  }
}

/** A v1 object as stored (v2). */
export function hpaV1ToV2(hpa: HorizontalPodAutoscalerV1): HorizontalPodAutoscaler {
  const a = hpa.metadata?.annotations ?? {};
  const spec = hpa.spec ?? ({} as NonNullable<HorizontalPodAutoscalerV1['spec']>);
  const metrics: HpaMetricSpec[] = [];
  if (spec.targetCPUUtilizationPercentage !== undefined) {
    metrics.push({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: spec.targetCPUUtilizationPercentage } } });
  }
  metrics.push(...(parseAnnotation<Json[]>(a, METRIC_SPECS_ANNOTATION) ?? []).map(specFromV1));
  if (metrics.length === 0) {
    metrics.push({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: DEFAULT_CPU_UTILIZATION } } });
  }
  const behavior = parseAnnotation<Json>(a, BEHAVIOR_ANNOTATION);
  const annotations = Object.fromEntries(Object.entries(a).filter(([k]) => !ROUND_TRIP.includes(k)));
  const metadata: KubeObject['metadata'] = { ...hpa.metadata };
  if (Object.keys(annotations).length > 0) metadata.annotations = annotations;
  else delete metadata.annotations;
  const out: HorizontalPodAutoscaler = {
    apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata,
    spec: drop({ scaleTargetRef: spec.scaleTargetRef, minReplicas: spec.minReplicas, maxReplicas: spec.maxReplicas, metrics, behavior }) as HorizontalPodAutoscaler['spec'],
  };
  const st = hpa.status;
  if (st) {
    const stored = parseAnnotation<Json[]>(a, METRIC_STATUSES_ANNOTATION);
    const currentMetrics: HpaMetricStatus[] | undefined = stored
      ? stored.map(statusFromV1)
      : st.currentCPUUtilizationPercentage !== undefined
        ? [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: st.currentCPUUtilizationPercentage } } }]
        : undefined;
    out.status = drop({
      observedGeneration: st.observedGeneration, lastScaleTime: st.lastScaleTime,
      currentReplicas: st.currentReplicas, desiredReplicas: st.desiredReplicas ?? 0,
      currentMetrics, conditions: parseAnnotation<HorizontalPodAutoscalerCondition[]>(a, CONDITIONS_ANNOTATION),
    }) as HorizontalPodAutoscaler['status'];
  }
  return out;
}
