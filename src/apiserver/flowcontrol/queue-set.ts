/**
 * One priority level's requests: kube-apiserver's fair queuing
 * (staging/src/k8s.io/apiserver/pkg/util/flowcontrol/fairqueuing/queueset/queueset.go).
 * Each request carries its work estimate (work-estimator.ts) and reserves its max seats
 * (max(initial, final)) from dispatch until its final seats are released, `additionalLatencyMs`
 * after it finished (at once when there is none; exempt levels release at once, they limit nothing).
 * - Exempt levels (`queues` < 0) run everything at once; Reject levels (`queues` 0) run a request
 *   when its seats fit under the limit (a request wider than the limit when nothing executes:
 *   canAccommodateSeatsLocked), else refuse it (`concurrency-limit`).
 * - Queuing levels put each request into the queue of its flow's hand (shuffle-sharding.ts) with the
 *   fewest waiting initial seats, refuse it (`queue-full`) when the level is at its limit and that
 *   queue holds queueLengthLimit requests, then dispatch as much as the limit allows.
 * - Dispatch is virtual-time fair queuing: a virtual clock R advances with real time at
 *   min(seats in use + seats waiting, limit) / active queues; a queue that becomes active starts at
 *   the current R; each dispatch takes the waiting head whose queue's nextDispatchR + its work
 *   (initial seats x 3 s + final seats x additional latency, seat-seconds) is least (ties: round robin
 *   from the last queue served), unless its seats do not fit: then nothing is dispatched until they
 *   do (upstream's no-accommodation); final seats beyond the limit are narrowed to it and their
 *   latency stretched. A finished request corrects its queue by initial seats x (3 s - its duration).
 * Simpler than upstream: the queue count only grows when a configuration changes (upstream drops
 * surplus queues as they empty).
 * The fast path (nothing waiting) does O(handSize) work; the O(queues) search only runs while
 * requests wait.
 */
import { Integrator } from './borrowing.js';
import { maxSeatsOf, type WorkEstimate } from './work-estimator.js';

/** Upstream's estimatedServiceDuration: 3 s. */
const ESTIMATED_SERVICE_S = 3;

export interface QueuingConfig {
  /** -1: exempt; 0: Reject; > 0: the number of queues. */
  queues: number;
  handSize: number;
  queueLengthLimit: number;
}

/** Requests and seats per priority level and FlowSchema (upstream's metric series). */
export interface Counters { executing: number; waiting: number; executingSeats: number; waitingSeats: number }

export interface Queue {
  readonly index: number;
  waiting: Request[];
  /** Requests executing (their initial stage). */
  executing: number;
  /** Seats reserved by this queue's requests (until their final seats are released). */
  seatsInUse: number;
  nextDispatchR: number;
  /** QueueSum of the waiting requests: initial seats, max seats, work (seat-seconds). */
  waitingInitialSeats: number;
  waitingMaxSeats: number;
  waitingWork: number;
}

/** What a dump shows of a request (apf_controller_debug.go). */
export interface RequestInfo { flowSchema: string; distinguisher: string; arrivedAt: number; digest: { user: string; verb: string; path: string; namespace: string; name?: string; apiGroup: string; version?: string; resource: string } }

/** A request of this level: waiting in `queue`, or executing once `running`. */
export interface Request {
  queue: Queue | undefined;
  arrivalR: number;
  running: boolean;
  started: number;
  work: WorkEstimate;
  /** Seats counted while waiting / reserved once dispatched (max seats, after narrowing). */
  seats: number;
  /** Called when a waiting request is dispatched. */
  onDispatch?: () => void;
  readonly counters: Counters;
  readonly info: RequestInfo | undefined;
}

export type Refusal = 'queue-full' | 'concurrency-limit';

/** Seat-seconds of a request's work (totalWork). */
const workOf = (w: WorkEstimate): number => w.initialSeats * ESTIMATED_SERVICE_S + w.finalSeats * w.additionalLatencyMs / 1000;

export class QueueSet {
  queues: Queue[] = [];
  private config: QueuingConfig = { queues: -1, handSize: 0, queueLengthLimit: 0 };
  /** The level's current concurrency limit (currentCL). */
  limit = 0;
  seatsInUse = 0;
  /** Requests in their initial (executing) stage. */
  executing = 0;
  waiting = 0;
  seatsWaiting = 0;
  /** Totals for dump_priority_levels. */
  readonly totals = { dispatched: 0, rejected: 0, timedOut: 0, cancelled: 0 };
  private activeQueues = 0;
  private currentR = 0;
  private lastTime: number;
  private robin = -1;
  private enqueues = 0;
  readonly demand: Integrator;

  constructor(private readonly now: () => number, private readonly schedule: (fn: () => void, ms: number) => void = (fn, ms) => { setTimeout(fn, ms).unref(); }) {
    this.lastTime = now();
    this.demand = new Integrator(this.lastTime);
  }

  configure(config: QueuingConfig): void {
    this.config = config;
    while (this.queues.length < config.queues) this.queues.push({ index: this.queues.length, waiting: [], executing: 0, seatsInUse: 0, nextDispatchR: 0, waitingInitialSeats: 0, waitingMaxSeats: 0, waitingWork: 0 });
  }

  get exempt(): boolean { return this.config.queues < 0; }
  get queueCount(): number { return this.config.queues; }
  get handSize(): number { return this.config.handSize; }

  /** Starts a request of the flow whose hand is `hand`: executing (`running`), waiting (its onDispatch is called later), or refused. */
  start(hand: readonly number[], counters: Counters, work: WorkEstimate, info?: RequestInfo): Request | Refusal {
    const now = this.syncTime();
    const r: Request = { queue: undefined, arrivalR: this.currentR, running: false, started: now, work, seats: maxSeatsOf(work), counters, info };
    if (this.config.queues <= 0) {
      if (this.config.queues === 0 && !this.canAccommodate(r.seats)) {
        this.totals.rejected++;
        return 'concurrency-limit';
      }
      this.run(r, now);
      this.demand.set(this.seatsInUse + this.seatsWaiting, now);
      return r;
    }
    const queue = this.shortest(hand);
    if (this.seatsInUse >= this.limit && queue.waiting.length >= this.config.queueLengthLimit) {
      this.totals.rejected++;
      return 'queue-full';
    }
    if (queue.waiting.length === 0 && queue.executing === 0) {
      queue.nextDispatchR = this.currentR;
      // Active while anything waits, executes or holds final seats (maybeIdle).
      if (queue.seatsInUse === 0) this.activeQueues++;
    }
    r.queue = queue;
    queue.waiting.push(r);
    this.addWaiting(queue, r, 1);
    if (queue.nextDispatchR < queue.waiting[0]!.arrivalR) queue.nextDispatchR = queue.waiting[0]!.arrivalR;
    this.dispatchAll(now, queue);
    return r;
  }

  /** The request's initial stage is over: its queue's R corrected by its actual duration; its seats freed now or after its additional latency. */
  finish(r: Request): void {
    const now = this.syncTime();
    this.executing--;
    r.counters.executing--;
    const q = r.queue;
    if (q) {
      q.executing--;
      q.nextDispatchR -= r.work.initialSeats * (ESTIMATED_SERVICE_S - (now - r.started) / 1000);
      this.bound(q);
    }
    if (r.work.additionalLatencyMs > 0 && !this.exempt) {
      this.schedule(() => {
        const later = this.syncTime();
        this.release(r);
        this.dispatchAll(later);
      }, r.work.additionalLatencyMs);
    } else this.release(r);
    this.dispatchAll(now);
  }

  private release(r: Request): void {
    this.seatsInUse -= r.seats;
    r.counters.executingSeats -= r.seats;
    const q = r.queue;
    if (!q) return;
    q.seatsInUse -= r.seats;
    this.maybeIdle(q);
  }

  /** A waiting request gave up: timed out, or its client left. */
  cancel(r: Request, timedOut: boolean): void {
    const q = r.queue;
    if (!q || r.running) return;
    const i = q.waiting.indexOf(r);
    if (i < 0) return;
    const now = this.syncTime();
    q.waiting.splice(i, 1);
    this.addWaiting(q, r, -1);
    if (timedOut) this.totals.timedOut++;
    else this.totals.cancelled++;
    this.maybeIdle(q);
    this.demand.set(this.seatsInUse + this.seatsWaiting, now);
  }

  /**
   * dispatchAsMuchAsPossibleLocked (also after a limit change). `only`: the queue just enqueued to;
   * when its request is the only one waiting, the search over all queues is skipped.
   */
  dispatchAll(now = this.syncTime(), only?: Queue): void {
    while (this.waiting > 0 && this.seatsInUse < this.limit) {
      const q = this.waiting === 1 && only?.waiting.length ? only : this.nextQueue();
      const r = q.waiting[0]!;
      if (!this.canAccommodate(r.seats)) break;
      this.robin = q.index;
      q.waiting.shift();
      this.addWaiting(q, r, -1);
      // Final seats wider than the limit: narrowed, their latency stretched to keep the work.
      if (r.work.finalSeats > this.limit) {
        const finalSeats = Math.max(1, this.limit);
        r.work = { ...r.work, finalSeats, additionalLatencyMs: r.work.finalSeats * r.work.additionalLatencyMs / finalSeats };
        r.seats = maxSeatsOf(r.work);
      }
      q.nextDispatchR += workOf(r.work);
      this.bound(q);
      this.run(r, now);
      r.onDispatch?.();
    }
    this.demand.set(this.seatsInUse + this.seatsWaiting, now);
  }

  /** Idle: nothing waits and nothing executes (seats of final stages may still be held). */
  get idle(): boolean { return this.waiting === 0 && this.executing === 0; }

  /** Seat-seconds, as upstream's SeatSeconds.String(): `%d.%08dss`. */
  static seatSeconds(x: number): string {
    const scaled = Math.round(Math.max(0, x) * 1e8);
    return `${Math.floor(scaled / 1e8)}.${String(scaled % 1e8).padStart(8, '0')}ss`;
  }

  private addWaiting(q: Queue, r: Request, sign: 1 | -1): void {
    this.waiting += sign;
    this.seatsWaiting += sign * r.seats;
    r.counters.waiting += sign;
    r.counters.waitingSeats += sign * r.seats;
    q.waitingInitialSeats += sign * r.work.initialSeats;
    q.waitingMaxSeats += sign * r.seats;
    q.waitingWork += sign * workOf(r.work);
  }

  private run(r: Request, now: number): void {
    r.running = true;
    r.started = now;
    this.seatsInUse += r.seats;
    this.executing++;
    this.totals.dispatched++;
    r.counters.executing++;
    r.counters.executingSeats += r.seats;
    if (r.queue) {
      r.queue.executing++;
      r.queue.seatsInUse += r.seats;
    }
  }

  /** canAccommodateSeatsLocked: the seats fit, or they are more than the limit and nothing executes. */
  private canAccommodate(seats: number): boolean {
    if (this.config.queues < 0) return true;
    if (seats > this.limit) return this.executing === 0;
    return this.seatsInUse + seats <= this.limit;
  }

  /** shuffleShardLocked: the hand's queue with the fewest waiting initial seats, starting at a rotating offset. */
  private shortest(hand: readonly number[]): Queue {
    const offset = this.enqueues++ % hand.length;
    let best = this.queues[hand[offset]!]!;
    for (let i = 1; i < hand.length; i++) {
      const q = this.queues[hand[(offset + i) % hand.length]!]!;
      if (q.waitingInitialSeats < best.waitingInitialSeats) best = q;
    }
    return best;
  }

  /** findDispatchQueueToBoundLocked: the non-empty queue whose head would finish first in virtual time. */
  private nextQueue(): Queue {
    const n = this.queues.length;
    let best: Queue | undefined;
    let bestFinish = Infinity;
    for (let k = 1; k <= n; k++) {
      const q = this.queues[(this.robin + k) % n]!;
      const head = q.waiting[0];
      if (!head) continue;
      const finish = q.nextDispatchR + workOf(head.work);
      if (finish < bestFinish) {
        best = q;
        bestFinish = finish;
      }
    }
    return best!;
  }

  /** boundNextDispatchLocked: a queue never dispatches before its head arrived. */
  private bound(q: Queue): void {
    const head = q.waiting[0];
    if (head && q.nextDispatchR < head.arrivalR) q.nextDispatchR = head.arrivalR;
  }

  private maybeIdle(q: Queue): void {
    if (q.waiting.length === 0 && q.executing === 0 && q.seatsInUse === 0) this.activeQueues--;
  }

  /** syncTimeLocked: advances R by the time since the last event at the virtual time ratio. */
  private syncTime(): number {
    const now = this.now();
    const dt = (now - this.lastTime) / 1000;
    this.lastTime = now;
    if (this.activeQueues > 0 && dt > 0) this.currentR += dt * Math.min(this.seatsInUse + this.seatsWaiting, this.limit) / this.activeQueues;
    return now;
  }
}
