import { realClock, type Clock, type Timer } from '../../controller-runtime/clock/clock.js';
import { monotonicSeconds } from '../../controller-runtime/exposition.js';
import type { Logger } from '../../controller-runtime/log.js';
import { plegRelistDuration } from '../metrics/kubelet-metrics.js';
import type { Container, ContainerRuntime, PodSandbox } from '../runtime/types.js';
import { LABEL_MANAGED, LABEL_POD_UID } from '../runtime/labels.js';

/** What the relist compares for one pod: its sandboxes' and containers' ids and states. */
export function podSignature(sandboxes: Array<{ id: string; state: string }>, containers: Array<{ id: string; state: string }>): string {
  return [...sandboxes.map((s) => `s:${s.id}:${s.state}`), ...containers.map((c) => `c:${c.id}:${c.state}`)].sort().join(',');
}

/** After a runtime event, relist this soon: events come in bursts (a task's exit, then its delete). */
const EVENT_DELAY_MS = 100;
/**
 * And once more this long after that: containerd publishes a task's exit before its CRI plugin has
 * recorded it, so the first relist can still see the container running.
 */
const CONFIRM_MS = 1000;
/**
 * An exit the event stream announced (a task's exit names its container or sandbox) and a relist
 * still lists running is re-checked this long after, doubling up to CONFIRM_MS, until a relist shows
 * it: containerd's CRI plugin records an exit only after it deleted the task, which on a busy host
 * takes longer than the confirming relist waits (the kubelet's generic PLEG likewise reinspects a
 * pod at every relist until its status could be read).
 */
const RECHECK_MS = 200;
/** An announced exit no relist has shown by then is left to the safety net (and logged). */
const UNSEEN_EXIT_MAX_MS = 30_000;
/** A subscription still open this long after it was made counts as live. */
const STREAM_LIVE_MS = 2000;
/** An event stream that failed is resubscribed after this, doubling up to MAX_RESUBSCRIBE_MS. */
const RESUBSCRIBE_MS = 1000;
const MAX_RESUBSCRIBE_MS = 30_000;

/**
 * The pod lifecycle event generator (kubelet's PLEG): relists the runtime and reports which pods'
 * sandboxes or containers changed state since the last relist (a container exited, was OOM-killed, a
 * sandbox died), so their workers sync without waiting for a resync.
 * - Generic mode (kubelet's generic PLEG): a relist every `periodMs` (1 s by default).
 * - Evented mode, when the runtime has an event stream (kubelet's evented PLEG, which uses CRI's
 *   GetContainerEvents): a relist 100 ms and again 1 s after runtime events, more while an exit the
 *   stream announced is not listed yet, and every 10 x `periodMs` as a safety net, as the kubelet
 *   keeps a slow relist beside its events. An idle node then makes no runtime calls for seconds at a
 *   time. The stream failing falls back to the
 *   generic period until a resubscription succeeds.
 * A worker reports what it saw at the end of its sync (`observed`), so the changes it made itself
 * (the sandbox and containers it just started) do not come back as events and cost another sync.
 */
export class Pleg {
  private last = new Map<string, string>();
  private timer: Timer | undefined;
  private dueAt = Infinity;
  private stopped = false;
  private running: Promise<void> | undefined;
  /** A relist was asked for while one ran. */
  private again = false;
  private confirmPending = false;
  /** Containers and sandboxes whose exit the stream announced and no relist has shown: when announced. */
  private unseenExits = new Map<string, number>();
  private recheckMs = RECHECK_MS;
  private events: { stop(): void } | undefined;
  private evented = false;
  private resubscribeMs = RESUBSCRIBE_MS;
  private resubscribeTimer: Timer | undefined;

  constructor(
    private readonly runtime: ContainerRuntime,
    private readonly periodMs: number,
    /** Called with the uids that changed and every uid the runtime holds. */
    private readonly onRelist: (changed: string[], all: Set<string>) => void,
    private readonly log: Logger,
    /** Time for the relist period, the stream's liveness and resubscription; tests pass a FakeClock. */
    private readonly clock: Clock = realClock,
  ) {}

  start(): void {
    this.subscribe();
    this.schedule(0);
  }

  /** Whether runtime events drive relists now (false: polling every periodMs). */
  isEvented(): boolean {
    return this.evented;
  }

  /** The pod's signature as of the last relist or observation (undefined: nothing in the runtime). */
  signature(uid: string): string | undefined {
    return this.last.get(uid);
  }

  /** A worker read the pod's runtime state (podSignature of it) after its own changes. */
  observed(uid: string, signature: string): void {
    if (signature) this.last.set(uid, signature);
    else this.last.delete(uid);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    this.resubscribeTimer?.cancel();
    this.events?.stop();
    this.events = undefined;
    while (this.running) await this.running;
  }

  private subscribe(): void {
    if (this.stopped || !this.runtime.watchChanges) return;
    let ended = false;
    const live = () => {
      if (ended || this.evented) return;
      this.evented = true;
      this.resubscribeMs = RESUBSCRIBE_MS;
      this.log.info({}, 'runtime event stream open; relisting on events');
    };
    // A stream says nothing until its first event, while one the runtime cannot serve fails at once:
    // one still open after a moment is taken as live.
    const liveTimer = this.clock.setTimer(live, STREAM_LIVE_MS);
    this.events = this.runtime.watchChanges({
      change: (exited) => {
        if (ended) return;
        live();
        if (exited && !this.unseenExits.has(exited)) {
          this.unseenExits.set(exited, this.clock.now());
          this.recheckMs = RECHECK_MS;
        }
        this.confirmPending = true;
        this.schedule(EVENT_DELAY_MS);
      },
      ended: (err) => {
        if (ended) return;
        ended = true;
        liveTimer.cancel();
        this.events = undefined;
        if (this.stopped) return;
        if (this.evented) this.log.warn({ err: String(err) }, 'runtime event stream ended; relisting every period until it is back');
        else this.log.debug({ err: String(err) }, 'no runtime event stream; relisting every period');
        this.evented = false;
        this.schedule(this.periodMs);
        this.resubscribeTimer = this.clock.setTimer(() => this.subscribe(), this.resubscribeMs);
        this.resubscribeMs = Math.min(MAX_RESUBSCRIBE_MS, this.resubscribeMs * 2);
      },
    });
    const stop = this.events.stop;
    this.events = {
      stop: () => {
        ended = true;
        liveTimer.cancel();
        stop();
      },
    };
    // An event sent while the subscription was being set up is lost: the next relist is confirmed.
    this.confirmPending = true;
  }

  /** Relist within `ms` (an earlier due time wins). */
  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    const due = this.clock.now() + ms;
    if (this.timer && this.dueAt <= due) return;
    this.timer?.cancel();
    this.dueAt = due;
    this.timer = this.clock.setTimer(() => this.run(), ms);
  }

  private run(): void {
    this.timer = undefined;
    this.dueAt = Infinity;
    this.again = false;
    const confirm = this.confirmPending;
    this.confirmPending = false;
    const start = monotonicSeconds();
    this.running = this.relist().then(() => plegRelistDuration.observe(undefined, monotonicSeconds() - start))
      .catch((err) => this.log.warn({ err: String(err) }, 'relist failed'))
      .finally(() => {
        this.running = undefined;
        const period = this.evented ? this.periodMs * 10 : this.periodMs;
        if (this.again) this.schedule(EVENT_DELAY_MS);
        else if (this.unseenExits.size) {
          this.schedule(Math.min(this.recheckMs, period));
          this.recheckMs = Math.min(this.recheckMs * 2, CONFIRM_MS);
        } else this.schedule(confirm ? Math.min(CONFIRM_MS, period) : period);
      });
  }

  /** One relist; returns the changed uids (also given to the callback). */
  async relist(): Promise<string[]> {
    const selector = { labelSelector: { [LABEL_MANAGED]: 'true' } };
    const [sandboxes, containers] = await Promise.all([this.runtime.listPodSandboxes(selector), this.runtime.listContainers(selector)]);
    const byPod = new Map<string, { sandboxes: PodSandbox[]; containers: Container[] }>();
    const of = (uid: string) => {
      let e = byPod.get(uid);
      if (!e) byPod.set(uid, (e = { sandboxes: [], containers: [] }));
      return e;
    };
    for (const s of sandboxes) if (s.labels[LABEL_POD_UID]) of(s.labels[LABEL_POD_UID]).sandboxes.push(s);
    for (const c of containers) if (c.labels[LABEL_POD_UID]) of(c.labels[LABEL_POD_UID]).containers.push(c);
    this.settleExits(sandboxes, containers);
    const now = new Map([...byPod].map(([uid, e]) => [uid, podSignature(e.sandboxes, e.containers)]));
    const changed: string[] = [];
    for (const [uid, s] of now) if (this.last.get(uid) !== s) changed.push(uid);
    for (const uid of this.last.keys()) if (!now.has(uid)) changed.push(uid);
    this.last = now;
    this.onRelist(changed, new Set(now.keys()));
    return changed;
  }

  /**
   * Forgets the announced exits this relist shows: the container or sandbox is no longer listed live
   * (or not listed at all: removed, or not the agent's). One still listed running (or created, its
   * start not recorded either) is the runtime lagging behind its own event.
   */
  private settleExits(sandboxes: PodSandbox[], containers: Container[]): void {
    if (!this.unseenExits.size) return;
    const live = new Set([
      ...sandboxes.filter((x) => x.state === 'SANDBOX_READY'),
      ...containers.filter((x) => x.state === 'CONTAINER_RUNNING' || x.state === 'CONTAINER_CREATED'),
    ].map((x) => x.id));
    const now = this.clock.now();
    for (const [id, at] of this.unseenExits) {
      if (!live.has(id)) this.unseenExits.delete(id);
      else if (now - at >= UNSEEN_EXIT_MAX_MS) {
        this.unseenExits.delete(id);
        this.log.warn({ id, ms: now - at }, 'the runtime announced an exit its list still does not show; left to the periodic relist');
      }
    }
    if (!this.unseenExits.size) this.recheckMs = RECHECK_MS;
  }
}
