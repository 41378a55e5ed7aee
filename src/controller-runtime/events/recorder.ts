/**
 * Recording core/v1 Events about objects, so `kubectl describe` and `kubectl get events` tell what
 * controllers did. As client-go's EventCorrelator:
 * - an identical event (same object, type, reason, message, source) bumps `count` and
 *   `lastTimestamp` of the existing Event instead of creating another;
 * - once 10 different messages with the same object, type and reason arrive with no gap of more
 *   than 10 minutes between them (EventAggregator: the window restarts from each similar event),
 *   further ones are folded into one Event whose message reads
 *   `(combined from similar events): <latest message>`; past 10 the set of messages drops one
 *   (upstream's PopAny, here the oldest), so a message still in it is written as itself;
 * - each object's events are rate limited (a token bucket per object: burst 25, then one per
 *   5 minutes) so a hot loop cannot flood the API. As EventCorrelate, an occurrence is counted
 *   before the filter: the next write of that Event carries the dropped occurrences in `count`;
 * - an Event gone when its PATCH arrives (the API server's --event-ttl expired it) is created again
 *   under the same name with its count and firstTimestamp (recordEvent's create after NotFound).
 * Writes go through a bounded queue drained by at most `maxInFlight` requests at once (client-go's
 * broadcaster writes one event at a time from a queue of 1,000 and drops what does not fit), so a
 * burst of thousands of events never competes with the writes that matter (bindings, pod creates)
 * for more than a few requests' share of the API server. While an event waits in the queue, its
 * repeats merge into it (count + n, latest timestamp and message): one request however many
 * occurrences, as the events.k8s.io series do. Recording never throws and never blocks the caller.
 */
import type { KubeObject } from '../../api/meta.js';
import type { KubeClient } from '../../client/kube-client.js';
import { StatusError } from '../../api/status.js';
import { isNotFound } from '../../client/errors.js';
import { realClock, type Clock } from '../clock/clock.js';
import { defaultLogger, type Logger } from '../log.js';
import { BucketRateLimiter } from '../workqueue/rate-limiters.js';
import { rfc3339Seconds } from '../utc-time.js';

export type EventType = 'Normal' | 'Warning';

export interface EventRecorderOptions {
  /** The source component, e.g. `deployment-controller`, `default-scheduler`. */
  component: string;
  /** The source host (agents set their node name). */
  host?: string;
  /** Per involved object: events allowed at once, and refill rate per second. */
  burst?: number;
  qps?: number;
  /** How many distinct events are remembered for aggregation (least recently used dropped). */
  cacheSize?: number;
  /** Event writes (POST or PATCH) running at once. Default 4. */
  maxInFlight?: number;
  /** Distinct events waiting to be written; beyond this new ones are dropped (client-go: 1,000). */
  maxQueued?: number;
  clock?: Clock;
  logger?: Logger;
}

interface Recorded {
  name: string;
  count: number;
  firstTimestamp: string;
}

/** Occurrences of one aggregation key not yet written. */
interface Pending {
  aggKey: string;
  involved: InvolvedObject;
  type: EventType;
  reason: string;
  message: string;
  /** Occurrences merged into this write. */
  count: number;
  first: number;
  last: number;
}

/** client-go's aggregation: 10 distinct messages within 10 minutes fold into one Event. */
const MAX_SIMILAR = 10;
const SIMILAR_WINDOW_MS = 600_000;
/** recordToSink's maxTriesPerEvent and sleepDuration. */
const MAX_TRIES = 12;
const RETRY_MS = 10_000;

/** RFC 3339 with seconds, as metav1.Time. */
const rfc3339 = rfc3339Seconds;

export class EventRecorder {
  private readonly recorded = new Map<string, Recorded>();
  private readonly limiters = new Map<string, BucketRateLimiter<string>>();
  /** Pending writes in arrival order whose key has no write in flight. */
  private readonly queued = new Map<string, Pending>();
  /** Pending writes whose key has a write in flight (so writes of one Event never race). */
  private readonly waiting = new Map<string, Pending>();
  private readonly inFlight = new Set<string>();
  private readonly idleWaiters: (() => void)[] = [];
  private pumpScheduled = false;
  private readonly maxInFlight: number;
  private readonly maxQueued: number;
  private readonly clock: Clock;
  private readonly log: Logger;
  private closed = false;
  private readonly similar = new Map<string, { messages: Set<string>; last: number }>();
  /** Occurrences the rate limit dropped, per aggregation key: added to that Event's next write. */
  private readonly unwritten = new Map<string, number>();
  /** Retries waiting out their 10 s (woken early by close, which ends them). */
  private readonly sleepers: (() => void)[] = [];
  /** Makes names unique within one millisecond (client-go uses nanoseconds: `<name>.<hex ns>`). */
  private seq = 0;
  /** Events dropped by rate limiting or a full queue (for tests and metrics). */
  dropped = 0;
  /** Occurrences merged into a write already queued (for tests and metrics). */
  merged = 0;

  constructor(private readonly client: KubeClient, private readonly opts: EventRecorderOptions) {
    this.clock = opts.clock ?? realClock;
    this.log = (opts.logger ?? defaultLogger()).child({ component: 'event-recorder', source: opts.component });
    this.maxInFlight = Math.max(1, opts.maxInFlight ?? 4);
    this.maxQueued = Math.max(1, opts.maxQueued ?? 1000);
  }

  /** Record an event about `obj`. Fire and forget; `flush()` waits for pending writes. */
  event(obj: Readonly<KubeObject>, type: EventType, reason: string, message: string): void {
    if (this.closed) return;
    const m = obj.metadata;
    const objKey = `${m.uid ?? ''}/${obj.kind ?? ''}/${m.namespace ?? ''}/${m.name ?? ''}`;
    const now = this.clock.now();
    const similarKey = `${objKey}\u0000${type}\u0000${reason}\u0000${this.opts.component}\u0000${this.opts.host ?? ''}`;
    let aggKey = `${similarKey}\u0000${message}`;
    let s = this.similar.get(similarKey);
    if (!s || now - s.last > SIMILAR_WINDOW_MS) s = { messages: new Set(), last: now };
    this.similar.delete(similarKey); // LRU: most recent last
    this.similar.set(similarKey, s);
    this.trim(this.similar);
    s.messages.add(message);
    s.last = now;
    if (s.messages.size >= MAX_SIMILAR) {
      s.messages.delete(s.messages.values().next().value!);
      aggKey = `${similarKey}\u0000(combined)`;
      message = `(combined from similar events): ${message}`;
    }
    if (!this.allow(objKey)) {
      this.dropped++;
      this.unwritten.set(aggKey, (this.unwritten.get(aggKey) ?? 0) + 1);
      this.trim(this.unwritten);
      return;
    }
    const occurrences = 1 + (this.unwritten.get(aggKey) ?? 0);
    this.unwritten.delete(aggKey);
    const target = this.inFlight.has(aggKey) ? this.waiting : this.queued;
    const p = target.get(aggKey);
    if (p) {
      p.count += occurrences;
      p.last = now;
      p.message = message;
      this.merged++;
      return;
    }
    if (this.queued.size + this.waiting.size >= this.maxQueued) {
      this.dropped++;
      return;
    }
    target.set(aggKey, { aggKey, involved: involvedObject(obj), type, reason, message, count: occurrences, first: now, last: now });
    this.schedulePump();
  }

  /** Wait until every recorded event has been written (or failed). */
  flush(): Promise<void> {
    if (this.idle()) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  /** Stop accepting events and wait for pending writes. */
  async close(): Promise<void> {
    this.closed = true;
    for (const wake of this.sleepers.splice(0)) wake();
    await this.flush();
  }

  private idle(): boolean {
    return this.queued.size === 0 && this.waiting.size === 0 && this.inFlight.size === 0;
  }

  /** Writes start a microtask later, so events recorded in one synchronous run merge first. */
  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    queueMicrotask(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight.size < this.maxInFlight && this.queued.size > 0) {
      const [key, p] = this.queued.entries().next().value as [string, Pending];
      this.queued.delete(key);
      this.inFlight.add(key);
      void this.writeRetrying(p).catch((err) => {
        this.log.warn({ err: String(err), reason: p.reason, object: p.involved.name }, 'failed to record event');
      }).finally(() => {
        this.inFlight.delete(key);
        const next = this.waiting.get(key);
        if (next) {
          this.waiting.delete(key);
          this.queued.set(key, next);
        }
        this.pump();
        if (this.idle()) for (const w of this.idleWaiters.splice(0)) w();
      });
    }
  }

  /**
   * recordToSink: a write the server never answered (no Status: refused, reset, timed out, as while
   * it restarts) is tried again, up to 12 times, 10 s apart (the first wait random, so clients do not
   * retry in step); one the server answered with an error is not. Repeats meanwhile wait and merge.
   */
  private async writeRetrying(p: Pending): Promise<void> {
    for (let tries = 1; ; tries++) {
      try {
        return await this.write(p);
      } catch (err) {
        if (err instanceof StatusError || tries >= MAX_TRIES || this.closed) throw err;
      }
      await new Promise<void>((resolve) => {
        const wake = () => {
          timer.cancel();
          this.sleepers.splice(this.sleepers.indexOf(wake) >>> 0, 1);
          resolve();
        };
        const timer = this.clock.setTimer(wake, tries === 1 ? Math.random() * RETRY_MS : RETRY_MS);
        timer.unref?.();
        this.sleepers.push(wake);
      });
      if (this.closed) throw new Error('recorder closed before the retry');
    }
  }

  private allow(objKey: string): boolean {
    let l = this.limiters.get(objKey);
    if (!l) {
      l = new BucketRateLimiter<string>(this.opts.qps ?? 1 / 300, this.opts.burst ?? 25, this.clock);
      this.limiters.set(objKey, l);
      this.trim(this.limiters);
    }
    return l.tryTake();
  }

  private async write(p: Pending): Promise<void> {
    const { aggKey, involved, type, reason, message } = p;
    const events = this.client.events(involved.namespace || 'default');
    const seen = this.recorded.get(aggKey);
    if (seen) {
      try {
        await events.patch(seen.name, 'merge', { count: seen.count + p.count, lastTimestamp: rfc3339(p.last), message });
        seen.count += p.count;
        this.recorded.delete(aggKey);
        this.recorded.set(aggKey, seen); // LRU: most recent last
        return;
      } catch (err) {
        if (!isNotFound(err)) throw err;
        this.recorded.delete(aggKey); // expired (--event-ttl) or deleted: created again below, as it was
      }
    }
    const first = seen?.firstTimestamp ?? rfc3339(p.first);
    const count = (seen?.count ?? 0) + p.count;
    const created = await events.create({
      apiVersion: 'v1', kind: 'Event',
      metadata: { name: seen?.name ?? `${involved.name}.${(BigInt(p.first) * 1_000_000n + BigInt(this.seq++ % 1_000_000)).toString(16)}`, namespace: involved.namespace || 'default' },
      involvedObject: involved,
      reason, message, type,
      source: { component: this.opts.component, ...(this.opts.host ? { host: this.opts.host } : {}) },
      firstTimestamp: first, lastTimestamp: rfc3339(p.last), count,
      reportingComponent: this.opts.component, reportingInstance: this.opts.host ?? '',
    });
    this.recorded.set(aggKey, { name: created.metadata.name!, count, firstTimestamp: first });
    this.trim(this.recorded);
  }

  private trim<V>(m: Map<string, V>): void {
    const max = this.opts.cacheSize ?? 4096;
    while (m.size > max) m.delete(m.keys().next().value!);
  }
}

interface InvolvedObject {
  apiVersion?: string;
  kind: string;
  namespace?: string;
  name: string;
  uid?: string;
  resourceVersion?: string;
  fieldPath?: string;
}

function involvedObject(obj: Readonly<KubeObject>): InvolvedObject {
  const m = obj.metadata;
  return { apiVersion: obj.apiVersion, kind: obj.kind ?? '', namespace: m.namespace, name: m.name ?? '', uid: m.uid, resourceVersion: m.resourceVersion };
}
