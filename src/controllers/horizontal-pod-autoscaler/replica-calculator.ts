/**
 * The replica calculation of upstream's pkg/controller/podautoscaler/replica_calculator.go and
 * metrics/utilization.go, for resource metrics: pure functions of the pods, their metrics and the
 * target. Pods are grouped as groupPods does (deleted and failed ignored, pending and, for CPU,
 * not-yet-ready pods unready, pods without a sample missing); missing pods count as the target on
 * a scale-down and as zero on a scale-up, unready pods as zero on a scale-up, and no change is made
 * within the tolerance or when the fill-in would reverse the direction.
 */
import type { Pod } from '../../api/kinds/index.js';
import { parseQuantity } from '../../api/quantity/index.js';

/** One pod's usage: milli-units (millicores, milli-bytes as upstream's MilliValue). */
export interface PodMetric {
  value: number;
  /** When the sample was taken and over how long (ms): a CPU sample from before readiness is ignored. */
  timestamp: number;
  windowMs: number;
}

export type PodMetricsInfo = Map<string, PodMetric>;

export interface CalculatorOptions {
  /** --horizontal-pod-autoscaler-tolerance (0.1). */
  tolerance: number;
  /** --horizontal-pod-autoscaler-cpu-initialization-period (5 min). */
  cpuInitializationPeriodMs: number;
  /** --horizontal-pod-autoscaler-initial-readiness-delay (30 s). */
  delayOfInitialReadinessStatusMs: number;
}

export const DEFAULT_CALCULATOR_OPTIONS: CalculatorOptions = { tolerance: 0.1, cpuInitializationPeriodMs: 5 * 60_000, delayOfInitialReadinessStatusMs: 30_000 };

export class CalculationError extends Error {}

interface Groups { readyPodCount: number; unready: Set<string>; missing: Set<string>; ignored: Set<string> }

/** groupPods. */
export function groupPods(pods: readonly Pod[], metrics: PodMetricsInfo, resource: string, o: CalculatorOptions, now: number): Groups {
  const g: Groups = { readyPodCount: 0, unready: new Set(), missing: new Set(), ignored: new Set() };
  for (const pod of pods) {
    const name = pod.metadata.name!;
    if (pod.metadata.deletionTimestamp || pod.status?.phase === 'Failed') {
      g.ignored.add(name);
      continue;
    }
    if (pod.status?.phase === 'Pending') {
      g.unready.add(name);
      continue;
    }
    const metric = metrics.get(name);
    if (!metric) {
      g.missing.add(name);
      continue;
    }
    if (resource === 'cpu') {
      const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
      const start = pod.status?.startTime ? Date.parse(pod.status.startTime) : NaN;
      let unready: boolean;
      if (!ready || Number.isNaN(start)) {
        unready = true;
      } else {
        const transition = Date.parse(ready.lastTransitionTime ?? '') || 0;
        if (start + o.cpuInitializationPeriodMs > now) {
          // Within the initialization period: unready, or no full window sampled since the last transition.
          unready = ready.status === 'False' || metric.timestamp < transition + metric.windowMs;
        } else {
          // Afterwards: only a pod that has never been ready is ignored.
          unready = ready.status === 'False' && start + o.delayOfInitialReadinessStatusMs > transition;
        }
      }
      if (unready) {
        g.unready.add(name);
        continue;
      }
    }
    g.readyPodCount++;
  }
  return g;
}

/** calculatePodRequests: each pod's request of `resource` (millis), regular and sidecar containers. */
export function calculatePodRequests(pods: readonly Pod[], container: string, resource: string): Map<string, number> {
  const requests = new Map<string, number>();
  for (const pod of pods) {
    let sum = 0;
    const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always')];
    for (const c of containers) {
      if (container && container !== c.name) continue;
      const req = c.resources?.requests?.[resource];
      if (req === undefined) throw new CalculationError(`missing request for ${resource} in container ${c.name} of Pod ${pod.metadata.name}`);
      sum += Number(parseQuantity(String(req)).milliValue());
    }
    requests.set(pod.metadata.name!, sum);
  }
  return requests;
}

/** GetResourceUtilizationRatio: integer percent as upstream's int32 arithmetic. */
export function resourceUtilizationRatio(metrics: PodMetricsInfo, requests: Map<string, number>, targetUtilization: number): { ratio: number; utilization: number; rawAverage: number } {
  let metricsTotal = 0;
  let requestsTotal = 0;
  let n = 0;
  for (const [name, m] of metrics) {
    const req = requests.get(name);
    if (req === undefined) continue; // extraneous metrics
    metricsTotal += m.value;
    requestsTotal += req;
    n++;
  }
  if (requestsTotal === 0) throw new CalculationError('no metrics returned matched known pods');
  const utilization = Math.trunc((metricsTotal * 100) / requestsTotal);
  return { ratio: utilization / targetUtilization, utilization, rawAverage: Math.trunc(metricsTotal / n) };
}

/** GetMetricUsageRatio. */
export function metricUsageRatio(metrics: PodMetricsInfo, targetUsage: number): { ratio: number; usage: number } {
  let total = 0;
  for (const m of metrics.values()) total += m.value;
  const usage = Math.trunc(total / metrics.size);
  return { ratio: usage / targetUsage, usage };
}

/** The shared tail of GetResourceReplicas and calcPlainMetricReplicas. */
function replicasFor(
  current: number, o: CalculatorOptions, g: Groups, metrics: PodMetricsInfo, usageRatio: number,
  fillMissing: (name: string, scaleDown: boolean) => number, rerun: () => number,
): number {
  const scaleUpWithUnready = g.unready.size > 0 && usageRatio > 1.0;
  if (!scaleUpWithUnready && g.missing.size === 0) {
    if (Math.abs(1.0 - usageRatio) <= o.tolerance) return current;
    return Math.ceil(usageRatio * g.readyPodCount);
  }
  if (g.missing.size > 0) {
    if (usageRatio < 1.0) for (const name of g.missing) metrics.set(name, { value: fillMissing(name, true), timestamp: 0, windowMs: 0 });
    else if (usageRatio > 1.0) for (const name of g.missing) metrics.set(name, { value: fillMissing(name, false), timestamp: 0, windowMs: 0 });
  }
  if (scaleUpWithUnready) for (const name of g.unready) metrics.set(name, { value: 0, timestamp: 0, windowMs: 0 });
  const newRatio = rerun();
  if (Math.abs(1.0 - newRatio) <= o.tolerance || (usageRatio < 1.0 && newRatio > 1.0) || (usageRatio > 1.0 && newRatio < 1.0)) return current;
  const replicas = Math.ceil(newRatio * metrics.size);
  if ((newRatio < 1.0 && replicas > current) || (newRatio > 1.0 && replicas < current)) return current;
  return replicas;
}

function usable(pods: readonly Pod[], metrics: PodMetricsInfo, resource: string, o: CalculatorOptions, now: number): Groups {
  if (pods.length === 0) throw new CalculationError('no pods returned by selector while calculating replica count');
  const g = groupPods(pods, metrics, resource, o, now);
  for (const name of [...g.ignored, ...g.unready]) metrics.delete(name);
  if (metrics.size === 0) throw new CalculationError('did not receive metrics for targeted pods (pods might be unready)');
  return g;
}

/** GetResourceReplicas (a Utilization target). `metrics` is consumed. */
export function getResourceReplicas(
  current: number, targetUtilization: number, resource: string, pods: readonly Pod[], metrics: PodMetricsInfo, container: string,
  o: CalculatorOptions, now: number,
): { replicas: number; utilization: number; rawUtilization: number } {
  const g = usable(pods, metrics, resource, o, now);
  const requests = calculatePodRequests(pods, container, resource);
  const { ratio, utilization, rawAverage } = resourceUtilizationRatio(metrics, requests, targetUtilization);
  // On a scale-down a missing pod uses 100% of its request (or the target, when that is higher); on a scale-up, nothing.
  const fallback = Math.max(100, targetUtilization);
  const replicas = replicasFor(current, o, g, metrics, ratio,
    (name, down) => (down ? Math.trunc((requests.get(name)! * fallback) / 100) : 0),
    () => resourceUtilizationRatio(metrics, requests, targetUtilization).ratio);
  return { replicas, utilization, rawUtilization: rawAverage };
}

/** GetRawResourceReplicas / calcPlainMetricReplicas (an AverageValue target, milli-units). `metrics` is consumed. */
export function getRawResourceReplicas(
  current: number, targetUsage: number, resource: string, pods: readonly Pod[], metrics: PodMetricsInfo, o: CalculatorOptions, now: number,
): { replicas: number; usage: number } {
  const g = usable(pods, metrics, resource, o, now);
  const { ratio, usage } = metricUsageRatio(metrics, targetUsage);
  // On a scale-down a missing pod uses exactly the target; on a scale-up, nothing.
  const replicas = replicasFor(current, o, g, metrics, ratio, (_name, down) => (down ? targetUsage : 0), () => metricUsageRatio(metrics, targetUsage).ratio);
  return { replicas, usage };
}
