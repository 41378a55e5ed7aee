/**
 * API Priority and Fairness metrics under kube-apiserver's names and labels
 * (staging/src/k8s.io/apiserver/pkg/util/flowcontrol/metrics/metrics.go), read from the limiter
 * when scraped:
 *   apiserver_flowcontrol_current_executing_requests{priority_level,flow_schema}
 *   apiserver_flowcontrol_current_executing_seats{priority_level,flow_schema} (seats of executing requests and of final stages)
 *   apiserver_flowcontrol_current_inqueue_requests{priority_level,flow_schema}
 *   apiserver_flowcontrol_current_inqueue_seats{priority_level,flow_schema}
 *   apiserver_flowcontrol_work_estimated_seats{priority_level,flow_schema} (histogram: max seats of each request's estimate)
 *   apiserver_flowcontrol_rejected_requests_total{priority_level,flow_schema,reason} (queue-full, concurrency-limit, time-out)
 *   apiserver_flowcontrol_nominal_limit_seats{priority_level}
 *   apiserver_flowcontrol_current_limit_seats{priority_level} (after borrowing)
 * and, from the object counts APF's list estimates read (the storage's count poll, as upstream's
 * etcd3 store feeds both), apiserver_storage_objects{resource}.
 */
import { Counter, Gauge } from 'prom-client';
import type { ApfSeries } from '../flowcontrol/apf-series.js';
import { apiserverRegistry } from './apiserver-metrics.js';
import { SeriesHistogram } from './series-histogram.js';

let source: (() => ApfSeries) | undefined;
let objectCounts: (() => Iterable<[string, { count: number }]>) | undefined;

/** The object counts apiserver_storage_objects shows (the server's tracker). */
export function setStorageObjectsSource(read: () => Iterable<[string, { count: number }]>): void {
  objectCounts = read;
}

/** The limiter whose numbers the metrics show (the server's). */
export function setFlowcontrolMetricsSource(read: () => ApfSeries): void {
  source = read;
}

/** A gauge per priority level and FlowSchema, read from one of the limiter's series. */
function perFlowSchema(name: string, help: string, pick: (s: ApfSeries) => ReadonlyMap<string, number>): Gauge<'priority_level' | 'flow_schema'> {
  return new Gauge({
    name, help,
    labelNames: ['priority_level', 'flow_schema'] as const,
    registers: [apiserverRegistry],
    collect() {
      this.reset();
      const s = source?.();
      for (const [key, n] of s ? pick(s) : []) {
        const [priority_level = '', flow_schema = ''] = key.split('\0');
        this.set({ priority_level, flow_schema }, n);
      }
    },
  });
}

/** A gauge per priority level. */
function perLevel(name: string, help: string, pick: (s: ApfSeries) => ReadonlyMap<string, number>): Gauge<'priority_level'> {
  return new Gauge({
    name, help,
    labelNames: ['priority_level'] as const,
    registers: [apiserverRegistry],
    collect() {
      this.reset();
      const s = source?.();
      for (const [priority_level, n] of s ? pick(s) : []) this.set({ priority_level }, n);
    },
  });
}

export const flowcontrolExecuting = perFlowSchema('apiserver_flowcontrol_current_executing_requests',
  '[BETA] Number of requests in initial (for a WATCH) or any (for a non-WATCH) execution stage in the API Priority and Fairness subsystem', (s) => s.executing);

export const flowcontrolExecutingSeats = perFlowSchema('apiserver_flowcontrol_current_executing_seats',
  '[BETA] Concurrency (number of seats) occupied by the currently executing (initial stage for a WATCH, any stage otherwise) requests in the API Priority and Fairness subsystem', (s) => s.executingSeats);

export const flowcontrolInqueue = perFlowSchema('apiserver_flowcontrol_current_inqueue_requests',
  '[BETA] Number of requests currently pending in queues of the API Priority and Fairness subsystem', (s) => s.waiting);

export const flowcontrolInqueueSeats = perFlowSchema('apiserver_flowcontrol_current_inqueue_seats',
  '[ALPHA] Number of seats currently pending in queues of the API Priority and Fairness subsystem', (s) => s.waitingSeats);

/** Upstream's buckets end at the 10 seats a request may take at most. */
const workEstimatedSeats = new SeriesHistogram({
  name: 'apiserver_flowcontrol_work_estimated_seats',
  help: '[ALPHA] Number of estimated seats (maximum of initial and final seats) associated with requests in API Priority and Fairness',
  labelNames: ['priority_level', 'flow_schema'] as const,
  buckets: [1, 2, 4, 10],
  registers: [apiserverRegistry],
});

/** The observer of one priority level's and FlowSchema's estimates (resolved once per classification). */
export function workEstimatedSeatsObserver(level: string, flowSchema: string): (seats: number) => void {
  const s = workEstimatedSeats.seriesOf({ priority_level: level, flow_schema: flowSchema });
  return (seats) => workEstimatedSeats.observe(s, seats);
}

export const storageObjects = new Gauge({
  name: 'apiserver_storage_objects',
  help: '[STABLE] Number of stored objects at the time of last check split by kind. In case of a fetching error, the value will be -1.',
  labelNames: ['resource'] as const,
  registers: [apiserverRegistry],
  collect() {
    this.reset();
    for (const [resource, { count }] of objectCounts?.() ?? []) this.set({ resource }, count);
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

export const flowcontrolNominalLimit = perLevel('apiserver_flowcontrol_nominal_limit_seats',
  '[BETA] Nominal number of execution seats configured for each priority level', (s) => s.nominalLimits);

export const flowcontrolCurrentLimit = perLevel('apiserver_flowcontrol_current_limit_seats',
  '[BETA] current derived number of execution seats available to each priority level', (s) => s.currentLimits);
