/**
 * The garbage collector's monitors of custom resources (upstream GraphBuilder.syncMonitors, run by
 * GarbageCollector.Sync each resync period): every discovery round starts a monitor (an informer
 * feeding the graph) for each custom resource served, stops the monitor of one no longer served (its
 * CRD deleted, or its version removed) and replaces one served with other details (version, kind or
 * scope: a CRD recreated differently). Before, a monitor lived for the process's life: a removed
 * resource's informer relisted a 404 with back-off for ever, and a recreated one kept its old version
 * and never saw the new objects.
 *
 * Each monitor has an informer of its own (SharedInformerFactory.unshared): stopping a shared one
 * would stop it for the other controllers using it.
 */
import type { KubeObject } from '../../api/meta.js';
import { discoverCustomResourcesPartially } from '../../client/discovery.js';
import type { KubeClient } from '../../client/kube-client.js';
import type { ResourceRef } from '../../client/resource-ref.js';
import type { SharedInformerFactory } from '../../controller-runtime/informer/informer-factory.js';
import type { EventHandler, SharedInformer } from '../../controller-runtime/informer/shared-informer.js';

const VERBS = ['list', 'watch', 'delete'] as const;

/** A resource's identity across versions: a plural names one resource in its group. */
export const resourceKey = (ref: ResourceRef): string => `${ref.group}/${ref.resource}`;
const detailsOf = (r: ResourceRef): string => `${r.group}/${r.version}/${r.resource}/${r.kind}/${r.namespaced}`;

export interface MonitorHooks {
  /** The graph's event handler for objects of `ref`. */
  handlerFor(ref: ResourceRef): EventHandler<KubeObject>;
  /** `ref`'s monitor stopped while the collector runs: no more events will come for its objects. */
  stopped(ref: ResourceRef): void;
}

export class CustomResourceMonitors {
  private readonly monitors = new Map<string, { ref: ResourceRef; informer: SharedInformer }>();
  /** The custom resources served at the last round, to tell when they change. */
  private served = '';
  private closed = false;
  private round: Promise<void> = Promise.resolve();

  /** `fixed`: resourceKeys the collector watches anyway (never started nor stopped here). */
  constructor(
    private readonly client: KubeClient,
    private readonly informers: SharedInformerFactory,
    private readonly fixed: ReadonlySet<string>,
    private readonly hooks: MonitorHooks,
  ) {}

  /** The resources monitored now (their informers running). */
  resources(): ResourceRef[] {
    return [...this.monitors.values()].map((m) => m.ref);
  }

  /** One discovery round; rounds run one at a time. A failed discovery changes nothing. */
  sync(): Promise<void> {
    this.round = this.round.catch(() => undefined).then(() => this.syncOnce());
    return this.round;
  }

  /** Stop every monitor (the collector stopping); no round runs after. */
  async stop(): Promise<void> {
    this.closed = true;
    await this.round.catch(() => undefined);
    const all = [...this.monitors.values()];
    this.monitors.clear();
    await Promise.all(all.map((m) => m.informer.stop()));
  }

  private async syncOnce(): Promise<void> {
    if (this.closed) return;
    let found: ResourceRef[];
    let failedGroups: Set<string>;
    try {
      ({ resources: found, failedGroups } = await discoverCustomResourcesPartially(this.client, VERBS));
    } catch {
      return; // discovery failed (server restarting): next round
    }
    if (this.closed) return;
    // When the custom resources served change, the client's cached discovery goes too, as
    // upstream's Sync resets its RESTMapper: verifyOwner then resolves a new kind of a known
    // group-version, and stops resolving a removed one, without waiting for the cache to age.
    const now = found.map(detailsOf).sort().join(' ');
    if (now !== this.served) this.client.invalidateDiscovery();
    this.served = now;
    const wanted = new Map(found.filter((r) => !this.fixed.has(resourceKey(r))).map((r) => [resourceKey(r), r]));
    for (const [key, m] of this.monitors) {
      const next = wanted.get(key);
      // A group whose discovery failed keeps its monitors (upstream keeps a failed group's synced
      // ones): its resources are unknown this round, not gone.
      if (next ? detailsOf(next) === detailsOf(m.ref) : failedGroups.has(m.ref.group)) continue;
      // Stopped before its successor starts, so a resource never has two monitors feeding the graph.
      this.monitors.delete(key);
      await m.informer.stop();
      this.hooks.stopped(m.ref);
    }
    for (const [key, ref] of wanted) {
      if (this.monitors.has(key)) continue;
      const informer = this.informers.unshared(ref);
      informer.addEventHandler(this.hooks.handlerFor(ref));
      informer.start();
      this.monitors.set(key, { ref, informer });
    }
  }
}
