/**
 * Cluster DNS wired to the API: informers on Services and EndpointSlices (indexed by name, and by
 * ClusterIP and endpoint address for PTR answers) give the DnsView the server answers from (answers follow changes as soon as the watch delivers them; there is no record cache
 * to expire). `startClusterDns({ client, host, port })`.
 *
 * Only the cluster asks: the pod CIDRs (`clusterCidrs`), every Node's addresses (an informer on
 * Nodes keeps the list current) and loopback; anyone else on the node's network gets REFUSED.
 */
import { DEFAULT_CLUSTER_CIDR } from '../api/defaults.js';
import type { Node } from '../api/kinds/core/node.js';
import type { Service } from '../api/kinds/core/service.js';
import type { EndpointSlice } from '../api/kinds/discovery/endpoint-slice.js';
import type { KubeClient } from '../client/kube-client.js';
import { resources } from '../client/resource-ref.js';
import { SharedInformerFactory } from '../controller-runtime/informer/informer-factory.js';
import { defaultLogger, type Logger } from '../controller-runtime/log.js';
import { ClientAcl } from './client-acl.js';
import type { DnsView } from './records.js';
import { publishDnsEndpoint, withdrawDnsEndpoint, type DnsEndpoint } from './dns-endpoint.js';
import { upstreamsFromResolvConf } from './resolv-conf.js';
import { startDnsServer, type DnsServer } from './server.js';

const BY_SERVICE = 'dns-service';
const BY_CLUSTER_IP = 'dns-cluster-ip';
const BY_ADDRESS = 'dns-address';

export interface ClusterDnsOptions {
  client: KubeClient;
  host?: string;
  port?: number;
  zone?: string;
  /** Upstream resolvers; default: the nameservers of `resolvConf`. */
  upstreams?: string[];
  /** Default /etc/resolv.conf. */
  resolvConf?: string;
  upstreamTimeoutMs?: number;
  /** The cluster's pod network(s), whose addresses may query (default 10.42.0.0/16). */
  clusterCidrs?: string[];
  /** Announce this server as a `kube-dns` endpoint at its listening port (withdrawn on stop). */
  publish?: DnsEndpoint;
  /**
   * Writes the published EndpointSlice (default `client`): the node's credential, which the node
   * authorizer confines to kube-system/kube-dns-<node>, while `client` (the DNS identity) only reads.
   */
  publishClient?: KubeClient;
  logger?: Logger;
}

export async function startClusterDns(o: ClusterDnsOptions): Promise<DnsServer> {
  const log = (o.logger ?? defaultLogger()).child({ component: 'dns' });
  const informers = new SharedInformerFactory(o.client, { logger: o.logger });
  const services = informers.informerFor<Service>(resources.services);
  const slices = informers.informerFor<EndpointSlice>(resources.endpointslices);
  slices.addIndexers({
    [BY_SERVICE]: (s) => {
      const svc = s.metadata.labels?.['kubernetes.io/service-name'];
      return svc ? [`${s.metadata.namespace}/${svc}`] : [];
    },
    [BY_ADDRESS]: (s) => (s.endpoints ?? []).flatMap((e) => e.addresses),
  });
  services.addIndexers({ [BY_CLUSTER_IP]: (s) => s.spec?.clusterIPs ?? (s.spec?.clusterIP ? [s.spec.clusterIP] : []) });
  const view: DnsView = {
    service: (ns, name) => services.indexer.get(`${ns}/${name}`),
    endpointSlices: (ns, name) => slices.indexer.byIndex(BY_SERVICE, `${ns}/${name}`),
    servicesByIP: (ip) => services.indexer.byIndex(BY_CLUSTER_IP, ip),
    endpointSlicesByIP: (ip) => slices.indexer.byIndex(BY_ADDRESS, ip),
  };
  const acl = new ClientAcl({ podCidrs: o.clusterCidrs ?? [DEFAULT_CLUSTER_CIDR] });
  const nodes = informers.informerFor<Node>(resources.nodes);
  const learnNodes = (): void => {
    const all = nodes.indexer.list();
    acl.setNodeAddresses(all.flatMap((n) => (n.status?.addresses ?? []).map((a) => a.address)), all.flatMap((n) => n.spec?.podCIDRs ?? (n.spec?.podCIDR ? [n.spec.podCIDR] : [])));
  };
  nodes.addEventHandler({ onAdd: learnNodes, onUpdate: learnNodes, onDelete: learnNodes });
  informers.start();
  let server: DnsServer | undefined;
  try {
    if (!(await informers.waitForCacheSync())) throw new Error('dns informers stopped before syncing');
    const upstreams = o.upstreams ?? upstreamsFromResolvConf(o.resolvConf);
    server = await startDnsServer({
      view, host: o.host, port: o.port, zone: o.zone, upstreams, upstreamTimeoutMs: o.upstreamTimeoutMs, clients: acl,
      onError: (err) => log.debug({ err: String(err) }, 'dns upstream failure'),
    });
    if (o.publish) await publishDnsEndpoint(o.publishClient ?? o.client, { port: server.port, ...o.publish });
  } catch (err) {
    await server?.stop();
    await informers.stop();
    throw err;
  }
  const s = server;
  return {
    host: s.host, port: s.port, stats: () => s.stats(),
    stop: async () => {
      if (o.publish) await withdrawDnsEndpoint(o.publishClient ?? o.client, o.publish.nodeName).catch((err) => log.warn({ err: String(err) }, 'could not withdraw the DNS endpoint'));
      await s.stop();
      await informers.stop();
    },
  };
}
