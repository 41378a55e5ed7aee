/**
 * A whole worker node as Bosun runs it, for `bosun server` (embedded) and `bosun agent`: the node
 * agent on its private containerd (src/agent/node-main.ts), the service proxy programming nftables
 * (src/proxy), and a cluster DNS server answering on the node's address (src/dns) that publishes
 * itself as an endpoint of the `kube-system/kube-dns` Service (10.43.0.10), so pods reach it through
 * the proxy wherever they run, and the cross-node pod network (host-gw routes to the other nodes'
 * pod CIDRs, masquerading only traffic that leaves the cluster: docs/networking.md). Each talks to
 * the API server only through its client: the proxy and DNS with their own identities
 * (`proxyClient`, `dnsClient`; src/apiserver/join/node-credentials.ts), the rest as the node. With
 * `ingress` ports, the node also runs the built-in Ingress controller (src/ingress) as its own identity.
 * Beside the proxy, the NetworkPolicy enforcer (src/network-policy) filters traffic to this node's pods.
 */
import { startNode, type NodeOptions, type RunningNode } from '../agent/node-main.js';
import { firstIPv4 } from '../agent/node/machine-info.js';
import { hostname } from 'node:os';
import { startProxy, type Proxy } from '../proxy/index.js';
import { policyTableFor, removePolicyTable, startNetworkPolicyEnforcer } from '../network-policy/index.js';
import { NftRunner } from '../controller-runtime/nft/nft-runner.js';
import { startPodNetwork } from '../agent/routes/pod-network.js';
import { mkdirSync } from 'node:fs';
import type { KubeClient } from '../client/index.js';
import { clusterDnsIP, DEFAULT_CGROUP_ROOT, DEFAULT_CLUSTER_CIDR, DEFAULT_CNI_BRIDGE, DEFAULT_PROXY_TABLE } from '../api/defaults.js';
import { masqTableFor, writeHostResources } from './host-resources.js';


export interface ClusterNodeOptions extends NodeOptions {
  /** Pod network of the whole cluster (default 10.42.0.0/16). */
  clusterCidr?: string;
  /** Port the node's DNS server listens on at its node IP (default 53; 0 disables DNS). */
  dnsPort?: number;
  /** Run the service proxy (default true). */
  proxy?: boolean;
  /** Enforce NetworkPolicies in the table `<proxyTable>-netpol` (src/network-policy; default: when the proxy runs); false (--disable-network-policy) also removes that table if an earlier run left it. */
  networkPolicy?: boolean;
  /** The proxy's nftables table (default `bosun`; distinct names let nodes share a host, as tests do); the masquerade table is `<table>-masq`. */
  proxyTable?: string;
  /** Service network, never masqueraded; kube-dns is its tenth address (default 10.43.0.0/16). */
  serviceCidr?: string;
  /** Program routes to other nodes' pod CIDRs and the cluster-aware masquerade (default true). */
  podNetwork?: boolean;
  /** The service proxy's own client (user system:kube-proxy); default `client`. */
  proxyClient?: KubeClient;
  /** The cluster DNS server's own client (service account kube-system/kube-dns); default `client`. */
  dnsClient?: KubeClient;
  /**
   * The built-in Ingress controller (src/ingress), off unless a port is given (> 0), with its own
   * client (service account kube-system/bosun-ingress), required then: the node's may not read Secrets.
   */
  ingress?: { httpPort?: number; httpsPort?: number; client?: KubeClient; defaultCertificate?: string };
}

export interface ClusterNode {
  node: RunningNode;
  proxy?: Proxy;
  /**
   * Stops the node's processes; pods keep running. By default the proxy's table, the routes and the
   * masquerade rule are removed (teardown); `{ keepNetwork: true }` leaves them, as a kubelet and
   * kube-proxy stop does, so the pods stay reachable and Services keep working until the next start.
   */
  stop(o?: { keepNetwork?: boolean }): Promise<void>;
}

export async function startClusterNode(o: ClusterNodeOptions): Promise<ClusterNode> {
  const nodeName = o.nodeName ?? hostname().toLowerCase();
  const nodeIP = o.nodeIP ?? firstIPv4();
  const dnsPort = o.dnsPort ?? 53;
  const proxyTable = o.proxyTable ?? DEFAULT_PROXY_TABLE;
  const podNetwork = o.podNetwork !== false;
  const networkPolicy = o.networkPolicy ?? o.proxy !== false;
  // Recorded before anything is programmed: `bosun killall` must find what a failed start left too.
  mkdirSync(o.dataDir, { recursive: true, mode: 0o700 });
  writeHostResources(o.dataDir, {
    pid: process.pid, proxyTable: o.proxy !== false ? proxyTable : undefined, policyTable: networkPolicy ? policyTableFor(proxyTable) : undefined, masqTable: podNetwork ? masqTableFor(proxyTable) : undefined,
    routes: podNetwork, bridge: o.bridge ?? DEFAULT_CNI_BRIDGE, cgroupRoot: o.cgroupRoot ?? DEFAULT_CGROUP_ROOT,
  });
  const stops: Array<(keepNetwork: boolean) => Promise<void>> = [];
  const stopAll = async (so: { keepNetwork?: boolean } = {}): Promise<void> => {
    for (const s of stops.splice(0).reverse()) await s(so.keepNetwork === true);
  };
  try {
    let proxy: Proxy | undefined;
    if (o.proxy !== false) {
      proxy = await startProxy({ client: o.proxyClient ?? o.client, nodeName, clusterCidr: o.clusterCidr, serviceCidr: o.serviceCidr, table: o.proxyTable, logger: o.logger });
      stops.push((keepNetwork) => proxy!.stop({ keepRules: keepNetwork }));
    }
    if (networkPolicy) {
      // The proxy's identity (system:kube-proxy) also reads pods, namespaces and policies, as k3s's network policy controller's system:k3s-controller.
      const enforcer = await startNetworkPolicyEnforcer({ client: o.proxyClient ?? o.client, nodeName, table: policyTableFor(proxyTable), logger: o.logger });
      stops.push((keepNetwork) => enforcer.stop({ keepRules: keepNetwork }));
    } else if (o.networkPolicy === false) {
      // --disable-network-policy: a table an earlier run left (a stopped node keeps it) would go on isolating pods by stale rules (k3s#7244).
      await removePolicyTable(new NftRunner(), policyTableFor(proxyTable));
    }
    if (dnsPort > 0) {
      // Loaded only when used: a node without DNS (--cluster-dns-port 0) does not carry its code.
      const { startClusterDns } = await import('../dns/cluster-dns.js');
      const dns = await startClusterDns({ client: o.dnsClient ?? o.client, publishClient: o.client, host: nodeIP, port: dnsPort, publish: { nodeName, address: nodeIP, port: dnsPort }, clusterCidrs: [o.clusterCidr ?? DEFAULT_CLUSTER_CIDR], logger: o.logger });
      stops.push(() => dns.stop());
    }
    const ingress = o.ingress;
    if (ingress && ((ingress.httpPort ?? 0) > 0 || (ingress.httpsPort ?? 0) > 0)) {
      if (!ingress.client) throw new Error('the ingress controller needs its own client (kube-system/bosun-ingress)');
      // Loaded only when used: a node without --ingress-http-port / --ingress-https-port does not carry its code.
      const { startIngressController } = await import('../ingress/ingress-controller.js');
      const ctl = await startIngressController({
        client: ingress.client, nodeIP, logger: o.logger, defaultCertificate: ingress.defaultCertificate,
        httpPort: (ingress.httpPort ?? 0) > 0 ? ingress.httpPort : undefined, httpsPort: (ingress.httpsPort ?? 0) > 0 ? ingress.httpsPort : undefined,
      });
      stops.push(() => ctl.stop());
    }
    if (podNetwork) {
      const network = await startPodNetwork({ client: o.client, nodeName, clusterCidr: o.clusterCidr, serviceCidr: o.serviceCidr, masqTable: masqTableFor(proxyTable), logger: o.logger });
      // A stopped node removes what it programmed, as the proxy removes its table (unless keepNetwork).
      stops.push((keepNetwork) => network.stop({ cleanup: !keepNetwork }));
    }
    const node = await startNode({ ...o, nodeName, nodeIP, ipMasq: !podNetwork, clusterDNS: dnsPort > 0 ? [clusterDnsIP(o.serviceCidr)] : o.clusterDNS });
    stops.push(() => node.stop());
    return { node, proxy, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
