/**
 * Keeps this node's host-gw routes in line with the Nodes the API server knows: watches Nodes,
 * recomputes `desiredRoutes` on every change (coalesced) and every `resyncMs` (someone may have
 * flushed the table), and applies them. Routes stay while the API server is unreachable: the last
 * applied set keeps serving pod traffic. `stop()` removes the routes unless told to keep them
 * (an agent restart that wants no gap).
 */
import type { Node } from '../../api/kinds/index.js';
import type { KubeClient } from '../../client/kube-client.js';
import { resources } from '../../client/resource-ref.js';
import { SharedInformerFactory } from '../../controller-runtime/informer/index.js';
import { defaultLogger, type Logger } from '../../controller-runtime/log.js';
import { planRoutes, type Route } from './desired-routes.js';
import { hostIp, RouteApplier, type IpRunner } from './route-applier.js';

export interface RouteControllerOptions {
  client: KubeClient;
  nodeName: string;
  /** How `ip` is run (default: on the host). */
  ip?: IpRunner;
  /** Only pod CIDRs inside this block are routed (desired-routes.ts); undefined: any block. */
  clusterCidr?: string;
  /** Full re-apply period, default 30 s. */
  resyncMs?: number;
  logger?: Logger;
}

export class RouteController {
  private readonly applier: RouteApplier;
  private readonly factory: SharedInformerFactory;
  private readonly log: Logger;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  /** The routes applied last (for tests and status). */
  current: Route[] = [];
  /** Refused claims logged last, so each is logged once while it stands. */
  private refusedLogged = new Set<string>();

  constructor(private readonly o: RouteControllerOptions) {
    this.applier = new RouteApplier(o.ip ?? hostIp);
    this.log = (o.logger ?? defaultLogger()).child({ component: 'routes', node: o.nodeName });
    this.factory = new SharedInformerFactory(o.client, { logger: this.log });
  }

  async start(): Promise<void> {
    const nodes = this.factory.informerFor<Node>(resources.nodes);
    const kick = () => this.kick();
    nodes.addEventHandler({ onAdd: kick, onUpdate: kick, onDelete: kick });
    this.factory.start();
    await this.factory.waitForCacheSync();
    await this.syncNow();
    const tick = () => {
      if (this.stopped) return;
      this.kick();
      this.timer = setTimeout(tick, this.o.resyncMs ?? 30_000);
    };
    this.timer = setTimeout(tick, this.o.resyncMs ?? 30_000);
  }

  /** Schedules a sync; syncs never overlap, and a kick during one runs another after it. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.run().finally(() => {
      this.running = undefined;
      if (this.again && !this.stopped) {
        this.again = false;
        this.kick();
      }
    });
  }

  /** Syncs now and waits for it (and for any sync in flight). */
  async syncNow(): Promise<void> {
    await this.running;
    await this.run();
  }

  private async run(): Promise<void> {
    if (!this.factory.informerFor<Node>(resources.nodes).hasSynced()) return;
    const plan = planRoutes(this.factory.informerFor<Node>(resources.nodes).indexer.list(), this.o.nodeName, {
      clusterCidr: this.o.clusterCidr, held: new Map(this.current.map((r) => [r.cidr, r.node])),
    });
    const want = plan.routes;
    const refused = new Set<string>();
    for (const r of plan.refused) {
      const key = `${r.node} ${r.cidr} ${r.reason}`;
      refused.add(key);
      if (!this.refusedLogged.has(key)) this.log.warn({ to: r.node, cidr: r.cidr, reason: r.reason }, 'pod CIDR claim not routed');
    }
    this.refusedLogged = refused;
    try {
      const r = await this.applier.sync(want);
      this.current = want.filter((w) => !r.failed.some((f) => f.route.cidr === w.cidr));
      for (const a of r.added) this.log.info({ cidr: a.cidr, via: a.via, to: a.node }, 'pod network route added');
      for (const d of r.removed) this.log.info({ cidr: d.cidr }, 'pod network route removed');
      for (const f of r.failed) this.log.warn({ cidr: f.route.cidr, via: f.route.via, err: f.error }, 'pod network route refused (is the node on this L2 network?)');
    } catch (err) {
      this.log.warn({ err: String(err) }, 'route sync failed');
    }
  }

  async stop(o: { keepRoutes?: boolean } = {}): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.factory.stop();
    await this.running;
    if (!o.keepRoutes) await this.applier.removeAll().catch((err) => this.log.warn({ err: String(err) }, 'removing routes failed'));
  }
}
