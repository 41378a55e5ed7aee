/**
 * API Priority and Fairness, as kube-apiserver's filter (server/filters/priority-and-fairness.go)
 * and config controller (util/flowcontrol/apf_controller.go). Each request (watches included; logs,
 * exec and other long-running requests not) is classified (classify.ts; the decision, with its flow's hand of queues, cached per user, groups,
 * verb, group, resource and namespace until the configuration changes), answered with
 * X-Kubernetes-PF-FlowSchema-UID and X-Kubernetes-PF-PriorityLevel-UID, and started in its level's
 * queue set (queue-set.ts: exempt, Reject, or shuffle-sharded fair queues); it waits at most
 * QUEUE_WAIT_MS, else 429.
 * Limits as upstream: serverCL (--max-requests-inflight + --max-mutating-requests-inflight) is
 * divided among all levels by nominalConcurrencyShares (nominalCL = ceil(serverCL * NCS / sum));
 * lendablePercent and borrowingLimitPercent bound each level's currentCL, which is derived from
 * seat demand when the configuration changes and every BORROWING_PERIOD_MS (borrowing.ts); with no
 * demand yet, idle levels lend in proportion to what each keeps (nominalCL - lendableCL). A level
 * removed from the configuration keeps serving (and keeps its share) until it is idle; FlowSchemas
 * naming it are skipped meanwhile.
 * Each request's seats are its work estimate (work-estimator.ts, capped by its level's max seats).
 * A WATCH is admitted like any request, registered with the watch tracker while it runs (the
 * fan-out writes are charged for), and holds its seats only until its initial events are out
 * (watch-initialization.ts); after that APF neither counts nor ends it.
 * Executing, waiting and refused requests are counted per level and FlowSchema for the metrics
 * (apf-series.ts).
 * Simpler than upstream: no mandatory objects are imagined when missing (a request that matches
 * nothing is not limited, as before the configuration is read).
 */
import type { ServerResponse } from 'node:http';
import type { FlowSchema } from '../../api/kinds/flowcontrol/flow-schema.js';
import type { PriorityLevelConfiguration } from '../../api/kinds/flowcontrol/priority-level-configuration.js';
import { tooManyRequests } from '../http/inflight.js';
import { SeriesCounts, type ApfSeries } from './apf-series.js';
import { allocate, BORROWING_PERIOD_MS, updateStats, type SeatDemandStats } from './borrowing.js';
import { classify, inMatchingOrder, type RequestDigest } from './classify.js';
import { limitsOf, queuingConfigOf, sharesOf, type LevelSpec } from './level-config.js';
import { QueueSet, type Counters, type Request } from './queue-set.js';
import { dealHand, flowDistinguisher, hashFlowId } from './shuffle-sharding.js';
import { onWatchInitialized } from './watch-initialization.js';
import type { WatchTracker } from './watch-tracker.js';
import { levelMaxSeats, maxSeatsOf, ONE_SEAT, type WorkEstimator } from './work-estimator.js';

/** How long a queued request may wait before 429 (upstream: a quarter of the 60 s request timeout, at most 15 s). */
export const QUEUE_WAIT_MS = 15_000;
const MAX_CACHE = 10_000;

interface Level {
  readonly name: string;
  uid: string;
  spec: LevelSpec;
  /** Not yet given its initial limit. */
  fresh: boolean;
  /** Gone from the configuration, kept until idle. */
  quiescing: boolean;
  nominal: number;
  /** nominal - lendable. */
  min: number;
  /** nominal + borrowing limit. */
  max: number;
  /** The most seats one request may take here (0: not set, the estimator's own cap). */
  maxSeats: number;
  readonly stats: SeatDemandStats;
  readonly qs: QueueSet;
}

interface Decision { fsUid: string; fsName: string; distinguisher: string; series: string; level: Level; hand: readonly number[]; counters: Counters; observe?: (seats: number) => void }

/** What the limiter needs beyond its limits: the work estimator and watch tracker, metrics, timers. */
export interface ApfOptions {
  estimator?: Pick<WorkEstimator, 'estimate'>;
  watches?: WatchTracker;
  /** The work_estimated_seats observer of a priority level and FlowSchema. */
  observeEstimate?: (level: string, flowSchema: string) => (seats: number) => void;
  /** Runs `fn` after `ms` (final seats' release); default an unref'd setTimeout. */
  schedule?: (fn: () => void, ms: number) => void;
}

/** A level as the debug endpoints show it. */
export interface LevelDump { name: string; quiescing: boolean; qs: QueueSet }

export interface ApfCounts { executing: Record<string, number>; rejected: Record<string, number>; waiting: Record<string, number> }

export class ApfLimiter {
  private ordered: FlowSchema[] = [];
  private levels = new Map<string, Level>();
  private cache = new Map<string, Decision | null>();
  private nominalSum = 0;
  private timer: NodeJS.Timeout | undefined;
  /** What the metrics report: executing, waiting and refused requests per level and FlowSchema. */
  private readonly metrics = new SeriesCounts();

  /**
   * serverConcurrencyLimit: --max-requests-inflight + --max-mutating-requests-inflight (600).
   * `now`: the clock of virtual time and seat demand (ms).
   */
  constructor(private readonly serverConcurrencyLimit = 600, private readonly now: () => number = () => performance.now(), private readonly options: ApfOptions = {}) {
    // As upstream's BuildPriorityAndFairness: nothing could ever run.
    if (!(serverConcurrencyLimit > 0)) throw new Error(`invalid configuration: MaxRequestsInFlight + MaxMutatingRequestsInFlight = ${serverConcurrencyLimit}; they must add up to something positive`);
  }

  /** Re-derives the levels' current limits every BORROWING_PERIOD_MS until stop(). */
  start(): void {
    this.timer ??= setInterval(() => this.adjustBorrowing(), BORROWING_PERIOD_MS).unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** A new configuration: levels keep their queues, running and waiting requests; the decision cache is dropped. */
  setConfig(schemas: readonly FlowSchema[], pls: readonly PriorityLevelConfiguration[]): void {
    const next = new Map<string, Level>();
    for (const pl of pls) {
      const name = pl.metadata.name ?? '';
      const spec: LevelSpec = pl.spec ?? { type: 'Limited' };
      const old = this.levels.get(name);
      const level = old && old.qs.exempt === (spec.type === 'Exempt') ? old : this.newLevel(name);
      level.uid = pl.metadata.uid ?? '';
      level.spec = spec;
      level.quiescing = false;
      level.qs.configure(queuingConfigOf(spec));
      next.set(name, level);
    }
    // A removed level still serving keeps its share until idle (processOldPLsLocked: quiescing).
    for (const [name, level] of this.levels) {
      if (next.has(name) || level.qs.seatsInUse + level.qs.waiting === 0) continue;
      level.quiescing = true;
      next.set(name, level);
    }
    const shareSum = [...next.values()].reduce((n, l) => n + sharesOf(l.spec), 0);
    this.nominalSum = 0;
    for (const level of next.values()) {
      const { nominal, lendable, borrowing } = limitsOf(level.spec, this.serverConcurrencyLimit, shareSum);
      if (level.fresh) level.qs.limit = nominal - Math.floor(lendable / 2);
      level.fresh = false;
      level.nominal = nominal;
      level.min = nominal - lendable;
      level.max = nominal + borrowing;
      const queuing = level.qs.queueCount > 0;
      level.maxSeats = queuing ? levelMaxSeats(nominal, level.qs.handSize) : 0;
      this.nominalSum += nominal;
    }
    this.levels = next;
    this.ordered = inMatchingOrder(schemas);
    this.cache.clear();
    this.adjustBorrowing();
  }

  private newLevel(name: string): Level {
    return { name, uid: '', spec: { type: 'Limited' }, fresh: true, quiescing: false, nominal: 0, min: 0, max: 0, maxSeats: 0, stats: { avg: 0, stdDev: 0, highWatermark: 0, smoothed: 0 }, qs: new QueueSet(this.now, this.options.schedule) };
  }

  /** updateBorrowingLocked: each level's current limit from its seat demand since the last adjustment. */
  adjustBorrowing(): void {
    const now = this.now();
    const list = [...this.levels.values()];
    const items = list.map((l) => {
      updateStats(l.stats, l.qs.demand.reset(now));
      const lower = Math.max(l.min, Math.min(l.nominal, l.stats.highWatermark));
      return { lowerBound: lower, upperBound: l.max, target: Math.max(lower, l.stats.smoothed) };
    });
    let allocs: number[];
    try { allocs = allocate(this.nominalSum, items); } catch { allocs = list.map((l) => l.qs.limit); }
    list.forEach((l, i) => {
      l.qs.limit = Math.round(allocs[i]!);
      l.qs.dispatchAll();
    });
    // Levels gone from the configuration are dropped once idle (upstream's maybeReap).
    for (const [name, l] of this.levels) {
      if (!l.quiescing || l.qs.seatsInUse + l.qs.waiting > 0) continue;
      this.levels.delete(name);
      this.nominalSum -= l.nominal;
    }
  }

  /** The level's nominal concurrency limit (0 for exempt or unknown levels). */
  limitOf(name: string): number {
    const l = this.levels.get(name);
    return l && !l.qs.exempt ? l.nominal : 0;
  }

  counts(): ApfCounts {
    const executing: Record<string, number> = {};
    const waiting: Record<string, number> = {};
    for (const l of this.levels.values()) { executing[l.name] = l.qs.seatsInUse; waiting[l.name] = l.qs.waiting; }
    return { executing, waiting, rejected: { ...this.metrics.rejectedByLevel } };
  }

  private decide(d: RequestDigest): Decision | null {
    const key = `${d.user}\0${d.groups.join('\0')}\0${d.verb}\0${d.isResource ? `${d.apiGroup}\0${d.resource}\0${d.namespace}` : `\0${d.path}`}`;
    let hit = this.cache.get(key);
    if (hit !== undefined) return hit;
    // A FlowSchema whose level is gone (quiescing levels included) is dangling: skipped, as upstream.
    const fs = classify(this.ordered, (n) => this.levels.get(n)?.quiescing === false, d);
    hit = null;
    if (fs) {
      const level = this.levels.get(fs.spec!.priorityLevelConfiguration.name)!;
      const fsName = fs.metadata.name ?? '';
      const series = `${level.name}\0${fsName}`;
      const counters = this.metrics.of(series);
      const queues = level.qs.queueCount;
      const distinguisher = queues > 1 ? flowDistinguisher(fs.spec?.distinguisherMethod?.type, d.user, d.namespace) : '';
      const hand = queues > 0 ? dealHand(queues > 1 ? hashFlowId(fsName, distinguisher) : 0n, queues, level.qs.handSize) : [];
      hit = { fsUid: fs.metadata.uid ?? '', fsName, distinguisher, series, level, hand, counters, observe: this.options.observeEstimate?.(level.name, fsName) };
    }
    if (this.cache.size >= MAX_CACHE) this.cache.clear();
    this.cache.set(key, hit);
    return hit;
  }

  /**
   * Admits the request: returns at once when it may run now (or is exempt), a promise when it waits
   * in its level's queues; throws the 429. Its seats are released when the response ends, a watch's
   * once it is initialized (watchInitialized).
   */
  admit(res: ServerResponse, d: RequestDigest): void | Promise<void> {
    const decision = this.decide(d);
    if (!decision) return; // no configuration yet (or nothing matched): not limited
    const { level, series } = decision;
    res.setHeader('X-Kubernetes-PF-FlowSchema-UID', decision.fsUid);
    res.setHeader('X-Kubernetes-PF-PriorityLevel-UID', level.uid);
    const qs = level.qs;
    const work = this.options.estimator?.estimate(d, level.maxSeats) ?? ONE_SEAT;
    decision.observe?.(maxSeatsOf(work));
    const info = { flowSchema: decision.fsName, distinguisher: decision.distinguisher, arrivedAt: Date.now(), digest: d };
    const r = qs.start(decision.hand, decision.counters, work, info);
    if (typeof r === 'string') throw this.reject(level.name, res, `${series}\0${r}`);
    if (r.running) {
      this.executeOnce(qs, r, res, d);
      return;
    }
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => { res.off('close', gone); qs.cancel(r, true); reject(this.reject(level.name, res, `${series}\0time-out`)); }, QUEUE_WAIT_MS).unref();
      const gone = (): void => { clearTimeout(timer); qs.cancel(r, false); reject(tooManyRequests()); };
      r.onDispatch = () => { clearTimeout(timer); res.off('close', gone); this.executeOnce(qs, r, res, d); resolve(); };
      res.once('close', gone);
    });
  }

  /** Every level, by name (dump_priority_levels, dump_queues, dump_requests). */
  dump(): LevelDump[] {
    return [...this.levels.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((l) => ({ name: l.name, quiescing: l.quiescing, qs: l.qs }));
  }

  /** Upstream's metric series: what executes, waits and was refused, per level and FlowSchema; each level's limits. */
  series(): ApfSeries {
    return this.metrics.snapshot(this.levels.values());
  }

  /**
   * The request runs: its initial stage ends with the response, or for a watch once initialized
   * (or when its response ends first). A watch is counted by the watch tracker until it ends.
   */
  private executeOnce(qs: QueueSet, r: Request, res: ServerResponse, d: RequestDigest): void {
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      qs.finish(r);
    };
    if (d.verb === 'watch' && d.isResource) {
      onWatchInitialized(res, release);
      const slash = d.resource.indexOf('/');
      const forget = this.options.watches?.register(d.apiGroup, slash < 0 ? d.resource : d.resource.slice(0, slash), d.namespace, d.name, d.query);
      if (forget) res.once('close', forget);
    }
    res.once('finish', release);
    res.once('close', release);
  }

  private reject(level: string, res: ServerResponse, series: string): Error {
    this.metrics.reject(level, series);
    if (!res.headersSent) res.setHeader('Retry-After', '1');
    return tooManyRequests();
  }
}
