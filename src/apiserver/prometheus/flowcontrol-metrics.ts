/**
 * API Priority and Fairness metrics under kube-apiserver's names and labels
 * (staging/src/k8s.io/apiserver/pkg/util/flowcontrol/metrics/metrics.go), read from the limiter
 * when scraped:
 *   apiserver_flowcontrol_current_executing_requests{priority_level,flow_schema}
 *   apiserver_flowcontrol_rejected_requests_total{priority_level,flow_schema,reason} (queue-full, concurrency-limit, time-out)
 *   apiserver_flowcontrol_nominal_limit_seats{priority_level}
 */
import { Counter, Gauge } from 'prom-client';
import type { ApfSeries } from '../flowcontrol/apf-limiter.js';
import { apiserverRegistry } from './apiserver-metrics.js';

let source: (() => ApfSeries) | undefined;

/** The limiter whose numbers the metrics show (the server's). */
export function setFlowcontrolMetricsSource(read: () => ApfSeries): void {
  source = read;
}

export const flowcontrolExecuting = new Gauge({
  name: 'apiserver_flowcontrol_current_executing_requests',
  help: '[BETA] Number of requests in initial (for a WATCH) or any (for a non-WATCH) execution stage in the API Priority and Fairness subsystem',
  labelNames: ['priority_level', 'flow_schema'] as const,
  registers: [apiserverRegistry],
  collect() {
    this.reset();
    for (const [key, n] of source?.().executing ?? []) {
      const [priority_level = '', flow_schema = ''] = key.split('\0');
      this.set({ priority_level, flow_schema }, n);
    }
  },
});

export const flowcontrolRejected = new Counter({
  name: 'apiserver_flowcontrol_rejected_requests_total',
  help: '[BETA] Number of requests rejected by API Priority and Fairness subsystem',
  labelNames: ['priority_level', 'flow_schema', 'reason'] as const,
  registers: [apiserverRegistry],
  collect() {
    this.reset();
    for (const [key, n] of source?.().rejected ?? []) {
      const [priority_level = '', flow_schema = '', reason = ''] = key.split('\0');
      this.inc({ priority_level, flow_schema, reason }, n);
    }
  },
});

export const flowcontrolNominalLimit = new Gauge({
  name: 'apiserver_flowcontrol_nominal_limit_seats',
  help: '[BETA] Nominal number of execution seats configured for each priority level',
  labelNames: ['priority_level'] as const,
  registers: [apiserverRegistry],
  collect() {
    this.reset();
    for (const [priority_level, n] of source?.().nominalLimits ?? []) this.set({ priority_level }, n);
  },
});
