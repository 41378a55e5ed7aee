/**
 * One priority level's requests: kube-apiserver's fair queuing
 * (staging/src/k8s.io/apiserver/pkg/util/flowcontrol/fairqueuing/queueset/queueset.go).
 * - Exempt levels (`queues` < 0) run everything at once; Reject levels (`queues` 0) run a request
 *   when its seat fits under the limit (or nothing runs: upstream's canAccommodateSeatsLocked), else
 *   refuse it (`concurrency-limit`).
 * - Queuing levels put each request into the queue of its flow's hand (shuffle-sharding.ts) with the
 *   least waiting work, refuse it (`queue-full`) when the level is at its limit and that queue holds
 *   queueLengthLimit requests, then dispatch as much as the limit allows.
 * - Dispatch is virtual-time fair queuing: a virtual clock R advances with real time at
 *   min(seats in use + seats waiting, limit) / active queues; a queue that becomes active starts at
 *   the current R; each dispatch takes the waiting head whose queue's nextDispatchR + work is least
 *   (ties: round robin from the last queue served) and advances that queue by the request's work; a
 *   finished request corrects its queue by (estimated - actual duration). One flow flooding its
 *   queues therefore moves its own R ahead, and another flow's queue is served first (a request
 *   held past its estimate charges its queue only when it finishes, as upstream's).
 * Simpler than upstream: every request is one seat with upstream's estimated service of 3 s (no
 * width estimation for lists, no extra latency for writes with watchers); the queue count only grows
 * when a configuration changes (upstream drops surplus queues as they empty).
 * The fast path (nothing waiting) does O(handSize) work; the O(queues) search only runs while
 * requests wait.
 */
import { Integrator } from './borrowing.js';

/** Upstream's estimatedServiceDuration: 3 s, as seat-seconds of one seat. */
const ESTIMATED_WORK = 3;

export interface QueuingConfig {
  /** -1: exempt; 0: Reject; > 0: the number of queues. */
  queues: number;
  handSize: number;
  queueLengthLimit: number;
}

interface Queue { readonly index: number; waiting: Request[]; executing: number; nextDispatchR: number }

/** A request of this level: waiting in `queue`, or executing once `started`. */
export interface Request {
  queue: Queue | undefined;
  arrivalR: number;
  running: boolean;
  started: number;
  /** Called when a waiting request is dispatched. */
  onDispatch?: () => void;
  /** The FlowSchema's counters (metrics per priority level and FlowSchema). */
  readonly counters: { executing: number; waiting: number };
}

export type Refusal = 'queue-full' | 'concurrency-limit';

export class QueueSet {
  private queues: Queue[] = [];
  private config: QueuingConfig = { queues: -1, handSize: 0, queueLengthLimit: 0 };
  /** The level's current concurrency limit (currentCL). */
  limit = 0;
  seatsInUse = 0;
  waiting = 0;
  private activeQueues = 0;
  private currentR = 0;
  private lastTime: number;
  private robin = -1;
  private enqueues = 0;
  readonly demand: Integrator;

  constructor(private readonly now: () => number) {
    this.lastTime = now();
    this.demand = new Integrator(this.lastTime);
  }

  configure(config: QueuingConfig): void {
    this.config = config;
    while (this.queues.length < config.queues) this.queues.push({ index: this.queues.length, waiting: [], executing: 0, nextDispatchR: 0 });
  }

  get exempt(): boolean { return this.config.queues < 0; }
  get queueCount(): number { return this.config.queues; }
  get handSize(): number { return this.config.handSize; }

  /** Starts a request of the flow whose hand is `hand`: executing (`running`), waiting (its onDispatch is called later), or refused. */
  start(hand: readonly number[], counters: Request['counters']): Request | Refusal {
    const now = this.syncTime();
    const r: Request = { queue: undefined, arrivalR: this.currentR, running: false, started: now, counters };
    if (this.config.queues <= 0) {
      if (this.config.queues === 0 && !this.canRun()) return 'concurrency-limit';
      this.run(r, now);
      this.demand.set(this.seatsInUse + this.waiting, now);
      return r;
    }
    const queue = this.shortest(hand);
    if (this.seatsInUse >= this.limit && queue.waiting.length >= this.config.queueLengthLimit) return 'queue-full';
    if (queue.waiting.length === 0 && queue.executing === 0) {
      queue.nextDispatchR = this.currentR;
      this.activeQueues++;
    }
    r.queue = queue;
    queue.waiting.push(r);
    this.waiting++;
    counters.waiting++;
    if (queue.nextDispatchR < queue.waiting[0]!.arrivalR) queue.nextDispatchR = queue.waiting[0]!.arrivalR;
    this.dispatchAll(now, queue);
    return r;
  }

  /** The request finished executing: its seat is free, its queue's R corrected by its actual duration. */
  finish(r: Request): void {
    const now = this.syncTime();
    this.seatsInUse--;
    r.counters.executing--;
    const q = r.queue;
    if (q) {
      q.executing--;
      q.nextDispatchR -= ESTIMATED_WORK - (now - r.started) / 1000;
      this.bound(q);
      this.maybeIdle(q);
    }
    this.dispatchAll(now);
  }

  /** A waiting request gave up (timed out or its client left). */
  cancel(r: Request): void {
    const q = r.queue;
    if (!q || r.running) return;
    const i = q.waiting.indexOf(r);
    if (i < 0) return;
    const now = this.syncTime();
    q.waiting.splice(i, 1);
    this.waiting--;
    r.counters.waiting--;
    this.maybeIdle(q);
    this.demand.set(this.seatsInUse + this.waiting, now);
  }

  /**
   * dispatchAsMuchAsPossibleLocked (also after a limit change). `only`: the queue just enqueued to;
   * when its request is the only one waiting, the search over all queues is skipped.
   */
  dispatchAll(now = this.syncTime(), only?: Queue): void {
    while (this.waiting > 0 && this.seatsInUse < this.limit) {
      let q: Queue;
      if (this.waiting === 1 && only?.waiting.length) {
        q = only;
        this.robin = only.index;
      } else q = this.nextQueue();
      const r = q.waiting.shift()!;
      this.waiting--;
      r.counters.waiting--;
      q.nextDispatchR += ESTIMATED_WORK;
      this.bound(q);
      this.run(r, now);
      r.onDispatch?.();
    }
    this.demand.set(this.seatsInUse + this.waiting, now);
  }

  private run(r: Request, now: number): void {
    r.running = true;
    r.started = now;
    this.seatsInUse++;
    r.counters.executing++;
    if (r.queue) r.queue.executing++;
  }

  /** canAccommodateSeatsLocked for one seat: it fits, or nothing runs (a request wider than the limit runs alone). */
  private canRun(): boolean {
    return this.seatsInUse + 1 <= this.limit || this.seatsInUse === 0;
  }

  /** shuffleShardLocked: the hand's queue with the least waiting work, starting at a rotating offset. */
  private shortest(hand: readonly number[]): Queue {
    const offset = this.enqueues++ % hand.length;
    let best = this.queues[hand[offset]!]!;
    for (let i = 1; i < hand.length; i++) {
      const q = this.queues[hand[(offset + i) % hand.length]!]!;
      if (q.waiting.length < best.waiting.length) best = q;
    }
    return best;
  }

  /** findDispatchQueueToBoundLocked: the non-empty queue whose head would finish first in virtual time. */
  private nextQueue(): Queue {
    const n = this.queues.length;
    let best: Queue | undefined;
    let bestIndex = this.robin;
    for (let k = 1; k <= n; k++) {
      const i = (this.robin + k) % n;
      const q = this.queues[i]!;
      if (q.waiting.length && (!best || q.nextDispatchR < best.nextDispatchR)) {
        best = q;
        bestIndex = i;
      }
    }
    this.robin = bestIndex;
    return best!;
  }

  /** boundNextDispatchLocked: a queue never dispatches before its head arrived. */
  private bound(q: Queue): void {
    const head = q.waiting[0];
    if (head && q.nextDispatchR < head.arrivalR) q.nextDispatchR = head.arrivalR;
  }

  private maybeIdle(q: Queue): void {
    if (q.waiting.length === 0 && q.executing === 0) this.activeQueues--;
  }

  /** syncTimeLocked: advances R by the time since the last event at the virtual time ratio. */
  private syncTime(): number {
    const now = this.now();
    const dt = (now - this.lastTime) / 1000;
    this.lastTime = now;
    if (this.activeQueues > 0 && dt > 0) this.currentR += dt * Math.min(this.seatsInUse + this.waiting, this.limit) / this.activeQueues;
    return now;
  }
}
