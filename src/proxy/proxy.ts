/**
 * The service proxy of a node (Bosun's kube-proxy): informers on Services, EndpointSlices and this
 * Node feed a debounced sync (default 50 ms after the last change, so well within a second) that
 * renders the whole ruleset and applies it atomically with `nft -f`. `stop()` removes the table.
 */
import { DEFAULT_CLUSTER_CIDR } from '../api/defaults.js';
import type { Node } from '../api/kinds/core/node.js';
import type { Service } from '../api/kinds/core/service.js';
import type { EndpointSlice } from '../api/kinds/discovery/endpoint-slice.js';
import type { KubeClient } from '../client/kube-client.js';
import { resources } from '../client/resource-ref.js';
import { SharedInformerFactory } from '../controller-runtime/informer/informer-factory.js';
import type { EventHandler } from '../controller-runtime/informer/shared-informer.js';
import { defaultLogger, type Logger } from '../controller-runtime/log.js';
import { NftApplier } from './apply/applier.js';
import { conntrackCleaner } from './apply/conntrack.js';
import { serviceHealthServer } from './service-health.js';
import { renderRuleset, type Ruleset } from './render/ruleset.js';
import { SyncLoop } from '../controller-runtime/sync-loop.js';
import { syncProxyRulesDuration, syncProxyRulesLastTimestamp } from './proxy-metrics.js';


export interface ProxyOptions {
  client: KubeClient;
  nodeName: string;
  /** Extra NodePort addresses besides the Node's InternalIP/ExternalIP addresses. */
  nodeIPs?: string[];
  /** Pod network (default 10.42.0.0/16): ClusterIP traffic from outside it is masqueraded. */
  clusterCidr?: string;
  /** Service network (default 10.43.0.0/16). */
  serviceCidr?: string;
  masqueradeAll?: boolean;
  /** Apply inside this network namespace (tests, benchmarks). */
  netns?: string;
  /** nft binary (default `nft`). */
  nft?: string;
  /** conntrack binary (default `conntrack`), which deletes stale flows after endpoint changes. */
  conntrack?: string;
  /** nftables table (default `bosun`); give each node sharing a host its own (tests). */
  table?: string;
  /**
   * Where health check node ports listen (upstream: the NodePort addresses, by default every address):
   * default ['0.0.0.0']; [] serves none.
   */
  healthCheckAddresses?: string[];
  /** Quiet period before a sync (default 50 ms). */
  debounceMs?: number;
  /** How often to check that the table is still in the kernel, reinstalling it if not (default 30 s). */
  checkIntervalMs?: number;
  logger?: Logger;
  /** Called after every successful apply (tests, metrics). */
  onSynced?: (r: Ruleset, how: 'unchanged' | 'incremental' | 'full', ms: number) => void;
}

export interface Proxy {
  /** Render and apply now; resolves when applied. */
  syncNow(): Promise<void>;
  /** The ruleset last applied. */
  current(): Ruleset | undefined;
  /**
   * Stop watching and delete Bosun's nftables table; `{ keepRules: true }` leaves the last applied
   * rules in the kernel, as kube-proxy does on exit, so Services keep working while no proxy runs.
   */
  stop(o?: { keepRules?: boolean }): Promise<void>;
}

function nodeAddresses(node: Readonly<Node> | undefined): string[] {
  return (node?.status?.addresses ?? []).filter((a) => a.type === 'InternalIP' || a.type === 'ExternalIP').map((a) => a.address);
}

/** Start the proxy; resolves once the caches synced and the first ruleset is applied. */
export async function startProxy(o: ProxyOptions): Promise<Proxy> {
  const log = (o.logger ?? defaultLogger()).child({ component: 'proxy', node: o.nodeName });
  const informers = new SharedInformerFactory(o.client, { logger: o.logger });
  const services = informers.informerFor<Service>(resources.services);
  const slices = informers.informerFor<EndpointSlice>(resources.endpointslices);
  const nodes = informers.informerFor<Node>(resources.nodes, { fieldSelector: `metadata.name=${o.nodeName}` });
  const applier = new NftApplier({ netns: o.netns, nft: o.nft, table: o.table });
  const health = serviceHealthServer(o.healthCheckAddresses ?? ['0.0.0.0'], log);
  const clearStale = conntrackCleaner({ netns: o.netns, bin: o.conntrack }, log);
  let last: Ruleset | undefined;
  // Objects the renderer refused, logged once each while they stand (every sync would repeat them).
  let refusedLogged = new Set<string>();
  const logRefused = (r: Ruleset): void => {
    const now = new Set<string>();
    for (const x of r.refused) {
      const key = `${x.kind} ${x.namespace ?? ''}/${x.name ?? ''} ${x.reason}`;
      now.add(key);
      if (!refusedLogged.has(key)) log.error({ kind: x.kind, namespace: x.namespace, name: x.name, reason: x.reason }, 'not rendered into the ruleset: malformed field');
    }
    refusedLogged = now;
  };

  const sync = async (): Promise<void> => {
    // hrtime, not performance.now(): the global `performance` loads perf_hooks into every node agent.
    const started = process.hrtime.bigint();
    const node = nodes.indexer.get(o.nodeName);
    const r = renderRuleset({
      services: services.indexer.list(),
      endpointSlices: slices.indexer.list(),
      nodeName: o.nodeName,
      nodeIPs: [...new Set([...nodeAddresses(node), ...(o.nodeIPs ?? [])])],
      clusterCidr: o.clusterCidr ?? DEFAULT_CLUSTER_CIDR,
      serviceCidr: o.serviceCidr,
      masqueradeAll: o.masqueradeAll,
      table: o.table,
    });
    logRefused(r);
    const how = await applier.apply(r);
    const prev = last;
    last = r;
    await clearStale(prev, r);
    health.setProxyHealthy(true);
    await health.sync(r.healthChecks);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    syncProxyRulesDuration.observe(undefined, ms / 1000);
    syncProxyRulesLastTimestamp.set({}, Date.now() / 1000);
    o.onSynced?.(r, how, ms);
  };
  const loop = new SyncLoop(sync, { debounceMs: o.debounceMs ?? 50, onError: (err) => {
    // Load balancers stop using this node while its rules may be stale (upstream serviceProxyHealthy).
    health.setProxyHealthy(false);
    log.error({ err: String(err) }, 'proxy sync failed; retrying');
  } });
  const poke: EventHandler<unknown> = { onAdd: () => loop.trigger(), onUpdate: () => loop.trigger(), onDelete: () => loop.trigger() };
  for (const inf of [services, slices, nodes]) inf.addEventHandler(poke as EventHandler<never>);

  informers.start();
  const timers: { checker?: NodeJS.Timeout } = {};
  const stopAll = async (so: { keepRules?: boolean } = {}): Promise<void> => {
    clearInterval(timers.checker);
    await loop.stop();
    await informers.stop();
    await health.close();
    if (so.keepRules) return;
    await applier.remove().catch((err) => log.warn({ err: String(err) }, 'could not remove the nftables table'));
  };
  try {
    if (!(await informers.waitForCacheSync())) throw new Error('proxy informers stopped before syncing');
    await loop.now();
    if (!last) throw new Error('first proxy sync failed');
  } catch (err) {
    await stopAll();
    throw err;
  }
  // Someone may flush the ruleset (a firewall reload): put the table back without waiting for an event.
  const checker = setInterval(() => {
    applier.exists().then((ok) => {
      if (ok) return;
      log.warn({}, 'nftables table missing; reinstalling');
      applier.forget();
      loop.trigger(0);
    }, (err) => log.warn({ err: String(err) }, 'cannot list nftables tables'));
  }, o.checkIntervalMs ?? 30_000);
  checker.unref();
  timers.checker = checker;

  return {
    syncNow: () => loop.now(),
    current: () => last,
    stop: stopAll,
  };
}
