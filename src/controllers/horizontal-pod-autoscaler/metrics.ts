/**
 * The resource metrics client of upstream's HPA controller (pkg/controller/podautoscaler/metrics/
 * client.go, resourceMetricsClient): lists metrics.k8s.io/v1beta1 PodMetrics by the target's
 * selector through the API and sums each pod's containers (or takes one container). A pod missing
 * the resource in any container (or in the one container) has no sample, as getPodMetrics
 * (getContainerMetrics); a pod without the named container fails the whole metric.
 */
import { parseGoDuration } from '../../api/duration.js';
import type { KubeObject } from '../../api/meta.js';
import { parseQuantity } from '../../api/quantity/index.js';
import type { KubeClient } from '../../client/index.js';
import type { ResourceRef } from '../../client/resource-ref.js';
import type { PodMetricsInfo } from './replica-calculator.js';

interface PodMetricsObject extends KubeObject {
  timestamp?: string;
  window?: string;
  containers?: { name: string; usage?: Record<string, string> }[];
}

const podMetrics: ResourceRef = { group: 'metrics.k8s.io', version: 'v1beta1', resource: 'pods', namespaced: true, kind: 'PodMetrics' };

const milli = (q: string): number => Number(parseQuantity(q).milliValue());

/** GetResourceMetric: per pod, the resource's usage in milli-units; `container` '' sums the pod. */
export async function getResourceMetric(client: KubeClient, resource: string, namespace: string, selector: string, container: string): Promise<PodMetricsInfo> {
  let items: PodMetricsObject[];
  try {
    items = (await client.resource<PodMetricsObject>(podMetrics, namespace).list({ labelSelector: selector })).items;
  } catch (err) {
    throw new Error(`unable to fetch metrics from resource metrics API: ${(err as Error).message}`);
  }
  if (items.length === 0) throw new Error('no metrics returned from resource metrics API');
  const res: PodMetricsInfo = new Map();
  for (const m of items) {
    const timestamp = Date.parse(m.timestamp ?? '') || 0;
    const windowMs = parseGoDuration(m.window ?? '') ?? 0;
    const containers = m.containers ?? [];
    if (container) {
      // getContainerMetrics: a pod whose samples lack the container fails the metric; one whose
      // container lacks the resource is a pod without a sample (missing).
      const c = containers.find((x) => x.name === container);
      if (!c) throw new Error(`failed to get container metrics: container ${container} not present in metrics for pod ${m.metadata.namespace}/${m.metadata.name}`);
      const v = c.usage?.[resource];
      if (v !== undefined) res.set(m.metadata.name!, { value: milli(v), timestamp, windowMs });
      continue;
    }
    let sum = 0;
    let missing = containers.length === 0;
    for (const c of containers) {
      const v = c.usage?.[resource];
      if (v === undefined) {
        missing = true;
        break;
      }
      sum += milli(v);
    }
    if (!missing) res.set(m.metadata.name!, { value: sum, timestamp, windowMs });
  }
  return res;
}
