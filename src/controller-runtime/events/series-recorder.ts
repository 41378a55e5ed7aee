/**
 * Recording events.k8s.io/v1 Events, as client-go's tools/events (the recorder kube-scheduler
 * uses; the kubelet and most controllers use tools/record, recorder.ts):
 * - an Event carries reportingController, reportingInstance (`<controller>-<hostname>`), action,
 *   reason, regarding, related, note, type and eventTime (MicroTime); no count or timestamps;
 * - isomorphic events (same action, reason, reporting controller and regarding/related object
 *   references, whatever the note) form a series: the second occurrence PATCHes
 *   `series: {count: 2, lastObservedTime}` onto the first Event; later ones only count in memory;
 * - every 6 minutes a series silent for 6 minutes is finished (its last count PATCHed, then
 *   forgotten, so the next occurrence is a new Event) and a singleton older than 6 minutes is
 *   forgotten; every 30 minutes each open series is PATCHed with its count (which also renews the
 *   API server's --event-ttl);
 * - a PATCH that finds the Event gone creates it again, series and all (recordEvent).
 * There is no spam filter in tools/events. Writes run at most `maxInFlight` at once, those of one
 * Event in order; at most `maxQueued` wait (upstream's broadcaster queue of 1,000), the rest are dropped.
 */
import { hostname } from 'node:os';
import type { KubeObject } from '../../api/meta.js';
import type { KubeClient } from '../../client/kube-client.js';
import { resources } from '../../client/resource-ref.js';
import { isNotFound } from '../../client/errors.js';
import { realClock, type Clock, type Timer } from '../clock/clock.js';
import { defaultLogger, type Logger } from '../log.js';
import { microTime } from '../leader-election.js';
import type { EventsV1Event } from '../../api/kinds/events/event.js';
import type { EventType } from './recorder.js';

/** tools/events' finishTime and refreshTime. */
export const FINISH_MS = 6 * 60_000;
export const REFRESH_MS = 30 * 60_000;

export interface SeriesEventRecorderOptions {
  /** reportingController, e.g. `default-scheduler`. */
  reportingController: string;
  /** Default `<reportingController>-<hostname>`, as the scheduler's. */
  reportingInstance?: string;
  maxInFlight?: number;
  maxQueued?: number;
  clock?: Clock;
  logger?: Logger;
}

interface Reference { apiVersion?: string; kind: string; namespace?: string; name: string; uid?: string; resourceVersion?: string }

interface Cached {
  body: Record<string, unknown> & { metadata: { name: string; namespace: string } };
  eventTime: number;
  series?: { count: number; last: number };
  /** The last write of this Event (writes of one Event never overlap). */
  chain: Promise<void>;
}

export class SeriesEventRecorder {
  private readonly cache = new Map<string, Cached>();
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly instance: string;
  private readonly maxInFlight: number;
  private readonly maxQueued: number;
  private readonly slots: (() => void)[] = [];
  private running = 0;
  private queued = 0;
  private readonly writes = new Set<Promise<void>>();
  private readonly timers: Timer[] = [];
  private closed = false;
  private seq = 0;
  /** Writes dropped because the queue was full. */
  dropped = 0;

  constructor(private readonly client: KubeClient, private readonly opts: SeriesEventRecorderOptions) {
    this.clock = opts.clock ?? realClock;
    this.log = (opts.logger ?? defaultLogger()).child({ component: 'event-recorder', source: opts.reportingController });
    this.instance = opts.reportingInstance ?? `${opts.reportingController}-${hostname()}`;
    this.maxInFlight = Math.max(1, opts.maxInFlight ?? 4);
    this.maxQueued = Math.max(1, opts.maxQueued ?? 1000);
    this.every(FINISH_MS, () => this.finishSeries());
    this.every(REFRESH_MS, () => this.refreshSeries());
  }

  /** Eventf(regarding, related, type, reason, action, note). Fire and forget. */
  event(regarding: Readonly<KubeObject>, type: EventType, reason: string, note: string, more: { action: string; related?: Readonly<KubeObject> }): void {
    if (this.closed) return;
    const now = this.clock.now();
    const reg = reference(regarding);
    const rel = more.related && reference(more.related);
    const key = JSON.stringify([more.action, reason, this.opts.reportingController, reg, rel ?? null]);
    const seen = this.cache.get(key);
    if (seen?.series) {
      seen.series.count++;
      seen.series.last = now;
      return;
    }
    if (seen) {
      seen.series = { count: 2, last: now };
      this.write(seen, 'series');
      return;
    }
    const ns = reg.namespace || 'default';
    const c: Cached = {
      body: {
        apiVersion: 'events.k8s.io/v1', kind: 'Event',
        metadata: { name: `${reg.name}.${(BigInt(now) * 1_000_000n + BigInt(this.seq++ % 1_000_000)).toString(16)}`, namespace: ns },
        eventTime: microTime(now), reportingController: this.opts.reportingController, reportingInstance: this.instance,
        action: more.action, reason, regarding: reg, ...(rel ? { related: rel } : {}), note, type,
      },
      eventTime: now, chain: Promise.resolve(),
    };
    this.cache.set(key, c);
    this.write(c, 'create');
  }

  /** Wait for the writes started so far. */
  async flush(): Promise<void> {
    while (this.writes.size > 0) await Promise.all([...this.writes]);
  }

  /** Stop recording (open series are not written again) and wait for pending writes. */
  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) t.cancel();
    await this.flush();
  }

  /** finishSeries: write a silent series' last count and forget it; forget old singletons. */
  finishSeries(): void {
    const cutoff = this.clock.now() - FINISH_MS;
    for (const [key, c] of this.cache) {
      if (c.series ? c.series.last >= cutoff : c.eventTime >= cutoff) continue;
      this.cache.delete(key);
      if (c.series) this.write(c, 'series');
    }
  }

  /** refreshExistingEventSeries: write each open series' count. */
  refreshSeries(): void {
    for (const c of this.cache.values()) if (c.series) this.write(c, 'series');
  }

  /** As wait.Until: `fn` every `ms` until close; timer `slot` of `timers`. */
  private every(ms: number, fn: () => void, slot = this.timers.length): void {
    const t = this.clock.setTimer(() => {
      if (this.closed) return;
      fn();
      this.every(ms, fn, slot);
    }, ms);
    t.unref?.();
    this.timers[slot] = t;
  }

  private write(c: Cached, how: 'create' | 'series'): void {
    if (this.queued >= this.maxQueued) {
      this.dropped++;
      return;
    }
    this.queued++;
    // The body as of now: later occurrences only move the in-memory count.
    const series = c.series && { count: c.series.count, lastObservedTime: microTime(c.series.last) };
    const run = c.chain.then(async () => {
      await this.acquire();
      try {
        await this.send(c, how, series);
      } catch (err) {
        this.log.warn({ err: String(err), reason: c.body.reason, object: c.body.metadata.name }, 'failed to record event');
      } finally {
        this.release();
      }
    });
    c.chain = run;
    this.writes.add(run);
    void run.finally(() => this.writes.delete(run));
  }

  private async send(c: Cached, how: 'create' | 'series', series: { count: number; lastObservedTime: string } | undefined): Promise<void> {
    const events = this.client.resource(resources.eventsV1, c.body.metadata.namespace);
    if (how === 'series') {
      try {
        await events.patch(c.body.metadata.name, 'merge', { series });
        return;
      } catch (err) {
        if (!isNotFound(err)) throw err; // gone (--event-ttl): created again below
      }
    }
    await events.create({ ...c.body, ...(series ? { series } : {}) } as unknown as EventsV1Event);
  }

  private acquire(): Promise<void> {
    if (this.running < this.maxInFlight) {
      this.running++;
      this.queued--;
      return Promise.resolve();
    }
    return new Promise((r) => this.slots.push(() => {
      this.queued--;
      r();
    }));
  }

  private release(): void {
    const next = this.slots.shift();
    if (next) next();
    else this.running--;
  }
}

function reference(obj: Readonly<KubeObject>): Reference {
  return {
    apiVersion: obj.apiVersion, kind: obj.kind ?? '', namespace: obj.metadata.namespace, name: obj.metadata.name ?? '',
    uid: obj.metadata.uid, resourceVersion: obj.metadata.resourceVersion,
  };
}
