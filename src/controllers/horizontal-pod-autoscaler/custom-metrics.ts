/**
 * The custom and external metrics clients of upstream's HPA controller
 * (pkg/controller/podautoscaler/metrics/client.go customMetricsClient.GetRawMetric and
 * externalMetricsClient.GetExternalMetric), reading APIs that adapters (prometheus-adapter, KEDA)
 * serve through API aggregation:
 * - custom.metrics.k8s.io/v1beta2 `namespaces/<ns>/pods/*<metric>` by the target's selector and the
 *   metric's selector: each pod's value in milli-units, its window (1 minute unless given);
 * - custom.metrics.k8s.io/v1beta2 `namespaces/<ns>/<resource>/<name>/<metric>` (a Namespace:
 *   `namespaces/<name>/metrics/<metric>`) for an Object metric: exactly one value;
 * - external.metrics.k8s.io/v1beta1 `namespaces/<ns>/<metric>` by the metric's selector: every
 *   value in milli-units.
 * Upstream picks the custom metrics version by discovery; this client asks v1beta2 only.
 */
import { parseQuantity } from '../../api/quantity/index.js';
import type { KubeClient } from '../../client/index.js';
import type { PodMetricsInfo } from './replica-calculator.js';

interface MetricValue {
  describedObject?: { kind?: string; name?: string };
  timestamp?: string;
  windowSeconds?: number;
  value?: string;
}

interface ExternalMetricValue {
  metricName?: string;
  value?: string;
}

/** metricServerDefaultMetricWindow. */
const DEFAULT_WINDOW_MS = 60_000;

const milli = (q: string | undefined): number => Number(parseQuantity(q ?? '0').milliValue());

function query(params: Record<string, string>): string {
  const q = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== ''));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** A metrics list's items, failing as upstream's clients do when the API fails or returns none. */
async function fetchItems<T>(client: KubeClient, path: string, api: 'custom' | 'external'): Promise<T[]> {
  let items: T[];
  try {
    items = (await client.raw<{ items?: T[] }>('GET', path)).items ?? [];
  } catch (err) {
    throw new Error(`unable to fetch metrics from ${api} metrics API: ${(err as Error).message}`);
  }
  if (items.length === 0) throw new Error(`no metrics returned from ${api} metrics API`);
  return items;
}

/** GetRawMetric for Pods metrics: per pod name, its value (milli). */
export async function getPodsCustomMetric(client: KubeClient, namespace: string, selector: string, metricName: string, metricSelector: string): Promise<PodMetricsInfo> {
  const path = `/apis/custom.metrics.k8s.io/v1beta2/namespaces/${encodeURIComponent(namespace)}/pods/*/${encodeURIComponent(metricName)}${query({ labelSelector: selector, metricLabelSelector: metricSelector })}`;
  const items = await fetchItems<MetricValue>(client, path, 'custom');
  const res: PodMetricsInfo = new Map();
  for (const m of items) {
    res.set(m.describedObject?.name ?? '', {
      value: milli(m.value), timestamp: Date.parse(m.timestamp ?? '') || 0,
      windowMs: m.windowSeconds !== undefined ? m.windowSeconds * 1000 : DEFAULT_WINDOW_MS,
    });
  }
  return res;
}

/** GetExternalMetric: every value of the metric matching the selector (milli). */
export async function getExternalMetric(client: KubeClient, namespace: string, metricName: string, metricSelector: string): Promise<number[]> {
  const path = `/apis/external.metrics.k8s.io/v1beta1/namespaces/${encodeURIComponent(namespace)}/${encodeURIComponent(metricName)}${query({ labelSelector: metricSelector })}`;
  const items = await fetchItems<ExternalMetricValue>(client, path, 'external');
  return items.map((m) => milli(m.value));
}

/** GetObjectMetric: the described object's value (milli); its kind is resolved to a resource through discovery. */
export async function getObjectCustomMetric(
  client: KubeClient, namespace: string, obj: { apiVersion?: string; kind: string; name: string }, metricName: string, metricSelector: string,
): Promise<number> {
  const base = '/apis/custom.metrics.k8s.io/v1beta2';
  const q = query({ metricLabelSelector: metricSelector });
  let path: string;
  if (obj.kind === 'Namespace' && (obj.apiVersion ?? 'v1') === 'v1') {
    path = `${base}/namespaces/${encodeURIComponent(namespace)}/metrics/${encodeURIComponent(metricName)}${q}`;
  } else {
    let resource: string;
    try {
      const ref = await client.resolve(obj.apiVersion ?? '', obj.kind);
      resource = ref.group ? `${ref.resource}.${ref.group}` : ref.resource;
    } catch (err) {
      throw new Error(`unable to fetch metrics from custom metrics API: ${(err as Error).message}`);
    }
    path = `${base}/namespaces/${encodeURIComponent(namespace)}/${resource}/${encodeURIComponent(obj.name)}/${encodeURIComponent(metricName)}${q}`;
  }
  const items = await fetchItems<MetricValue>(client, path, 'custom');
  if (items.length !== 1) throw new Error(`unable to fetch metrics from custom metrics API: the custom metrics API server returned ${items.length} results when we asked for exactly one`);
  return milli(items[0]!.value);
}
