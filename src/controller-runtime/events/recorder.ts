/**
 * Recording core/v1 Events about objects, so `kubectl describe` and `kubectl get events` tell what
 * controllers did. As client-go's EventCorrelator:
 * - an identical event (same object, type, reason, message, source) bumps `count` and
 *   `lastTimestamp` of the existing Event instead of creating another;
 * - once 10 different messages with the same object, type and reason arrive within 10 minutes,
 *   further ones are folded into one Event whose message reads
 *   `(combined from similar events): <latest message>`;
 * - each object's events are rate limited (a token bucket per object: burst 25, then one per
 *   5 minutes) so a hot loop cannot flood the API.
 * Recording never throws and never blocks the caller.
 */
import type { KubeObject } from '../../api/meta.js';
import type { KubeClient } from '../../client/kube-client.js';
import { isNotFound } from '../../client/errors.js';
import { realClock, type Clock } from '../clock/clock.js';
import { defaultLogger, type Logger } from '../log.js';
import { BucketRateLimiter } from '../workqueue/rate-limiters.js';

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
  clock?: Clock;
  logger?: Logger;
}

interface Recorded {
  namespace: string;
  name: string;
  count: number;
  firstTimestamp: string;
}

/** client-go's aggregation: 10 distinct messages within 10 minutes fold into one Event. */
const MAX_SIMILAR = 10;
const SIMILAR_WINDOW_MS = 600_000;

/** RFC 3339 with seconds, as metav1.Time. */
const rfc3339 = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

export class EventRecorder {
  private readonly recorded = new Map<string, Recorded>();
  private readonly limiters = new Map<string, BucketRateLimiter<string>>();
  /** Per aggregation key, the chain of writes, so updates of one Event never race each other. */
  private readonly chains = new Map<string, Promise<void>>();
  private readonly clock: Clock;
  private readonly log: Logger;
  private closed = false;
  private readonly similar = new Map<string, { messages: Set<string>; since: number }>();
  /** Makes names unique within one millisecond (client-go uses nanoseconds: `<name>.<hex ns>`). */
  private seq = 0;
  /** Events dropped by rate limiting (for tests and metrics). */
  dropped = 0;

  constructor(private readonly client: KubeClient, private readonly opts: EventRecorderOptions) {
    this.clock = opts.clock ?? realClock;
    this.log = (opts.logger ?? defaultLogger()).child({ component: 'event-recorder', source: opts.component });
  }

  /** Record an event about `obj`. Fire and forget; `flush()` waits for pending writes. */
  event(obj: Readonly<KubeObject>, type: EventType, reason: string, message: string): void {
    if (this.closed) return;
    const involved = involvedObject(obj);
    const objKey = `${involved.uid ?? ''}/${involved.kind}/${involved.namespace ?? ''}/${involved.name}`;
    if (!this.allow(objKey)) {
      this.dropped++;
      return;
    }
    const now = this.clock.now();
    const similarKey = [objKey, type, reason, this.opts.component, this.opts.host ?? ''].join('\u0000');
    let aggKey = `${similarKey}\u0000${message}`;
    let s = this.similar.get(similarKey);
    if (!s || now - s.since > SIMILAR_WINDOW_MS) {
      s = { messages: new Set(), since: now };
      this.similar.set(similarKey, s);
      this.trim(this.similar);
    }
    s.messages.add(message);
    if (s.messages.size >= MAX_SIMILAR) {
      aggKey = `${similarKey}\u0000(combined)`;
      message = `(combined from similar events): ${message}`;
    }
    const prev = this.chains.get(aggKey) ?? Promise.resolve();
    const next = prev.then(() => this.write(aggKey, involved, type, reason, message, now)).catch((err) => {
      this.log.warn({ err: String(err), reason, object: objKey }, 'failed to record event');
    });
    this.chains.set(aggKey, next);
    void next.then(() => {
      if (this.chains.get(aggKey) === next) this.chains.delete(aggKey);
    });
  }

  /** Wait until every recorded event has been written (or failed). */
  async flush(): Promise<void> {
    while (this.chains.size > 0) await Promise.all([...this.chains.values()]);
  }

  /** Stop accepting events and wait for pending writes. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
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

  private async write(aggKey: string, involved: InvolvedObject, type: EventType, reason: string, message: string, now: number): Promise<void> {
    const events = this.client.events(involved.namespace || 'default');
    const seen = this.recorded.get(aggKey);
    if (seen) {
      try {
        await events.patch(seen.name, 'merge', { count: seen.count + 1, lastTimestamp: rfc3339(now), message });
        seen.count++;
        this.recorded.delete(aggKey);
        this.recorded.set(aggKey, seen); // LRU: most recent last
        return;
      } catch (err) {
        if (!isNotFound(err)) throw err;
        this.recorded.delete(aggKey); // expired or deleted: start a new Event
      }
    }
    const ts = rfc3339(now);
    const created = await events.create({
      apiVersion: 'v1', kind: 'Event',
      metadata: { name: `${involved.name}.${(BigInt(now) * 1_000_000n + BigInt(this.seq++ % 1_000_000)).toString(16)}`, namespace: involved.namespace || 'default' },
      involvedObject: involved,
      reason, message, type,
      source: { component: this.opts.component, ...(this.opts.host ? { host: this.opts.host } : {}) },
      firstTimestamp: ts, lastTimestamp: ts, count: 1,
      reportingComponent: this.opts.component, reportingInstance: this.opts.host ?? '',
    });
    this.recorded.set(aggKey, { namespace: created.metadata.namespace!, name: created.metadata.name!, count: 1, firstTimestamp: ts });
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
  return {
    apiVersion: obj.apiVersion,
    kind: obj.kind ?? '',
    namespace: obj.metadata.namespace,
    name: obj.metadata.name ?? '',
    uid: obj.metadata.uid,
    resourceVersion: obj.metadata.resourceVersion,
  };
}
