/**
 * Controller metrics under controller-runtime's and client-go's workqueue names, in the process's
 * registry (prom-client's global one, `runtimeRegistry`): the controllers run in `bosun server`,
 * whose API server serves that registry on /metrics beside its own and the scheduler's metrics.
 * Queue depth is read from live controllers at scrape time, so nothing needs updating on the hot
 * path but counters.
 */
import { Counter, Gauge, Histogram, register } from 'prom-client';

export const runtimeRegistry = register;

const live = new Map<string, () => { depth: number; active: number }>();

export const reconcileTotal = new Counter({
  name: 'controller_runtime_reconcile_total',
  help: 'Reconciliations per controller and result (success, error, requeue, requeue_after).',
  labelNames: ['controller', 'result'] as const,
  registers: [runtimeRegistry],
});

export const reconcileErrors = new Counter({
  name: 'controller_runtime_reconcile_errors_total',
  help: 'Reconciliations that returned an error.',
  labelNames: ['controller'] as const,
  registers: [runtimeRegistry],
});

export const reconcileTime = new Histogram({
  name: 'controller_runtime_reconcile_time_seconds',
  help: 'Time per reconciliation.',
  labelNames: ['controller'] as const,
  buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [runtimeRegistry],
});

export const workqueueRetries = new Counter({
  name: 'workqueue_retries_total',
  help: 'Rate-limited re-adds per queue.',
  labelNames: ['name'] as const,
  registers: [runtimeRegistry],
});

const QUEUE_BUCKETS = [1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 0.1, 1, 10]; // client-go's ExponentialBuckets(10e-9, 10, 10)

export const workqueueAdds = new Counter({
  name: 'workqueue_adds_total',
  help: 'Total number of adds handled by workqueue',
  labelNames: ['name'] as const,
  registers: [runtimeRegistry],
});

export const workqueueQueueDuration = new Histogram({
  name: 'workqueue_queue_duration_seconds',
  help: 'How long in seconds an item stays in workqueue before being requested.',
  labelNames: ['name'] as const,
  buckets: QUEUE_BUCKETS,
  registers: [runtimeRegistry],
});

export const workqueueWorkDuration = new Histogram({
  name: 'workqueue_work_duration_seconds',
  help: 'How long in seconds processing an item from workqueue takes.',
  labelNames: ['name'] as const,
  buckets: QUEUE_BUCKETS,
  registers: [runtimeRegistry],
});

/** The workqueue_* hooks of the queue named `name` (client-go's queue metrics, label `name`). */
export function queueMetrics(name: string): { added(): void; waited(s: number): void; worked(s: number): void } {
  const adds = workqueueAdds.labels({ name });
  const waited = workqueueQueueDuration.labels({ name });
  const worked = workqueueWorkDuration.labels({ name });
  return { added: () => adds.inc(), waited: (s) => waited.observe(s), worked: (s) => worked.observe(s) };
}

new Gauge({
  name: 'workqueue_depth',
  help: 'Keys waiting in each controller queue.',
  labelNames: ['name'] as const,
  registers: [runtimeRegistry],
  collect() {
    this.reset();
    for (const [name, read] of live) this.set({ name }, read().depth);
  },
});

new Gauge({
  name: 'controller_runtime_active_workers',
  help: 'Reconciles running now, per controller.',
  labelNames: ['controller'] as const,
  registers: [runtimeRegistry],
  collect() {
    this.reset();
    for (const [controller, read] of live) this.set({ controller }, read().active);
  },
});

/** Make a running controller's queue visible to scrapes; returns the function that hides it again. */
export function trackController(name: string, read: () => { depth: number; active: number }): () => void {
  live.set(name, read);
  return () => {
    if (live.get(name) === read) live.delete(name);
  };
}
