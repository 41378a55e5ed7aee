/**
 * `bosun agent --server https://HOST:PORT --token TOKEN`: joins a machine to a cluster and runs its
 * node there. Steps: join (CA pinned by the token, node credentials into DATA_DIR/agent), wait for
 * the pod CIDR the control plane assigns (unless --pod-cidr), start the node as `bosun server` runs
 * its own (src/cluster/node.ts: containerd, node agent, service proxy, cluster DNS) with the agent's
 * HTTPS server on the serving certificate from the join, then host-gw routes to the other nodes'
 * pod CIDRs and the masquerade rule for traffic leaving the cluster.
 * Prints `bosun: node NAME joined URL` and `bosun: agent running`. SIGTERM/SIGINT stop the agent;
 * pods, routes and the masquerade rule stay (as after a kubelet stop) and are adopted on restart.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { KubeClient } from '../../client/kube-client.js';
import { kubernetesUserAgent } from '../../client/user-agent.js';
import { awaitPodCIDR } from '../../agent/join/await-pod-cidr.js';
import { joinCluster } from '../../agent/join/join-cluster.js';
import { applyTo, startCertRenewal } from '../../agent/join/cert-renewal.js';
import { firstIPv4 } from '../../agent/node/machine-info.js';
import { startClusterNode } from '../../cluster/node.js';
import { writePidFile } from '../../cluster/host-resources.js';
import { imageGCFlagsError, imageGCPolicyFromFlags } from '../../agent/images/image-gc-policy.js';
import { containerLogPolicyFromFlags } from '../../agent/logs/container-log-manager.js';
import { loadRegistries } from '../../agent/registries/registries-file.js';
import { AGENT_DESCRIPTION, AGENT_FLAGS } from '../flags/agent-flags.js';
import { parseFlags, runFlagCommand, type FlagCommand, type ParsedFlags } from '../flags/parse-flags.js';

export interface AgentCommandOptions {
  server: string;
  token?: string;
  tokenFile?: string;
  nodeName?: string;
  nodeIp?: string;
  dataDir: string;
  podCidr?: string;
  agentPort: number;
  clusterCidr: string;
  serviceCidr: string;
  routes: boolean;
  /** --disable-network-policy: this node runs no NetworkPolicy enforcer (src/network-policy). */
  disableNetworkPolicy?: boolean;
  cgroupRoot?: string;
  cniBridge?: string;
  proxyTable?: string;
  clusterDnsPort: number;
  /** The built-in Ingress controller's ports (absent or 0: off). */
  ingressHttpPort?: number;
  ingressHttpsPort?: number;
  /** --ingress-default-ssl-certificate: namespace/name of the controller's default certificate. */
  ingressDefaultSslCertificate?: string;
  /** Image GC flags; absent ones take the kubelet's defaults (DEFAULT_IMAGE_GC_POLICY). */
  /** --registries FILE (k3s's registries.yaml format). */
  registries?: string;
  imageGcHighThreshold?: number;
  imageGcLowThreshold?: number;
  /** Milliseconds. */
  imageMinimumGcAge?: number;
  /** Milliseconds; 0 is off. */
  imageMaximumGcAge?: number;
  /** Container log rotation flags (bytes, files); absent: 10Mi, 5. */
  containerLogMaxSize?: number;
  containerLogMaxFiles?: number;
  /** --eviction-hard as given (checked by the flag table), --eviction-pressure-transition-period in ms. */
  evictionHard?: string;
  evictionPressureTransitionPeriod?: number;
}

/** `bosun agent`'s flags (node-flags.ts) with the kubelet's cross-flag image GC check. */
export const AGENT_COMMAND: FlagCommand = {
  name: 'agent', description: AGENT_DESCRIPTION, flags: AGENT_FLAGS,
  check: (o) => imageGCFlagsError(o),
};

/**
 * Idle API connections each of the agent's clients keeps (besides those its watches hold). 20 pods
 * started at once (token requests, events, status writes) open ~20 TLS connections of ~150 KiB each
 * (OpenSSL's and node's TLS buffers, parser, read slab); kept idle, they stayed for the agent's life.
 * A kubelet sends everything over one HTTP/2 connection; two idle ones serve the agent's steady
 * requests (lease, status).
 */
const AGENT_IDLE_SOCKETS = 2;

/** The join token: --token, else --token-file, else $BOSUN_TOKEN (k3s: --token, --token-file, $K3S_TOKEN). */
export async function readToken(o: Pick<AgentCommandOptions, 'token' | 'tokenFile'>): Promise<string> {
  if (o.token) return o.token;
  if (o.tokenFile) return readFileSync(o.tokenFile, 'utf8').trim();
  if (process.env.BOSUN_TOKEN) return process.env.BOSUN_TOKEN;
  throw new Error('a join token is required: --token, --token-file or BOSUN_TOKEN (the server keeps it in its DATA_DIR/token)');
}

/** Runs the agent until a signal stops it. */
export async function runAgent(o: AgentCommandOptions): Promise<void> {
  const out = process.stdout;
  const nodeName = (o.nodeName ?? hostname()).toLowerCase();
  // Read before joining: a bad registries file is a usage error, not a half-started node.
  const registryConfig = loadRegistries(o.registries);
  writePidFile(o.dataDir);
  const nodeIP = o.nodeIp ?? firstIPv4();
  const token = await readToken(o);
  // Until the server answers (the machine's network coming up, the server restarting) each step retries, logging each retry.
  const retryLog = (m: string): void => void out.write(`bosun: ${m}\n`);
  const ingress = (o.ingressHttpPort ?? 0) > 0 || (o.ingressHttpsPort ?? 0) > 0;
  const join = (signal?: AbortSignal, onIngressRefused?: (m: string) => void) => joinCluster({ server: o.server, token, nodeName, dataDir: o.dataDir, addresses: [nodeIP, hostname().toLowerCase()], ingress, log: retryLog, signal, onIngressRefused });
  // Every start joins again, so the node's certificates are renewed at start; cert-renewal.ts renews them while running.
  const joined = await join();
  out.write(`bosun: node ${nodeName} joined ${o.server}\n`);
  const client = KubeClient.fromKubeconfig(joined.kubeconfigPath, { userAgent: kubernetesUserAgent('kubelet'), maxFreeSockets: AGENT_IDLE_SOCKETS });
  // The proxy and DNS with their own identities from the join (node-credentials.ts), not the node's.
  const proxyClient = new KubeClient({ server: client.config.server, ca: joined.caCert, ...joined.proxy }, { userAgent: kubernetesUserAgent('kube-proxy'), maxFreeSockets: AGENT_IDLE_SOCKETS });
  const dnsClient = new KubeClient({ server: client.config.server, ca: joined.caCert, ...joined.dns }, { userAgent: `bosun-dns/${nodeName}`, maxFreeSockets: AGENT_IDLE_SOCKETS });
  const ingressClient = joined.ingress && new KubeClient({ server: client.config.server, ca: joined.caCert, ...joined.ingress }, { userAgent: `bosun-ingress/${nodeName}`, maxFreeSockets: AGENT_IDLE_SOCKETS });
  const podCIDR = o.podCidr ?? (await awaitPodCIDR({ client, nodeName, log: retryLog }));
  out.write(`bosun: pod CIDR ${podCIDR}\n`);

  const node = await startClusterNode({
    client, proxyClient, dnsClient, dataDir: o.dataDir, nodeName, nodeIP, podCIDR, cgroupRoot: o.cgroupRoot, bridge: o.cniBridge,
    clusterCidr: o.clusterCidr, serviceCidr: o.serviceCidr, dnsPort: o.clusterDnsPort, podNetwork: o.routes, proxyTable: o.proxyTable, networkPolicy: !o.disableNetworkPolicy,
    ingress: { httpPort: o.ingressHttpPort, httpsPort: o.ingressHttpsPort, client: ingressClient, defaultCertificate: o.ingressDefaultSslCertificate },
    containerLogs: containerLogPolicyFromFlags(o),
        eviction: { hard: o.evictionHard, pressureTransitionMs: o.evictionPressureTransitionPeriod },
    imageGC: imageGCPolicyFromFlags(o), registryConfig,
    agentServer: { port: o.agentPort, tls: { cert: joined.serving.cert, key: joined.serving.key, clientCa: joined.caCert } },
  });
  out.write(`bosun: agent running (node ${nodeName}, ${node.node.agent.hostIP}, agent port ${node.node.server?.port ?? o.agentPort})\n`);
  const renewal = startCertRenewal({
    current: joined,
    // `join` asks for the ingress certificate again when this node runs the controller; a refusal
    // (no longer in --agent-ingress-nodes) still renews the rest, and the controller keeps its old one.
    renew: (signal) => join(signal, (m) => out.write(`bosun: the Ingress controller's certificate was not renewed: ${m}\n`)),
    apply: applyTo({ client, proxy: proxyClient, dns: dnsClient, ingress: ingressClient, server: node.node.server }),
    log: (m) => out.write(`bosun: ${m}\n`),
  });

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    out.write(`bosun: ${signal} received, stopping the agent (pods, Service rules and routes stay; bosun killall removes them)\n`);
    (async () => {
      // As kube-proxy and k3s: a stopped agent leaves its Service rules, routes and masquerade in
      // place for the pods that keep running (the next start adopts them); `bosun killall` removes them.
      renewal.stop();
      await node.stop({ keepNetwork: true });
      for (const c of [client, proxyClient, dnsClient, ingressClient]) c?.close();
    })().then(
      () => process.exit(0),
      (err) => {
        console.error('bosun: error during shutdown:', err);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

/** Parses the arguments after `bosun agent` (config file included). */
export function parseAgentArgs(args: string[], o: { defaultConfigFile?: string } = {}): ParsedFlags<AgentCommandOptions> {
  return parseFlags<AgentCommandOptions>(AGENT_COMMAND, args, o);
}

/**
 * `bosun agent` as its own entry point (bin/bosun.js routes `bosun agent ...` here, main.ts too):
 * the agent process never loads the control plane (API server, store backends, controllers,
 * scheduler) that `bosun server` needs, nor commander (~0.5 MiB of RSS on every node): the flags
 * are parsed with node's util.parseArgs from the one flag table (src/cli/flags).
 */
export async function agentMain(argv: string[]): Promise<void> {
  await runFlagCommand<AgentCommandOptions>(AGENT_COMMAND, argv.slice(3), runAgent);
}
