/**
 * The scheduler's Prometheus metrics under kube-scheduler's names (pkg/scheduler/metrics/metrics.go):
 *   scheduler_schedule_attempts_total{result,profile}            result: scheduled | unschedulable | error
 *   scheduler_scheduling_attempt_duration_seconds{result,profile} from the start of the cycle to the bind's end
 *   scheduler_pod_scheduling_sli_duration_seconds{attempts}       from the pod's first attempt to its bind
 * in the process's registry, which the API server of `bosun server` (where the scheduler runs) serves on /metrics.
 */
import { Counter, Histogram, register } from 'prom-client';

/** The process's registry (prom-client's global one), which the API server serves on /metrics. */
export const schedulerRegistry = register;

const PROFILE = 'default-scheduler';
/** metrics.ExponentialBuckets(0.001, 2, 15) */
const ATTEMPT_BUCKETS = Array.from({ length: 15 }, (_, i) => 0.001 * 2 ** i);
/** metrics.ExponentialBuckets(0.01, 2, 20) */
const SLI_BUCKETS = Array.from({ length: 20 }, (_, i) => 0.01 * 2 ** i);

const attempts = new Counter({
  name: 'scheduler_schedule_attempts_total',
  help: '[STABLE] Number of attempts to schedule pods, by the result. \'unschedulable\' means a pod could not be scheduled, while \'error\' means an internal scheduler problem.',
  labelNames: ['result', 'profile'] as const,
  registers: [schedulerRegistry],
});

const attemptDuration = new Histogram({
  name: 'scheduler_scheduling_attempt_duration_seconds',
  help: '[STABLE] Scheduling attempt latency in seconds (scheduling algorithm + binding)',
  labelNames: ['result', 'profile'] as const,
  buckets: ATTEMPT_BUCKETS,
  registers: [schedulerRegistry],
});

const sliDuration = new Histogram({
  name: 'scheduler_pod_scheduling_sli_duration_seconds',
  help: '[BETA] E2e latency for a pod being scheduled, from the time the pod enters the scheduling queue and might involve multiple scheduling attempts.',
  labelNames: ['attempts'] as const,
  buckets: SLI_BUCKETS,
  registers: [schedulerRegistry],
});

/** One attempt ended with `result`; `startMs` is performance.now() at its start. */
export function attemptEnded(result: 'scheduled' | 'unschedulable' | 'error', startMs: number): void {
  attempts.inc({ result, profile: PROFILE });
  attemptDuration.observe({ result, profile: PROFILE }, (performance.now() - startMs) / 1000);
}

/** A pod was bound after `attemptCount` attempts, the first at `firstAttemptMs` (Date.now() clock). */
export function podScheduled(attemptCount: number, firstAttemptMs: number | undefined, nowMs: number): void {
  if (firstAttemptMs === undefined) return;
  sliDuration.observe({ attempts: String(attemptCount) }, Math.max(0, nowMs - firstAttemptMs) / 1000);
}
