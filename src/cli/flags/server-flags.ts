/** `bosun server`'s flags: its own, then the node flags (a server runs this machine's node too). */
import { DEFAULT_API_PORT, DEFAULT_NODE_PORT_RANGE } from '../../api/defaults.js';
import { choice, count, duration, list, port, portRange, type Flag } from './flag.js';
import { CONFIG_FLAG, NODE_FLAGS } from './node-flags.js';

export const SERVER_DESCRIPTION = 'run the control plane (and, unless --disable-agent, this machine\'s node agent)';
export const SERVER_FLAGS: readonly Flag[] = [
  CONFIG_FLAG,
  { name: 'port', value: 'port', help: 'HTTPS port (0 picks a free one)', parse: port(0), default: String(DEFAULT_API_PORT) },
  { name: 'bind-address', value: 'addr', help: 'address to listen on', default: '0.0.0.0' },
  { name: 'store', value: 'backend', help: 'storage: sqlite (DATA_DIR/state.db), etcd, or memory (tests)', parse: choice(['sqlite', 'memory', 'etcd']), default: 'sqlite' },
  { name: 'etcd-endpoints', value: 'urls', help: 'comma-separated etcd client URLs (with --store etcd)', parse: list },
  { name: 'etcd-cafile', value: 'path', help: 'CA file that etcd\'s serving certificate must chain to (https:// endpoints; k3s\'s --datastore-cafile)' },
  { name: 'etcd-certfile', value: 'path', help: 'client certificate file for etcd\'s --client-cert-auth (with --etcd-keyfile)' },
  { name: 'etcd-keyfile', value: 'path', help: 'key file of --etcd-certfile' },
  { name: 'encryption-provider-config', value: 'path', help: 'EncryptionConfiguration file (apiserver.config.k8s.io/v1): which resources are encrypted at rest, with which keys (kube-apiserver\'s flag)' },
  { name: 'secrets-encryption', help: 'encrypt Secrets at rest with a key the server keeps in DATA_DIR/encryption-config.yaml (k3s\'s flag; --encryption-provider-config takes precedence)' },
  { name: 'audit-policy-file', value: 'path', help: 'audit.k8s.io/v1 Policy: which requests are logged at which level (with --audit-log-path)' },
  { name: 'audit-log-path', value: 'path', help: 'write audit.k8s.io/v1 Events here as JSON lines (\'-\': standard output)' },
  { name: 'audit-log-maxsize', value: 'MB', help: 'rotate the audit log past this many megabytes (0: 100)', parse: count, default: '0' },
  { name: 'audit-log-maxbackup', value: 'n', help: 'rotated audit logs kept (0: all)', parse: count, default: '0' },
  { name: 'audit-log-maxage', value: 'days', help: 'days a rotated audit log is kept (0: no limit)', parse: count, default: '0' },
  { name: 'service-account-signing-key-file', value: 'path', help: 'PEM private key (RSA or ECDSA) that signs service account tokens (default: DATA_DIR/pki/service-account.key, made at first start; `bosun rotate-sa-key` rotates it)' },
  { name: 'service-account-key-file', value: 'path', multiple: true, help: 'PEM file of public or private keys (RSA or ECDSA) that verify service account tokens; repeatable (default: the signing key, and with DATA_DIR\'s key the keys rotate-sa-key retired)' },
  { name: 'disable-agent', help: 'run the control plane only' },
  { name: 'disable-scheduler', help: 'run no scheduler (as k3s: pods stay unscheduled unless something else binds them)' },
  { name: 'disable-controller-manager', help: 'run no built-in controllers (as k3s: e.g. to measure the API server alone)' },
  ...NODE_FLAGS,
  { name: 'service-node-port-range', value: 'range', help: 'ports NodePort Services get', parse: portRange, default: DEFAULT_NODE_PORT_RANGE },
  { name: 'agent-ingress-nodes', value: 'names', help: 'joined nodes that may run the built-in Ingress controller (agent --ingress-http-port): its credential reads every Secret, so none may unless named here (comma-separated node names, or * for all)', parse: list },
  { name: 'service-lb-pool', value: 'addrs', help: 'addresses the built-in load balancer gives LoadBalancer Services, one each (a.b.c.d, a.b.c.d-e.f.g.h or CIDR, comma-separated; default: the node addresses)', parse: list },
  { name: 'simulated-nodes', value: 'n', help: 'register N simulated nodes (no containers) for scale and control-plane tests', parse: count, default: '0' },
  { name: 'simulated-node-cpu', value: 'q', help: 'CPU capacity of each simulated node', default: '8' },
  { name: 'simulated-node-memory', value: 'q', help: 'memory capacity of each simulated node', default: '32Gi' },
  { name: 'simulated-node-pods', value: 'n', help: 'pod capacity of each simulated node', parse: count, default: '110' },
  { name: 'simulated-ready-delay', value: 'duration', help: 'time for a simulated pod to go Running and Ready', parse: duration, default: '1s' },
  { name: 'simulated-heartbeat', value: 'duration', help: 'lease renewal period of simulated nodes', parse: duration, default: '5s' },
  { name: 'node-monitor-grace-period', value: 'duration', help: 'a node silent this long goes Unknown and gets the unreachable taint', parse: duration, default: '20s' },
  { name: 'default-toleration-seconds', value: 'n', help: 'deprecated: sets both of the next two flags when they are not given', parse: count },
  { name: 'default-not-ready-toleration-seconds', value: 'n', help: 'tolerationSeconds of the not-ready:NoExecute toleration added to every pod without one (DefaultTolerationSeconds admission; 15, upstream 300)', parse: count },
  { name: 'default-unreachable-toleration-seconds', value: 'n', help: 'tolerationSeconds of the unreachable:NoExecute toleration added to every pod without one (DefaultTolerationSeconds admission; 15, upstream 300)', parse: count },
  { name: 'horizontal-pod-autoscaler-sync-period', value: 'duration', help: 'how often the HPA controller reconciles each HorizontalPodAutoscaler', parse: duration, default: '15s' },
  { name: 'horizontal-pod-autoscaler-downscale-stabilization', value: 'duration', help: 'the scale-down window of HPAs without behavior.scaleDown.stabilizationWindowSeconds', parse: duration, default: '5m' },
  { name: 'horizontal-pod-autoscaler-cpu-initialization-period', value: 'duration', help: 'after a pod starts, CPU samples taken before its readiness and one sample window are skipped', parse: duration, default: '5m' },
  { name: 'horizontal-pod-autoscaler-initial-readiness-delay', value: 'duration', help: 'after the initialization period, a pod not ready within this long of its start is skipped', parse: duration, default: '30s' },
  { name: 'terminated-pod-gc-threshold', value: 'n', help: 'finished pods kept before the pod garbage collector deletes the oldest (0: never)', parse: count, default: '12500' },
];

