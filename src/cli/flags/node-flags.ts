/**
 * The flags every node takes, declared once for `bosun server` (which runs this machine's node
 * too; server-flags.ts) and `bosun agent` (agent-flags.ts). Parsing, help and the config file
 * (parse-flags.ts) all read these tables; defaults come from src/api/defaults.ts.
 */
import { DEFAULT_AGENT_PORT, DEFAULT_CLUSTER_CIDR, DEFAULT_DATA_DIR, DEFAULT_SERVICE_CIDR } from '../../api/defaults.js';
import { parseDurationFlag, parsePercentFlag } from '../../agent/images/image-gc-policy.js';
import { parseLogMaxFilesFlag, parseLogMaxSizeFlag } from '../../agent/logs/container-log-manager.js';
import { DEFAULT_EVICTION_HARD, parseEvictionHardFlag } from '../../agent/eviction/thresholds.js';
import { cidr, port, type Flag, type FlagError } from './flag.js';

/** `namespace/name` of an object (two DNS-1123 names), as ingress-nginx's --default-ssl-certificate. */
const namespacedName = (v: string): string | FlagError =>
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z0-9]([-.a-z0-9]*[a-z0-9])?$/.test(v) ? v : { error: 'must be namespace/name, e.g. kube-system/default-tls' };

/** `--config FILE`: handled by the parser (parse-flags.ts) before the others. */
export const CONFIG_FLAG: Flag = {
  name: 'config', value: 'file',
  help: 'YAML file with flags as keys (`node-name: n1`, `disable-agent: true`); given flags override it (default: /etc/bosun/config.yaml when present)',
};

/** What every node takes, whether `bosun server` runs it or `bosun agent` does. */
export const NODE_FLAGS: readonly Flag[] = [
  { name: 'data-dir', value: 'dir', help: 'where state, certificates, containerd and pod data live', default: DEFAULT_DATA_DIR },
  { name: 'node-name', value: 'name', help: 'name of this machine\'s node (default: the host name)' },
  { name: 'node-ip', value: 'ip', help: 'InternalIP of this machine\'s node (default: the first non-loopback IPv4)' },
  { name: 'pod-cidr', value: 'cidr', help: 'pod CIDR of this machine\'s node instead of waiting for the control plane to assign one', parse: cidr },
  { name: 'agent-port', value: 'port', help: 'port of the node agent\'s HTTPS server (logs, exec, port-forward; 0 picks one)', parse: port(0), default: String(DEFAULT_AGENT_PORT) },
  { name: 'cluster-dns-port', value: 'port', help: 'port of this node\'s DNS server on its node IP (0: no DNS)', parse: port(0), default: '53' },
  { name: 'ingress-http-port', value: 'port', help: 'port of this node\'s built-in Ingress controller (plain HTTP, every address; IngressClass bosun); absent or 0: no Ingress controller', parse: port(0) },
  { name: 'ingress-https-port', value: 'port', help: 'HTTPS port of the built-in Ingress controller (the Ingresses\' spec.tls certificates by SNI); absent or 0: none', parse: port(0) },
  { name: 'ingress-default-ssl-certificate', value: 'secret', help: 'namespace/name of the kubernetes.io/tls Secret the Ingress controller serves to names without a certificate of their own, as ingress-nginx\'s flag (default: a self-signed one made at start)', parse: namespacedName },
  { name: 'cluster-cidr', value: 'cidr', help: 'pod network of the whole cluster (split into a /24 per node; not masqueraded)', parse: cidr, default: DEFAULT_CLUSTER_CIDR },
  { name: 'service-cidr', value: 'cidr', help: 'service network of the cluster (ClusterIPs; not masqueraded)', parse: cidr, default: DEFAULT_SERVICE_CIDR },
  { name: 'cni-bridge', value: 'name', help: 'Linux bridge of this machine\'s pod network (default bosun0; one per node sharing a network namespace)' },
  { name: 'cgroup-root', value: 'path', help: 'cgroupfs parent of pod cgroups (default /bosun; one per node sharing a machine)' },
  { name: 'proxy-table', value: 'name', help: 'nftables table of this node\'s service proxy (default bosun; one per node sharing a machine)' },
  { name: 'no-routes', help: 'do not program host-gw routes or the masquerade rule (another network plugin does)' },
  { name: 'disable-network-policy', help: 'do not enforce NetworkPolicies on this node (k3s\'s flag): no policy table (one left by an earlier run is removed), no watches for it; another network plugin may enforce them' },
  { name: 'registries', value: 'file', help: 'registry mirrors and credentials, as k3s\'s registries.yaml (default: /etc/bosun/registries.yaml when present)' },
  { name: 'image-gc-high-threshold', value: 'percent', help: 'image filesystem usage at or above which unused images are removed; 100: never (default 85)', parse: parsePercentFlag },
  { name: 'image-gc-low-threshold', value: 'percent', help: 'usage image garbage collection frees down to, below the high threshold (default 80)', parse: parsePercentFlag },
  { name: 'image-minimum-gc-age', value: 'duration', help: 'an unused image younger than this is never removed (default 2m)', parse: parseDurationFlag },
  { name: 'image-maximum-gc-age', value: 'duration', help: 'remove images unused this long whatever the disk usage; 0: never (default 0)', parse: parseDurationFlag },
  { name: 'container-log-max-size', value: 'size', help: 'size at which a container\'s log is rotated, as the kubelet\'s containerLogMaxSize (default 10Mi)', parse: parseLogMaxSizeFlag },
  { name: 'eviction-hard', value: 'thresholds', help: `hard eviction thresholds as the kubelet's --eviction-hard, signal<quantity or signal<percent%, comma-separated; given ones replace all defaults (default ${DEFAULT_EVICTION_HARD})`, parse: parseEvictionHardFlag },
  { name: 'eviction-pressure-transition-period', value: 'duration', help: 'how long a pressure condition stays after its threshold is no longer met (default 5m)', parse: parseDurationFlag },
  { name: 'container-log-max-files', value: 'count', help: 'most log files kept per container, the live one included, at least 2 (default 5)', parse: parseLogMaxFilesFlag },
];
