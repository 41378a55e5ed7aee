/**
 * Leader election on a coordination.k8s.io/v1 Lease, as client-go's leaderelection package does.
 * Every write carries the lease's resourceVersion, so of two candidates racing for an expired lease
 * exactly one update succeeds (the other gets 409 and stays a follower). A lease counts as expired
 * when its record has not changed for leaseDuration by *our* clock (we time when we observed the
 * change rather than trusting the holder's renewTime, so clock skew cannot cause two leaders).
 *
 * The leader renews every retryPeriod; if it cannot renew for renewDeadline (< leaseDuration) it
 * steps down before anyone else may take over. On stop it releases the lease (empty holder) so a
 * successor need not wait for expiry.
 */
import type { KubeObject } from '../api/meta.js';
import type { KubeClient } from '../client/kube-client.js';
import { isAlreadyExists, isConflict, isNotFound } from '../client/errors.js';
import { realClock, sleep, type Clock } from './clock/clock.js';
import { defaultLogger, type Logger } from './log.js';
import { utcISOString } from './utc-time.js';

export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

export interface Lease extends KubeObject {
  spec?: LeaseSpec;
}

export interface LeaderElectionOptions {
  namespace: string;
  name: string;
  /** Unique per candidate (e.g. hostname + random suffix). */
  identity: string;
  /** How long a lease holds without renewal. Default 15 s (client-go's default). */
  leaseDurationMs?: number;
  /** The leader gives up if it could not renew for this long. Default 10 s. */
  renewDeadlineMs?: number;
  /** Between attempts to acquire or renew. Default 2 s. */
  retryPeriodMs?: number;
  /**
   * Release the lease on stop so a successor takes over at once. Default true (client-go's
   * ReleaseOnCancel is opt-in; ours is opt-out because every Bosun component stops its work first).
   */
  releaseOnStop?: boolean;
  onStartedLeading?: () => void | Promise<void>;
  onStoppedLeading?: () => void | Promise<void>;
  /** Called when the observed holder changes (including to ourselves). */
  onNewLeader?: (identity: string) => void;
  clock?: Clock;
  logger?: Logger;
}

/** Kubernetes MicroTime: RFC 3339 with microseconds. */
export function microTime(ms: number): string {
  return utcISOString(ms).replace(/Z$/, '000Z');
}

export class LeaderElector {
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;
  private leading = false;
  private observedRecord = '';
  private observedAt = 0;
  private observedHolder = '';
  private lastLease: Lease | undefined;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly leaseMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryMs: number;

  constructor(private readonly client: KubeClient, private readonly opts: LeaderElectionOptions) {
    this.clock = opts.clock ?? realClock;
    this.log = (opts.logger ?? defaultLogger()).child({ component: 'leader-election', lease: `${opts.namespace}/${opts.name}`, identity: opts.identity });
    this.leaseMs = opts.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = opts.renewDeadlineMs ?? 10_000;
    this.retryMs = opts.retryPeriodMs ?? 2_000;
    if (this.renewDeadlineMs >= this.leaseMs) throw new Error('renewDeadline must be shorter than leaseDuration');
  }

  isLeader(): boolean {
    return this.leading;
  }

  /** The holder we last observed ('' if none). */
  get leader(): string {
    return this.observedHolder;
  }

  /**
   * Start campaigning (idempotent): acquire, then lead while renewing. Leadership is won at most
   * once per elector, as in client-go: after losing it the process should exit (or make a new elector),
   * because work started as leader cannot be assumed to have stopped cleanly.
   */
  start(): void {
    this.running ??= this.run();
  }

  /** Stop campaigning; a leader releases the lease and gets onStoppedLeading. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    // Follower: try until we hold the lease.
    while (!signal.aborted && !(await this.tryAcquireOrRenew())) await sleep(this.clock, this.retryMs * (1 + Math.random() * 0.2), signal);
    if (signal.aborted) return;
    this.leading = true;
    this.log.info({}, 'became leader');
    await this.safely(this.opts.onStartedLeading);
    // Leader: renew until a renewal deadline passes without success, someone else holds it, or we stop.
    let lastRenew = this.clock.now();
    while (!signal.aborted) {
      await sleep(this.clock, this.retryMs, signal);
      if (signal.aborted) break;
      if (await this.tryAcquireOrRenew()) lastRenew = this.clock.now();
      else if (this.clock.now() - lastRenew >= this.renewDeadlineMs || (this.observedHolder && this.observedHolder !== this.opts.identity)) break;
    }
    if (signal.aborted && this.opts.releaseOnStop !== false) await this.release();
    this.leading = false;
    this.log.info({}, 'stopped leading');
    await this.safely(this.opts.onStoppedLeading);
  }

  /** One attempt; true when we hold the lease afterwards. */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const leases = this.client.leases<Lease>(this.opts.namespace);
    const now = this.clock.now();
    const mine: LeaseSpec = {
      holderIdentity: this.opts.identity,
      leaseDurationSeconds: Math.ceil(this.leaseMs / 1000),
      acquireTime: microTime(now),
      renewTime: microTime(now),
      leaseTransitions: 0,
    };
    let lease: Lease;
    try {
      lease = await leases.get(this.opts.name);
    } catch (err) {
      if (!isNotFound(err)) return this.failed(err);
      try {
        this.lastLease = await leases.create({
          apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
          metadata: { name: this.opts.name, namespace: this.opts.namespace }, spec: mine,
        });
        this.observe(this.lastLease);
        return true;
      } catch (e) {
        return isAlreadyExists(e) ? false : this.failed(e);
      }
    }
    this.observe(lease);
    const spec = lease.spec ?? {};
    const holder = spec.holderIdentity ?? '';
    const iHold = holder === this.opts.identity;
    const durationMs = (spec.leaseDurationSeconds ?? 0) * 1000;
    if (holder && !iHold && this.observedAt + durationMs > now) return false;
    const next: LeaseSpec = iHold
      ? { ...mine, acquireTime: spec.acquireTime ?? mine.acquireTime, leaseTransitions: spec.leaseTransitions ?? 0 }
      : { ...mine, leaseTransitions: (spec.leaseTransitions ?? 0) + (holder ? 1 : 0) };
    try {
      // The update carries lease.metadata.resourceVersion: a concurrent writer makes it fail with 409.
      this.lastLease = await leases.update({ ...lease, spec: next });
      this.observe(this.lastLease);
      return true;
    } catch (e) {
      return isConflict(e) ? false : this.failed(e);
    }
  }

  /** Give the lease up so a successor need not wait for it to expire (client-go ReleaseOnCancel). */
  private async release(): Promise<void> {
    const lease = this.lastLease;
    if (!lease || lease.spec?.holderIdentity !== this.opts.identity) return;
    try {
      const now = microTime(this.clock.now());
      await this.client.leases<Lease>(this.opts.namespace).update({
        ...lease,
        spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: now, acquireTime: now },
      });
    } catch (err) {
      this.log.warn({ err: String(err) }, 'failed to release lease');
    }
  }

  private observe(lease: Lease): void {
    const s = lease.spec ?? {};
    const record = JSON.stringify([s.holderIdentity, s.renewTime, s.acquireTime, s.leaseTransitions]);
    if (record !== this.observedRecord) {
      this.observedRecord = record;
      this.observedAt = this.clock.now();
    }
    const holder = s.holderIdentity ?? '';
    if (holder !== this.observedHolder) {
      this.observedHolder = holder;
      if (holder) this.opts.onNewLeader?.(holder);
    }
  }

  private failed(err: unknown): false {
    this.log.warn({ err: String(err) }, 'lease request failed');
    return false;
  }

  private async safely(fn?: () => void | Promise<void>): Promise<void> {
    try {
      await fn?.();
    } catch (err) {
      this.log.error({ err: String(err) }, 'leader election callback threw');
    }
  }
}
