/**
 * What API Priority and Fairness reports as metrics, counted as the limiter (apf-limiter.ts) admits,
 * queues, runs and refuses requests: executing and waiting requests and seats per priority level and
 * FlowSchema (upstream's metric labels), refusals per level, FlowSchema and reason (queue-full,
 * time-out, ...) and per level, and each level's nominal and current concurrency limits.
 */
import type { Counters, QueueSet } from './queue-set.js';

/** Per priority level and FlowSchema (upstream's metric labels): `level\0flowSchema` and `level\0flowSchema\0reason`; limits per level. */
export interface ApfSeries {
  executing: ReadonlyMap<string, number>;
  executingSeats: ReadonlyMap<string, number>;
  waiting: ReadonlyMap<string, number>;
  waitingSeats: ReadonlyMap<string, number>;
  rejected: ReadonlyMap<string, number>;
  nominalLimits: ReadonlyMap<string, number>;
  currentLimits: ReadonlyMap<string, number>;
}

/** A level as the series show it: its name, nominal limit and queue set (whose limit is the current one). */
export interface SeriesLevel { readonly name: string; readonly nominal: number; readonly qs: Pick<QueueSet, 'limit'> }

/** The counts behind ApfSeries, kept across configuration changes. */
export class SeriesCounts {
  /** Requests answered 429, per priority level (apiserver_flowcontrol_rejected_requests_total). */
  readonly rejectedByLevel: Record<string, number> = {};
  private readonly rejected = new Map<string, number>();
  /** Executing and waiting requests per `level\0flowSchema`. */
  private readonly bySeries = new Map<string, Counters>();

  /** The counters of `series` (`level\0flowSchema`), which the level's queue set keeps up to date. */
  of(series: string): Counters {
    let counters = this.bySeries.get(series);
    if (!counters) this.bySeries.set(series, counters = { executing: 0, waiting: 0, executingSeats: 0, waitingSeats: 0 });
    return counters;
  }

  /** One request of `level` refused, `series` being `level\0flowSchema\0reason`. */
  reject(level: string, series: string): void {
    this.rejected.set(series, (this.rejected.get(series) ?? 0) + 1);
    this.rejectedByLevel[level] = (this.rejectedByLevel[level] ?? 0) + 1;
  }

  /** What executes, waits and was refused, per level and FlowSchema; each of `levels`' limits. */
  snapshot(levels: Iterable<SeriesLevel>): ApfSeries {
    const nominalLimits = new Map<string, number>();
    const currentLimits = new Map<string, number>();
    for (const l of levels) {
      nominalLimits.set(l.name, l.nominal);
      currentLimits.set(l.name, l.qs.limit);
    }
    const executing = new Map<string, number>();
    const executingSeats = new Map<string, number>();
    const waiting = new Map<string, number>();
    const waitingSeats = new Map<string, number>();
    for (const [k, c] of this.bySeries) {
      executing.set(k, c.executing);
      executingSeats.set(k, c.executingSeats);
      waiting.set(k, c.waiting);
      waitingSeats.set(k, c.waitingSeats);
    }
    return { executing, executingSeats, waiting, waitingSeats, rejected: this.rejected, nominalLimits, currentLimits };
  }
}
