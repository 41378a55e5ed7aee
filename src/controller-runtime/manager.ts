/**
 * The manager owns what a component's controllers share (the client, the informer factory, the
 * event recorders) and their lifecycle: start informers, wait for their caches, then (once leading,
 * when leader election is on) start the controllers and other runnables. `stop()` undoes all of it
 * in reverse, leaving no timers, watches or sockets behind.
 */
import { setMaxListeners } from 'node:events';
import { KubeClient, type ClientOptions } from '../client/kube-client.js';
import { ControllerBuilder, type BuilderHost } from './builder.js';
import { realClock, type Clock } from './clock/clock.js';
import { Controller, type ControllerOptions } from './controller.js';
import { EventRecorder, type EventRecorderOptions } from './events/recorder.js';
import { SharedInformerFactory } from './informer/informer-factory.js';
import type { InformerOptions } from './informer/shared-informer.js';
import { LeaderElector, type LeaderElectionOptions } from './leader-election.js';
import { defaultLogger, type Logger } from './log.js';

/** Anything the manager starts after caches sync (and, by default, only while leading). */
export interface Runnable {
  start(signal: AbortSignal): void | Promise<void>;
  stop?(): void | Promise<void>;
  /** Run on every replica regardless of leadership (e.g. a webhook server). Default false. */
  runWithoutLeadership?: boolean;
}

export interface ManagerOptions {
  client?: KubeClient;
  /** Used when `client` is not given. */
  kubeconfig?: string;
  clientOptions?: ClientOptions;
  /** Enables leader election: controllers run only on the leader. */
  leaderElection?: Omit<LeaderElectionOptions, 'onStartedLeading' | 'onStoppedLeading' | 'clock' | 'logger'>;
  informerDefaults?: InformerOptions;
  controllerDefaults?: ControllerOptions;
  /**
   * Called when leadership is lost while the manager runs (not on stop). Controllers are already
   * stopped; the component should exit, as controller-runtime's managers do. Default: log an error.
   */
  onLeadershipLost?: () => void;
  clock?: Clock;
  logger?: Logger;
}

export class Manager implements BuilderHost {
  readonly client: KubeClient;
  readonly informers: SharedInformerFactory;
  readonly controllerDefaults: ControllerOptions;
  readonly controllers: Controller[] = [];
  readonly elector: LeaderElector | undefined;
  private readonly runnables: Runnable[] = [];
  private readonly recorders: EventRecorder[] = [];
  private readonly ownsClient: boolean;
  private readonly abort = new AbortController();
  private readonly log: Logger;
  private readonly clock: Clock;
  private leaderRunning = false;
  private synced = false;

  constructor(opts: ManagerOptions = {}) {
    if (!opts.client && !opts.kubeconfig) throw new Error('Manager needs a client or a kubeconfig path');
    this.client = opts.client ?? KubeClient.fromKubeconfig(opts.kubeconfig!, opts.clientOptions);
    this.ownsClient = !opts.client;
    // Every informer's waitForCacheSync listens on this signal; a dozen informers is normal.
    setMaxListeners(0, this.abort.signal);
    this.clock = opts.clock ?? realClock;
    this.log = opts.logger ?? defaultLogger();
    this.informers = new SharedInformerFactory(this.client, { clock: this.clock, logger: this.log, ...opts.informerDefaults });
    this.controllerDefaults = { clock: this.clock, logger: this.log, ...opts.controllerDefaults };
    if (opts.leaderElection) {
      this.elector = new LeaderElector(this.client, {
        ...opts.leaderElection,
        clock: this.clock,
        logger: this.log,
        onStartedLeading: () => this.startLeaderWork(),
        onStoppedLeading: async () => {
          await this.stopLeaderWork();
          if (this.abort.signal.aborted) return;
          if (opts.onLeadershipLost) opts.onLeadershipLost();
          else this.log.error({}, 'leadership lost; controllers stopped');
        },
      });
    }
  }

  /** Declare a controller; it is adopted by this manager when `.complete()` is called. */
  controller(name: string): ControllerBuilder {
    return new ControllerBuilder(this, name);
  }

  addController(c: Controller): void {
    this.controllers.push(c);
    if (this.leaderRunning) c.start();
  }

  add(r: Runnable): void {
    this.runnables.push(r);
  }

  /** An event recorder for `component`, flushed when the manager stops. */
  eventRecorder(component: string, opts: Omit<EventRecorderOptions, 'component'> = {}): EventRecorder {
    const r = new EventRecorder(this.client, { clock: this.clock, logger: this.log, ...opts, component });
    this.recorders.push(r);
    return r;
  }

  isLeader(): boolean {
    return this.elector ? this.elector.isLeader() : true;
  }

  /**
   * Start informers, wait for their caches, then run controllers (at once, or when elected).
   * Resolves once caches synced (not when leadership is won). Rejects if stopped before syncing.
   */
  async start(): Promise<void> {
    this.informers.start();
    if (!(await this.informers.waitForCacheSync(this.abort.signal))) throw new Error('manager stopped before caches synced');
    this.synced = true;
    for (const r of this.runnables) if (r.runWithoutLeadership) await r.start(this.abort.signal);
    if (this.elector) this.elector.start();
    else await this.startLeaderWork();
  }

  /** Stop everything: controllers and runnables, leadership (releasing the lease), informers, client. */
  async stop(): Promise<void> {
    this.abort.abort();
    if (this.elector) await this.elector.stop();
    await this.stopLeaderWork();
    for (const r of this.runnables) if (r.runWithoutLeadership) await r.stop?.();
    await Promise.all(this.recorders.map((r) => r.close()));
    await this.informers.stop();
    if (this.ownsClient) this.client.close();
  }

  private async startLeaderWork(): Promise<void> {
    if (this.leaderRunning || !this.synced || this.abort.signal.aborted) return;
    this.leaderRunning = true;
    this.log.info({}, 'starting controllers');
    for (const c of this.controllers) c.start();
    for (const r of this.runnables) if (!r.runWithoutLeadership) await r.start(this.abort.signal);
  }

  private async stopLeaderWork(): Promise<void> {
    if (!this.leaderRunning) return;
    this.leaderRunning = false;
    await Promise.all(this.controllers.map((c) => c.stop()));
    for (const r of this.runnables) if (!r.runWithoutLeadership) await r.stop?.();
  }
}
