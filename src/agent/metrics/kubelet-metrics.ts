/**
 * The node agent's Prometheus metrics under the kubelet's names (pkg/kubelet/metrics/metrics.go),
 * served on the agent's HTTPS server at /metrics with the node's proxy and DNS metrics
 * (controller-runtime/exposition.ts, `nodeRegistry`):
 *   kubelet_pod_start_duration_seconds          first sight of a pod to its first Running status
 *   kubelet_pleg_relist_duration_seconds        one PLEG relist
 *   kubelet_runtime_operations_total / _errors_total / _duration_seconds{operation_type}  CRI calls
 *   kubelet_evictions{eviction_signal}          pods evicted by the eviction manager
 */
import { Counter, exponentialBuckets, Histogram, monotonicSeconds, nodeRegistry } from '../../controller-runtime/exposition.js';
import type { ContainerRuntime } from '../runtime/types.js';

const DEF_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export const podStartDuration = nodeRegistry.register(new Histogram('kubelet_pod_start_duration_seconds',
  '[ALPHA] Duration in seconds from kubelet seeing a pod for the first time to the pod starting to run',
  [0.5, 1, 2, 3, 4, 5, 6, 8, 10, 20, 30, 45, 60, 120, 180, 240, 300, 360, 480, 600, 900, 1200, 1800, 2700, 3600]));

export const plegRelistDuration = nodeRegistry.register(new Histogram('kubelet_pleg_relist_duration_seconds',
  '[ALPHA] Duration in seconds for relisting pods in PLEG.', DEF_BUCKETS));

const runtimeOps = nodeRegistry.register(new Counter('kubelet_runtime_operations_total',
  '[ALPHA] Cumulative number of runtime operations by operation type.', ['operation_type']));
const runtimeErrors = nodeRegistry.register(new Counter('kubelet_runtime_operations_errors_total',
  '[ALPHA] Cumulative number of runtime operation errors by operation type.', ['operation_type']));
const runtimeDuration = nodeRegistry.register(new Histogram('kubelet_runtime_operations_duration_seconds',
  '[ALPHA] Duration in seconds of runtime operations. Broken down by operation type.', exponentialBuckets(0.005, 2.5, 14), ['operation_type']));

export const evictions = nodeRegistry.register(new Counter('kubelet_evictions',
  '[ALPHA] Cumulative number of pod evictions by eviction signal', ['eviction_signal']));

/** The kubelet's operation_type for a CRI call (instrumented_services.go uses the CRI method, snake_case). */
const OPERATION: Record<string, string> = {
  runPodSandbox: 'run_podsandbox', stopPodSandbox: 'stop_podsandbox', removePodSandbox: 'remove_podsandbox',
  podSandboxStatus: 'podsandbox_status', listPodSandboxes: 'list_podsandbox',
};
const snake = (m: string): string => OPERATION[m] ?? m.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** The runtime with every promise-returning call counted and timed (kubelet's instrumentedRuntimeService). */
export function instrumentRuntime(runtime: ContainerRuntime): ContainerRuntime {
  return new Proxy(runtime, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof prop !== 'string' || typeof v !== 'function') return v;
      const op = snake(prop);
      return (...args: unknown[]) => {
        const out = (v as (...a: unknown[]) => unknown).apply(target, args);
        if (!(out instanceof Promise)) return out;
        const start = monotonicSeconds();
        runtimeOps.inc({ operation_type: op });
        return out.then((r: unknown) => {
          runtimeDuration.observe({ operation_type: op }, monotonicSeconds() - start);
          return r;
        }, (err: unknown) => {
          runtimeDuration.observe({ operation_type: op }, monotonicSeconds() - start);
          runtimeErrors.inc({ operation_type: op });
          throw err;
        });
      };
    },
  });
}
