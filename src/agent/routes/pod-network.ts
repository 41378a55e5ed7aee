/**
 * A node's share of the cross-node pod network in one call: the masquerade rule for traffic leaving
 * the cluster and the host-gw route controller. `bosun agent` runs it; `bosun server`'s embedded
 * node should too, so that its pods and the agents' pods reach each other.
 */
import { DEFAULT_CLUSTER_CIDR } from '../../api/defaults.js';
import type { KubeClient } from '../../client/kube-client.js';
import type { Logger } from '../../controller-runtime/log.js';
import { applyMasquerade, hostNft, removeMasquerade, type NftRunner } from './masquerade.js';
import { hostIp, type IpRunner } from './route-applier.js';
import { RouteController } from './route-controller.js';

export interface PodNetworkOptions {
  client: KubeClient;
  nodeName: string;
  /** Default 10.42.0.0/16. */
  clusterCidr?: string;
  /** Default 10.43.0.0/16. */
  serviceCidr?: string;
  /** nftables table of the masquerade rule (default bosun-masq; one per node sharing a host). */
  masqTable?: string;
  ip?: IpRunner;
  nft?: NftRunner;
  logger?: Logger;
}

export interface PodNetwork {
  routes: RouteController;
  /**
   * Stops watching. By default routes and the masquerade rule stay, like the pods they serve (an
   * agent restart must not cut pod traffic); `{ cleanup: true }` removes them (node teardown).
   */
  stop(o?: { cleanup?: boolean }): Promise<void>;
}

export async function startPodNetwork(o: PodNetworkOptions): Promise<PodNetwork> {
  const nft = o.nft ?? hostNft;
  await applyMasquerade({ clusterCidr: o.clusterCidr, serviceCidr: o.serviceCidr, table: o.masqTable }, nft);
  const routes = new RouteController({ client: o.client, nodeName: o.nodeName, clusterCidr: o.clusterCidr ?? DEFAULT_CLUSTER_CIDR, ip: o.ip ?? hostIp, logger: o.logger });
  try {
    await routes.start();
  } catch (err) {
    await removeMasquerade({ table: o.masqTable }, nft).catch(() => undefined);
    throw err;
  }
  return {
    routes,
    async stop(s = {}) {
      await routes.stop({ keepRoutes: !s.cleanup });
      if (s.cleanup) await removeMasquerade({ table: o.masqTable }, nft);
    },
  };
}
