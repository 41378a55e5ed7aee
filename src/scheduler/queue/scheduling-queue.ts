/**
 * The scheduling queue (upstream PriorityQueue), three parts:
 * - activeQ: pods ready to be tried, highest spec.priority first, then first come first served;
 * - backoffQ: pods that failed recently, each waiting out its backoff (1 s doubling per attempt up to
 *   10 s) before going back to activeQ;
 * - unschedulable pods: pods no node fitted. A cluster event that could help one of the plugins that
 *   rejected it moves it back (through backoffQ if its backoff is not over); so does staying longer
 *   than 5 minutes (upstream DefaultPodMaxInUnschedulablePodsDuration).
 * A pod rejected in a cycle during which a relevant event arrived goes to backoffQ instead of
 * unschedulable, so the event is not lost (upstream moveRequestCycle).
 */
import type { Clock, Timer } from '../../controller-runtime/clock/clock.js';
import { realClock } from '../../controller-runtime/clock/clock.js';
import type { PodInfo } from '../framework/pod-info.js';
import { Code, type Status } from '../framework/status.js';
import { DEFAULT_PLUGIN_EVENTS, type ClusterEvent } from './cluster-events.js';
import { KeyedHeap } from './heap.js';
import { UnschedulablePods } from './unschedulable-pods.js';

export const DEFAULT_INITIAL_BACKOFF_MS = 1_000;
export const DEFAULT_MAX_BACKOFF_MS = 10_000;
export const DEFAULT_MAX_UNSCHEDULABLE_MS = 5 * 60_000;
/** How often backoffQ and the unschedulable pods are swept (upstream: 1 s and 30 s). */
const BACKOFF_FLUSH_MS = 1_000;
const UNSCHEDULABLE_FLUSH_MS = 30_000;

export interface QueuedPodInfo {
  podInfo: PodInfo;
  /** When the pod last entered the queue (FIFO order among equal priorities). */
  timestamp: number;
  /** Scheduling attempts so far (incremented on pop). */
  attempts: number;
  initialAttemptTimestamp?: number;
  /** Plugins that rejected the pod in its last attempt. */
  unschedulablePlugins: Set<string>;
  /** When the pod was last put back after a failed attempt. */
  lastFailure: number;
}

export interface QueueOptions {
  clock?: Clock;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  maxUnschedulableMs?: number;
  pluginEvents?: Readonly<Record<string, readonly ClusterEvent[]>>;
}

const priorityOf = (q: QueuedPodInfo) => q.podInfo.pod.spec.priority ?? 0;

export class SchedulingQueue {
  private readonly clock: Clock;
  private readonly initialBackoff: number;
  private readonly maxBackoff: number;
  private readonly maxUnschedulable: number;
  private readonly active = new KeyedHeap<QueuedPodInfo>((q) => q.podInfo.key,
    (a, b) => priorityOf(a) > priorityOf(b) || (priorityOf(a) === priorityOf(b) && a.timestamp < b.timestamp));
  private readonly backoff = new KeyedHeap<QueuedPodInfo>((q) => q.podInfo.key, (a, b) => this.backoffExpiry(a) < this.backoffExpiry(b));
  private readonly unschedulable: UnschedulablePods<QueuedPodInfo>;
  /** Popped and not yet done: updates are kept for when the pod comes back. */
  private readonly inFlight = new Map<string, { latest: PodInfo; deleted: boolean }>();
  private waiters: Array<(q: QueuedPodInfo | undefined) => void> = [];
  private cycle = 0;
  private moveRequestCycle = -1;
  private timers: Timer[] = [];
  private closed = false;

  constructor(opts: QueueOptions = {}) {
    this.clock = opts.clock ?? realClock;
    this.initialBackoff = opts.initialBackoffMs ?? DEFAULT_INITIAL_BACKOFF_MS;
    this.maxBackoff = opts.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS;
    this.maxUnschedulable = opts.maxUnschedulableMs ?? DEFAULT_MAX_UNSCHEDULABLE_MS;
    this.unschedulable = new UnschedulablePods(opts.pluginEvents ?? DEFAULT_PLUGIN_EVENTS);
  }

  /** Starts the periodic sweeps of backoffQ and the unschedulable pods. */
  run(): void {
    const every = (ms: number, fn: () => void) => {
      const tick = () => {
        if (this.closed) return;
        fn();
        this.timers.push(this.clock.setTimer(tick, ms));
      };
      this.timers.push(this.clock.setTimer(tick, ms));
    };
    every(BACKOFF_FLUSH_MS, () => this.flushBackoffCompleted());
    every(UNSCHEDULABLE_FLUSH_MS, () => this.flushUnschedulableLeftover());
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) t.cancel();
    this.timers = [];
    for (const w of this.waiters) w(undefined);
    this.waiters = [];
  }

  /** The number of scheduling attempts started so far. */
  get schedulingCycle(): number {
    return this.cycle;
  }

  get lengths(): { active: number; backoff: number; unschedulable: number; inFlight: number } {
    return { active: this.active.size, backoff: this.backoff.size, unschedulable: this.unschedulable.size, inFlight: this.inFlight.size };
  }

  /** A new pending pod (or one seen again after a relist): straight to activeQ. */
  add(podInfo: PodInfo): void {
    const key = podInfo.key;
    if (this.inFlight.has(key)) {
      this.inFlight.get(key)!.latest = podInfo;
      return;
    }
    const existing = this.active.get(key) ?? this.backoff.get(key) ?? this.unschedulable.get(key);
    this.backoff.delete(key);
    this.unschedulable.delete(key);
    this.pushActive(existing ? { ...existing, podInfo } : this.newQueued(podInfo));
  }

  /**
   * A pending pod changed. In activeQ/backoffQ it is updated in place; an unschedulable pod is given
   * another try (upstream moves it when its spec or labels changed; any update here).
   */
  update(podInfo: PodInfo): void {
    const key = podInfo.key;
    const flight = this.inFlight.get(key);
    if (flight) {
      flight.latest = podInfo;
      return;
    }
    const a = this.active.get(key);
    if (a) return this.active.push({ ...a, podInfo });
    const b = this.backoff.get(key);
    if (b) return this.backoff.push({ ...b, podInfo });
    const u = this.unschedulable.get(key);
    if (u) {
      this.unschedulable.delete(key);
      return this.requeue({ ...u, podInfo });
    }
    this.pushActive(this.newQueued(podInfo));
  }

  /** The pod is gone (deleted, or bound by someone else). */
  delete(key: string): void {
    const flight = this.inFlight.get(key);
    if (flight) flight.deleted = true;
    this.active.delete(key);
    this.backoff.delete(key);
    this.unschedulable.delete(key);
  }

  /** The next pod to schedule, or undefined when activeQ is empty. Starts a scheduling cycle. */
  pop(): QueuedPodInfo | undefined {
    const q = this.active.pop();
    if (!q) return undefined;
    this.cycle++;
    q.attempts++;
    q.initialAttemptTimestamp ??= this.clock.now();
    this.inFlight.set(q.podInfo.key, { latest: q.podInfo, deleted: false });
    return q;
  }

  /** Waits for a pod; resolves undefined when the queue is closed. */
  popWait(): Promise<QueuedPodInfo | undefined> {
    const q = this.pop();
    if (q || this.closed) return Promise.resolve(q);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** The popped pod was scheduled (assumed) or dropped: it leaves the queue for good. */
  done(key: string): void {
    this.inFlight.delete(key);
  }

  /**
   * A popped pod could not be scheduled in the cycle `podCycle` with `status`. Rejections go to the
   * unschedulable pods (or backoffQ if a relevant event came during the cycle); errors to backoffQ.
   * Dropped if the pod was deleted meanwhile; the latest version of the pod is kept.
   */
  requeueFailed(q: QueuedPodInfo, status: Status, unschedulablePlugins: Iterable<string>, podCycle: number): void {
    const key = q.podInfo.key;
    const flight = this.inFlight.get(key);
    this.inFlight.delete(key);
    if (flight?.deleted) return;
    const now = this.clock.now();
    const next: QueuedPodInfo = { ...q, podInfo: flight?.latest ?? q.podInfo, timestamp: now, lastFailure: now, unschedulablePlugins: new Set(unschedulablePlugins) };
    if (status.code === Code.Error || this.moveRequestCycle >= podCycle) {
      this.backoff.push(next);
      return;
    }
    this.unschedulable.set(key, next);
  }

  /** Moves unschedulable pods that `event` could help to backoffQ or activeQ. */
  onClusterEvent(event: ClusterEvent): void {
    for (const q of this.unschedulable.takeFor(event)) this.requeue(q);
    this.moveRequestCycle = this.cycle;
  }

  /** Moves pods whose backoff is over to activeQ. */
  flushBackoffCompleted(): void {
    const now = this.clock.now();
    for (let q = this.backoff.peek(); q && this.backoffExpiry(q) <= now; q = this.backoff.peek()) {
      this.backoff.pop();
      this.pushActive(q);
    }
  }

  /** Gives pods unschedulable for longer than the maximum stay another try. */
  flushUnschedulableLeftover(): void {
    const now = this.clock.now();
    for (const q of this.unschedulable.takeWhere((u) => now - u.lastFailure >= this.maxUnschedulable)) this.requeue(q);
  }

  /** When the pod's backoff ends: last failure + 1 s * 2^(attempts-1), at most 10 s. */
  backoffExpiry(q: QueuedPodInfo): number {
    let d = this.initialBackoff;
    for (let i = 1; i < q.attempts && d < this.maxBackoff; i++) d *= 2;
    return q.lastFailure + Math.min(d, this.maxBackoff);
  }

  private requeue(q: QueuedPodInfo): void {
    if (this.backoffExpiry(q) > this.clock.now()) this.backoff.push(q);
    else this.pushActive(q);
  }

  private newQueued(podInfo: PodInfo): QueuedPodInfo {
    return { podInfo, timestamp: this.clock.now(), attempts: 0, unschedulablePlugins: new Set(), lastFailure: 0 };
  }

  private pushActive(q: QueuedPodInfo): void {
    this.active.push(q);
    // Waiters exist only while activeQ is empty, so the pod just added goes to the first of them.
    const waiter = this.waiters.shift();
    if (waiter) waiter(this.pop());
  }
}
