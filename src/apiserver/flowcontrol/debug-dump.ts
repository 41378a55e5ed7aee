/**
 * The debug endpoints of API Priority and Fairness, in upstream's text
 * (staging/src/k8s.io/apiserver/pkg/util/flowcontrol/apf_controller_debug.go): cells joined by
 * ",\t" and aligned by Go's text/tabwriter (minwidth 8, padding 1, spaces); levels by name.
 *   /debug/api_priority_and_fairness/dump_priority_levels: a row per level
 *   /debug/api_priority_and_fairness/dump_queues: a row per queue of each queuing level
 *   /debug/api_priority_and_fairness/dump_requests: a row per waiting request
 *     (?includeRequestDetails=1 adds who asked for what)
 * They are non-resource URLs: system:masters, or a ClusterRole granting `get` on them, may read them.
 */
import type { LevelDump } from './apf-limiter.js';
import { QueueSet } from './queue-set.js';

export const APF_DEBUG_PREFIX = '/debug/api_priority_and_fairness/';

/** text/tabwriter.NewWriter(w, 8, 0, 1, ' ', 0) over rows of ",\t"-joined cells: each cell but the last of a line padded to its column's width. */
export function tabAlign(rows: readonly (readonly string[])[]): string {
  const width = (s: string): number => [...s].length;
  const widths: number[] = [];
  for (const row of rows) {
    for (let j = 0; j < row.length - 1; j++) widths[j] = Math.max(widths[j] ?? 8, width(`${row[j]},`) + 1);
  }
  const cell = (c: string, w: number): string => `${c},${' '.repeat(w - width(`${c},`))}`;
  return rows.map((row) => `${row.map((c, j) => (j < row.length - 1 ? cell(c, widths[j]!) : c)).join('')}\n`).join('');
}

/** Go's time.Duration.String() of `ms` milliseconds ("0s", "5ms", "1.5s", "1m30s"). */
export function goDuration(ms: number): string {
  const ns = Math.round(ms * 1e6);
  if (ns === 0) return '0s';
  const frac = (v: number, unit: number, digits: number): string => {
    const f = String(v % unit).padStart(digits, '0').replace(/0+$/, '');
    return `${Math.floor(v / unit)}${f ? `.${f}` : ''}`;
  };
  if (ns < 1e3) return `${ns}ns`;
  if (ns < 1e6) return `${frac(ns, 1e3, 3)}µs`;
  if (ns < 1e9) return `${frac(ns, 1e6, 6)}ms`;
  const h = Math.floor(ns / 3.6e12);
  const m = Math.floor((ns % 3.6e12) / 6e10);
  const s = `${frac(ns % 6e10, 1e9, 9)}s`;
  return h > 0 ? `${h}h${m}m${s}` : m > 0 ? `${m}m${s}` : s;
}

/** RFC3339Nano in UTC (trailing zeros of the fraction dropped, as Go formats it). */
const rfc3339Nano = (ms: number): string => new Date(ms).toISOString().replace(/\.?0+Z$/, 'Z');

export function dumpPriorityLevels(levels: readonly LevelDump[]): string {
  const rows = [['PriorityLevelName', 'ActiveQueues', 'IsIdle', 'IsQuiescing', 'WaitingRequests', 'ExecutingRequests', 'DispatchedRequests', 'RejectedRequests', 'TimedoutRequests', 'CancelledRequests']];
  for (const { name, quiescing, qs } of levels) {
    const active = qs.queues.slice(0, Math.max(0, qs.queueCount)).filter((q) => q.waiting.length > 0).length;
    const t = qs.totals;
    rows.push([name, String(active), String(qs.idle), String(quiescing), String(qs.waiting), String(qs.executing), String(t.dispatched), String(t.rejected), String(t.timedOut), String(t.cancelled)]);
  }
  return tabAlign(rows);
}

export function dumpQueues(levels: readonly LevelDump[]): string {
  const rows = [['PriorityLevelName', 'Index', 'PendingRequests', 'ExecutingRequests', 'SeatsInUse', 'NextDispatchR', 'InitialSeatsSum', 'MaxSeatsSum', 'TotalWorkSum']];
  for (const { name, qs } of levels) {
    for (const q of qs.queues.slice(0, Math.max(0, qs.queueCount))) {
      rows.push([name, String(q.index), String(q.waiting.length), String(q.executing), String(q.seatsInUse), QueueSet.seatSeconds(q.nextDispatchR), String(q.waitingInitialSeats), String(q.waitingMaxSeats), QueueSet.seatSeconds(q.waitingWork)]);
    }
  }
  return tabAlign(rows);
}

export function dumpRequests(levels: readonly LevelDump[], details: boolean): string {
  const head = ['PriorityLevelName', 'FlowSchemaName', 'QueueIndex', 'RequestIndexInQueue', 'FlowDistingsher', 'ArriveTime', 'InitialSeats', 'FinalSeats', 'AdditionalLatency'];
  const rows = [details ? [...head, 'UserName', 'Verb', 'APIPath', 'Namespace', 'Name', 'APIVersion', 'Resource', 'SubResource'] : head];
  for (const { name, qs } of levels) {
    for (const q of qs.queues.slice(0, Math.max(0, qs.queueCount))) {
      q.waiting.forEach((r, i) => {
        const info = r.info;
        const row = [name, info?.flowSchema ?? '', String(q.index), String(i), info?.distinguisher ?? '', rfc3339Nano(info?.arrivedAt ?? 0), String(r.work.initialSeats), String(r.work.finalSeats), goDuration(r.work.additionalLatencyMs)];
        if (details) {
          const d = info?.digest;
          const [resource = '', sub = ''] = (d?.resource ?? '').split('/');
          // schema.GroupVersion.String(): `apps/v1`, `v1`, '' for non-resource requests.
          const gv = d?.apiGroup ? `${d.apiGroup}/${d.version ?? ''}` : d?.version ?? '';
          row.push(d?.user ?? '', d?.verb ?? '', d?.path ?? '', d?.namespace ?? '', d?.name ?? '', gv, resource, sub);
        }
        rows.push(row);
      });
    }
  }
  return tabAlign(rows);
}

/** The three endpoints over `levels()`: the text of `path`, or undefined when it is none of them. */
export function apfDebugHandler(levels: () => readonly LevelDump[]): (path: string, query: URLSearchParams) => string | undefined {
  return (path, query) => {
    switch (path.slice(APF_DEBUG_PREFIX.length - 1)) {
      case '/dump_priority_levels': return dumpPriorityLevels(levels());
      case '/dump_queues': return dumpQueues(levels());
      case '/dump_requests': return dumpRequests(levels(), (query.get('includeRequestDetails') ?? '').length > 0);
      default: return undefined;
    }
  };
}
