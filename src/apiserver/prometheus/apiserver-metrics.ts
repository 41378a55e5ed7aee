/**
 * The API server's Prometheus metrics under kube-apiserver's names and labels
 * (staging/src/k8s.io/apiserver/pkg/endpoints/metrics/metrics.go, .../storage/etcd3/metrics):
 *   apiserver_request_total{verb,dry_run,group,version,resource,subresource,scope,component,code}
 *   apiserver_request_duration_seconds{verb,dry_run,group,version,resource,subresource,scope,component}
 *     (requests that are not long-running, upstream's buckets)
 *   apiserver_current_inflight_requests{request_kind="readOnly"|"mutating"}
 *   apiserver_longrunning_requests{verb,group,version,resource,subresource,scope,component} (open watches and streams)
 *   etcd_request_duration_seconds{operation,type} (the store, whichever backend; type is the resource)
 * in the process's registry (prom-client's global one), where the scheduler's and the controllers'
 * metrics are too: `bosun server`'s /metrics shows them all, with prom-client's process_* metrics.
 */
import { collectDefaultMetrics, Counter, Gauge, register } from 'prom-client';
import { SeriesHistogram } from './series-histogram.js';

/** The process's registry (prom-client's global one), which the API server serves on /metrics. */
export const apiserverRegistry = register;

const REQUEST_LABELS = ['verb', 'dry_run', 'group', 'version', 'resource', 'subresource', 'scope', 'component'] as const;

/** Requests counted since the last scrape, per label set (added to the counter when it is collected). */
interface PendingCount { readonly labels: Record<(typeof REQUEST_LABELS)[number] | 'code', string>; n: number }
const pendingTotals = new Map<string, PendingCount>();

export const requestTotal = new Counter({
  name: 'apiserver_request_total',
  help: '[STABLE] Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.',
  labelNames: [...REQUEST_LABELS, 'code'] as const,
  registers: [apiserverRegistry],
  collect() {
    for (const p of pendingTotals.values()) {
      if (p.n === 0) continue;
      this.inc(p.labels, p.n);
      p.n = 0;
    }
  },
});

/**
 * The request count of one label set (`key` names it uniquely): callers add to `n`, the counter
 * takes it up on the next scrape. A plain addition instead of prom-client's per-inc label checks.
 */
export function requestCount(key: string, labels: () => PendingCount['labels']): PendingCount {
  let p = pendingTotals.get(key);
  if (!p) pendingTotals.set(key, (p = { labels: labels(), n: 0 }));
  return p;
}

export const requestDuration = new SeriesHistogram({
  name: 'apiserver_request_duration_seconds',
  help: '[STABLE] Response latency distribution in seconds for each verb, dry run value, group, version, resource, subresource, scope and component.',
  labelNames: REQUEST_LABELS,
  buckets: [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60],
  registers: [apiserverRegistry],
});

const inflight = { readOnly: 0, mutating: 0 };

export const currentInflight = new Gauge({
  name: 'apiserver_current_inflight_requests',
  help: '[STABLE] Maximal number of currently used inflight request limit of this apiserver per request kind in last second.',
  labelNames: ['request_kind'] as const,
  registers: [apiserverRegistry],
  collect() {
    this.set({ request_kind: 'readOnly' }, inflight.readOnly);
    this.set({ request_kind: 'mutating' }, inflight.mutating);
  },
});

/** A request of `kind` began (+1) or ended (-1); the gauge reads the numbers when scraped. */
export function addInflight(kind: 'readOnly' | 'mutating', delta: number): void {
  inflight[kind] += delta;
}

export const longRunning = new Gauge({
  name: 'apiserver_longrunning_requests',
  help: '[STABLE] Gauge of all active long-running apiserver requests broken out by verb, group, version, resource, scope and component. Not all requests are tracked this way.',
  labelNames: ['verb', 'group', 'version', 'resource', 'subresource', 'scope', 'component'] as const,
  registers: [apiserverRegistry],
});

export const storeDuration = new SeriesHistogram({
  name: 'etcd_request_duration_seconds',
  help: '[ALPHA] Etcd request latency in seconds for each operation and object type.',
  labelNames: ['operation', 'type'] as const,
  buckets: [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60],
  registers: [apiserverRegistry],
});

let defaults = false;
/** process_cpu_seconds_total, process_resident_memory_bytes, nodejs_* (upstream's process_* and go_*), once per process. */
export function collectProcessMetrics(): void {
  if (defaults) return;
  defaults = true;
  collectDefaultMetrics({ register: apiserverRegistry });
}

/** The exposition text of the process's registry and its content type (text format 0.0.4). */
export async function metricsText(): Promise<{ contentType: string; body: string }> {
  return { contentType: apiserverRegistry.contentType, body: await apiserverRegistry.metrics() };
}
