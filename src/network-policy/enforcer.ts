/**
 * The node's NetworkPolicy enforcer (Bosun's kube-router network policy controller): informers on
 * NetworkPolicies, Pods, Namespaces and this Node feed a debounced sync (as the proxy's) that renders
 * this node's table (render/ruleset.ts) and installs it with ONE `nft -f` transaction (the table
 * created, deleted and defined afresh: packets never see half a ruleset, and the table holds no
 * state worth keeping; connections already allowed continue by conntrack). `stop()` deletes the
 * table unless `keepRules` (a restarting agent leaves pods isolated, as the proxy leaves Services).
 */
import type { Namespace } from '../api/kinds/core/namespace.js';
import type { Node } from '../api/kinds/core/node.js';
import type { Pod } from '../api/kinds/core/pod.js';
import type { NetworkPolicy } from '../api/kinds/networking/network-policy.js';
import { ipv4At, parseCIDR } from '../api/net/cidr.js';
import type { KubeClient } from '../client/kube-client.js';
import { resources } from '../client/resource-ref.js';
import { SharedInformerFactory } from '../controller-runtime/informer/informer-factory.js';
import type { EventHandler, SharedInformer } from '../controller-runtime/informer/shared-informer.js';
import { defaultLogger, type Logger } from '../controller-runtime/log.js';
import { NftRunner } from '../controller-runtime/nft/nft-runner.js';
import { SyncLoop } from '../controller-runtime/sync-loop.js';
import { renderPolicyRuleset, type PolicyRuleset } from './render/ruleset.js';

export interface EnforcerOptions {
  /** Reads pods, namespaces and networkpolicies cluster-wide, and this Node. */
  client: KubeClient;
  nodeName: string;
  /** The table (ip family), one per node sharing a host: `<proxy table>-netpol`. */
  table: string;
  /** Apply inside this network namespace (tests). */
  netns?: string;
  /** Quiet period before a sync (default 50 ms, as the proxy). */
  debounceMs?: number;
  /** How often to check that the table is still in the kernel, reinstalling it if not (default 30 s, as the proxy). */
  checkIntervalMs?: number;
  logger?: Logger;
}

export interface Enforcer {
  syncNow(): Promise<void>;
  current(): PolicyRuleset | undefined;
  stop(o?: { keepRules?: boolean }): Promise<void>;
}

/** The table of a node whose proxy table is `proxyTable`: `bosun` -> `bosun-netpol`. */
export const policyTableFor = (proxyTable: string): string => `${proxyTable}-netpol`;

/** The node's own addresses: its InternalIP/ExternalIP and its bridge's, the pod CIDR's first address (probes come from there). */
export function nodeSourceIPs(node: Readonly<Node> | undefined): string[] {
  const ips = (node?.status?.addresses ?? []).filter((a) => (a.type === 'InternalIP' || a.type === 'ExternalIP') && !a.address.includes(':')).map((a) => a.address);
  const cidr = parseCIDR(node?.spec?.podCIDR);
  if (cidr?.family === 4) ips.push(ipv4At(cidr, 1));
  return ips;
}

/** Delete `table` (ip family); a missing table is not an error. */
export function removePolicyTable(nft: NftRunner, table: string): Promise<string> {
  return nft.apply(`add table ip ${table}\ndelete table ip ${table}\n`);
}

/** Start enforcing; resolves once the caches synced and the first ruleset is installed. */
export async function startNetworkPolicyEnforcer(o: EnforcerOptions): Promise<Enforcer> {
  const log = (o.logger ?? defaultLogger()).child({ component: 'network-policy', node: o.nodeName });
  const informers = new SharedInformerFactory(o.client, { logger: o.logger });
  const policies = informers.informerFor<NetworkPolicy>(resources.networkpolicies);
  // Pods, Namespaces and this Node are watched only once a NetworkPolicy exists: with none, nothing
  // is isolated whatever they hold, and a cluster-wide pod watch costs every node a connection and a
  // copy of every pod (~0.5 MiB of an idle agent's RSS for the three). Once started they stay.
  let peers: { pods: SharedInformer<Pod>; namespaces: SharedInformer<Namespace>; nodes: SharedInformer<Node> } | undefined;
  const nft = new NftRunner({ netns: o.netns });
  let last: PolicyRuleset | undefined;

  const sync = async (): Promise<void> => {
    const list = policies.indexer.list();
    if (list.length > 0 && !peers) {
      peers = {
        pods: informers.informerFor<Pod>(resources.pods),
        namespaces: informers.informerFor<Namespace>(resources.namespaces),
        nodes: informers.informerFor<Node>(resources.nodes, { fieldSelector: `metadata.name=${o.nodeName}` }),
      };
      for (const inf of Object.values(peers)) inf.addEventHandler(poke as EventHandler<never>);
    }
    // Rendering policies against caches still filling would isolate pods with half their peers.
    if (peers && !(await informers.waitForCacheSync())) return;
    const r = renderPolicyRuleset({
      policies: list, pods: peers?.pods.indexer.list() ?? [], namespaces: peers?.namespaces.indexer.list() ?? [],
      nodeName: o.nodeName, table: o.table, nodeIPs: nodeSourceIPs(peers?.nodes.indexer.get(o.nodeName)),
    });
    if (last?.text === r.text) return;
    await nft.apply(`add table ip ${o.table}\ndelete table ip ${o.table}\n${r.text}`);
    if (last?.isolated.join() !== r.isolated.join() || last.egressIsolated.join() !== r.egressIsolated.join()) log.info({ isolated: r.isolated.length, egressIsolated: r.egressIsolated.length }, 'network policy ruleset applied');
    if (r.ignored.length > 0 && last?.ignored.join() !== r.ignored.join()) log.warn({ ignored: r.ignored }, 'IPv6 ipBlocks allow nothing: the pod network is IPv4 only');
    last = r;
  };
  const poke: EventHandler<unknown> = { onAdd: () => loop.trigger(), onUpdate: () => loop.trigger(), onDelete: () => loop.trigger() };
  const loop = new SyncLoop(sync, { debounceMs: o.debounceMs ?? 50, onError: (err) => log.error({ err: String(err) }, 'network policy sync failed; retrying') });
  policies.addEventHandler(poke as EventHandler<never>);
  informers.start();

  const timers: { checker?: NodeJS.Timeout } = {};
  const stop = async (so: { keepRules?: boolean } = {}): Promise<void> => {
    clearInterval(timers.checker);
    await loop.stop();
    await informers.stop();
    if (so.keepRules) return;
    await removePolicyTable(nft, o.table).catch((err) => log.warn({ err: String(err) }, 'could not remove the network policy table'));
  };
  try {
    if (!(await informers.waitForCacheSync())) throw new Error('network policy informers stopped before syncing');
    await loop.now();
    if (!last) throw new Error('first network policy sync failed');
  } catch (err) {
    await stop();
    throw err;
  }
  // A flushed ruleset (a firewall reload) would open every isolated pod: put the table back without waiting for an event.
  timers.checker = setInterval(() => {
    nft.run(['list', 'tables', 'ip']).then((out) => {
      if (out.split('\n').some((l) => l.trim() === `table ip ${o.table}`)) return;
      log.warn({}, 'network policy table missing; reinstalling');
      last = undefined;
      loop.trigger(0);
    }, (err) => log.warn({ err: String(err) }, 'cannot list nftables tables'));
  }, o.checkIntervalMs ?? 30_000);
  timers.checker.unref();
  return { syncNow: () => loop.now(), current: () => last, stop };
}
