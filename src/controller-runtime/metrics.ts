/**
 * Controller metrics under controller-runtime's names, in a registry of their own (`runtimeRegistry`)
 * that a component merges into its /metrics (prom-client's `Registry.merge`). Queue depth is read
 * from live controllers at scrape time, so nothing needs updating on the hot path but counters.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export const runtimeRegistry = new Registry();

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
