/**
 * Bosun's defaults, in one place: the flag table (src/cli/flags), the control plane, the agent, the
 * proxy and the pod network all read them from here. The networks are k3s's (pkg/cli/cmds/server.go:
 * --cluster-cidr 10.42.0.0/16, --service-cidr 10.43.0.0/16, kube-dns at the service range's tenth
 * address), the node-port range and the node CIDR mask size kube-apiserver's and
 * kube-controller-manager's.
 */
import { ipv4At, parseCIDR } from './net/cidr.js';

/** Where a node keeps its state (k3s: /var/lib/rancher/k3s). */
export const DEFAULT_DATA_DIR = '/var/lib/bosun';
/** Read when present, as k3s reads /etc/rancher/k3s/config.yaml. */
export const DEFAULT_CONFIG_FILE = '/etc/bosun/config.yaml';
/** Read when present, as k3s reads /etc/rancher/k3s/registries.yaml. */
export const DEFAULT_REGISTRIES_FILE = '/etc/bosun/registries.yaml';

/** Pod network of the whole cluster, split into one /24 per node by node IPAM. */
export const DEFAULT_CLUSTER_CIDR = '10.42.0.0/16';
/** ClusterIPs come from here. */
export const DEFAULT_SERVICE_CIDR = '10.43.0.0/16';
/** Pod CIDR of a node started without a control plane's assignment (standalone node tests). */
export const DEFAULT_NODE_POD_CIDR = '10.42.0.0/24';
/** kube-controller-manager --node-cidr-mask-size. */
export const DEFAULT_NODE_MASK_SIZE = 24;
/** kube-apiserver --service-node-port-range. */
export const DEFAULT_NODE_PORT_RANGE = '30000-32767';

/** Linux bridge of a node's pod network (--cni-bridge). */
export const DEFAULT_CNI_BRIDGE = 'bosun0';
/** cgroupfs parent of a node's pod cgroups (--cgroup-root). */
export const DEFAULT_CGROUP_ROOT = '/bosun';
/** nftables table of a node's service proxy (--proxy-table); its masquerade table is `<name>-masq`. */
export const DEFAULT_PROXY_TABLE = 'bosun';

/** HTTPS port of the API server. */
export const DEFAULT_API_PORT = 6443;
/** The node agent's port (the kubelet's). */
export const DEFAULT_AGENT_PORT = 10250;

/** Offset in the service range of the `kubernetes` Service's ClusterIP (10.43.0.1). */
export const KUBERNETES_SERVICE_OFFSET = 1;
/** Offset in the service range of the kube-dns Service's ClusterIP (10.43.0.10, k3s's choice). */
export const DNS_SERVICE_OFFSET = 10;

/** The address `offset` into an IPv4 CIDR (`10.43.0.0/16`, 10 -> `10.43.0.10`); throws on a malformed CIDR. */
export function addressInCidr(cidr: string, offset: number): string {
  const c = parseCIDR(cidr);
  if (c?.family !== 4) throw new Error(`not an IPv4 CIDR: ${cidr}`);
  return ipv4At(c, offset);
}

/** The kube-dns Service's address for a service range (pods' resolv.conf points at it). */
export const clusterDnsIP = (serviceCidr: string = DEFAULT_SERVICE_CIDR): string => addressInCidr(serviceCidr, DNS_SERVICE_OFFSET);
/** The `kubernetes` Service's address for a service range (in the serving certificate). */
export const kubernetesServiceIP = (serviceCidr: string = DEFAULT_SERVICE_CIDR): string => addressInCidr(serviceCidr, KUBERNETES_SERVICE_OFFSET);
