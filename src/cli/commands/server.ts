/**
 * `bosun server`: the whole control plane (API server, controllers, scheduler) on one data
 * directory, plus the node agent for this machine unless --disable-agent, and simulated nodes with
 * --simulated-nodes N. Prints where to point kubectl and a `bosun: listening on URL` line (tests read
 * the real port from it when started with --port 0). SIGTERM/SIGINT stop it cleanly with exit 0;
 * the node's pods, Service rules and routes stay (`bosun killall` removes them).
 */
import { imageGCFlagsError, imageGCPolicyFromFlags } from '../../agent/images/image-gc-policy.js';
import { containerLogPolicyFromFlags } from '../../agent/logs/container-log-manager.js';
import { startControlPlane, type ControlPlane } from '../../cluster/control-plane.js';
import { startEmbeddedNode } from '../../cluster/embedded-node.js';
import { firstIPv4 } from '../../agent/node/machine-info.js';
import { SERVER_DESCRIPTION, SERVER_FLAGS } from '../flags/server-flags.js';
import { writePidFile } from '../../cluster/host-resources.js';
import { loadRegistries } from '../../agent/registries/registries-file.js';
import { parseFlags, runFlagCommand, type FlagCommand, type ParsedFlags } from '../flags/parse-flags.js';
import { execWithServerHeapFlags } from '../server-heap.js';

/** The parsed flags (node-flags.ts SERVER_FLAGS, keyed as keyOf names them; durations in ms). */
export interface ServerCommandOptions {
  dataDir: string;
  port: number;
  bindAddress: string;
  store: 'sqlite' | 'memory' | 'etcd';
  etcdEndpoints?: string[];
  etcdCafile?: string;
  etcdCertfile?: string;
  etcdKeyfile?: string;
  /** --encryption-provider-config FILE. */
  encryptionProviderConfig?: string;
  secretsEncryption: boolean;
  auditPolicyFile?: string;
  auditLogPath?: string;
  auditLogMaxsize: number;
  auditLogMaxbackup: number;
  auditLogMaxage: number;
  /** --service-account-signing-key-file and --service-account-key-file (repeatable); absent: the data dir's keys. */
  serviceAccountSigningKeyFile?: string;
  serviceAccountKeyFile?: string[];
  /** kube-apiserver's request limits: APF's server concurrency limit is their sum; the pools themselves only with --enable-priority-and-fairness=false. */
  maxRequestsInflight: number;
  maxMutatingRequestsInflight: number;
  enablePriorityAndFairness: boolean;
  /** --anonymous-auth (default true, as kube-apiserver): requests without credentials are system:anonymous; false: 401. */
  anonymousAuth: boolean;
  /** --event-ttl in ms (default 1h, as kube-apiserver): Events are deleted this long after their last write. */
  eventTtl: number;
  disableAgent: boolean;
  disableScheduler: boolean;
  disableControllerManager: boolean;
  nodeName?: string;
  nodeIp?: string;
  agentPort: number;
  clusterDnsPort: number;
  /** The built-in Ingress controller's ports (absent or 0: off). */
  ingressHttpPort?: number;
  /** Joined nodes issued the Ingress controller's credential (`*`: every node); none by default. */
  agentIngressNodes?: string[];
  ingressHttpsPort?: number;
  /** --ingress-default-ssl-certificate: namespace/name of the controller's default certificate. */
  ingressDefaultSslCertificate?: string;
  clusterCidr: string;
  serviceCidr: string;
  serviceNodePortRange: string;
  podCidr?: string;
  cniBridge?: string;
  cgroupRoot?: string;
  proxyTable?: string;
  routes: boolean;
  /** --disable-network-policy: this machine's node runs no NetworkPolicy enforcer (src/network-policy). */
  disableNetworkPolicy?: boolean;
  /** --registries FILE (k3s's registries.yaml format). */
  registries?: string;
  serviceLbPool?: string[];
  simulatedNodes: number;
  simulatedNodeCpu: string;
  simulatedNodeMemory: string;
  simulatedNodePods: number;
  simulatedReadyDelay: number;
  simulatedHeartbeat: number;
  nodeMonitorGracePeriod: number;
  horizontalPodAutoscalerSyncPeriod: number;
  horizontalPodAutoscalerDownscaleStabilization: number;
  horizontalPodAutoscalerCpuInitializationPeriod: number;
  horizontalPodAutoscalerInitialReadinessDelay: number;
  defaultTolerationSeconds?: number;
  defaultNotReadyTolerationSeconds?: number;
  defaultUnreachableTolerationSeconds?: number;
  terminatedPodGcThreshold: number;
  /** Image GC of this machine's node (absent: the kubelet's defaults). */
  imageGcHighThreshold?: number;
  imageGcLowThreshold?: number;
  imageMinimumGcAge?: number;
  imageMaximumGcAge?: number;
  /** Container log rotation flags (bytes, files); absent: 10Mi, 5. */
  containerLogMaxSize?: number;
  containerLogMaxFiles?: number;
  /** --eviction-hard as given (checked by the flag table), --eviction-pressure-transition-period in ms. */
  evictionHard?: string;
  evictionPressureTransitionPeriod?: number;
}

/** `bosun server`'s flags with the kubelet's cross-flag image GC check. */
export const SERVER_COMMAND: FlagCommand = {
  name: 'server', description: SERVER_DESCRIPTION, flags: SERVER_FLAGS,
  check: (o) => imageGCFlagsError(o),
};

/** Parses the arguments after `bosun server` (config file included). */
export function parseServerArgs(args: string[], o: { defaultConfigFile?: string } = {}): ParsedFlags<ServerCommandOptions> {
  return parseFlags<ServerCommandOptions>(SERVER_COMMAND, args, o);
}

/**
 * The URL other machines join at, for the hint printed at start: the bind address, or with a
 * wildcard bind this node's address (--node-ip, else the first non-loopback IPv4), never loopback
 * when the server is reachable from elsewhere.
 */
export function joinUrl(bindAddress: string, port: number, nodeIp: string = firstIPv4()): string {
  const wildcard = bindAddress === '0.0.0.0' || bindAddress === '::' || bindAddress === '';
  const host = wildcard ? nodeIp : bindAddress;
  return `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** Stops `stop` on the first SIGTERM/SIGINT and exits 0 (1 if shutdown fails). */
export function stopOnSignals(what: string, stop: () => Promise<void>): void {
  let stopping = false;
  const onSignal = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`bosun: ${signal} received, stopping ${what}\n`);
    stop().then(
      () => process.exit(0),
      (err) => {
        console.error('bosun: error during shutdown:', err);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => onSignal('SIGTERM'));
  process.once('SIGINT', () => onSignal('SIGINT'));
}

/**
 * Bosun's --default-not-ready/unreachable-toleration-seconds default: 15 s, where upstream's is 300 s.
 * Fast failover is a promise of the product (bench/failover.bench.ts: replacements Ready within 60 s
 * of a node's death with the defaults); a pod or a server flag can still ask for upstream's 300.
 */
const DEFAULT_TOLERATION_SECONDS = 15;

/** Runs the server until a signal stops it. */
export async function runServer(o: ServerCommandOptions): Promise<void> {
  execWithServerHeapFlags();
  const out = process.stdout;
  const registryConfig = o.disableAgent ? undefined : loadRegistries(o.registries);
  const cp: ControlPlane = await startControlPlane({
    dataDir: o.dataDir, port: o.port, bindAddress: o.bindAddress, store: o.store, etcdEndpoints: o.etcdEndpoints,
    etcdTls: { caFile: o.etcdCafile, certFile: o.etcdCertfile, keyFile: o.etcdKeyfile },
    encryptionProviderConfig: o.encryptionProviderConfig, secretsEncryption: o.secretsEncryption,
    audit: { policyFile: o.auditPolicyFile, path: o.auditLogPath, maxSizeMb: o.auditLogMaxsize, maxBackups: o.auditLogMaxbackup, maxAgeDays: o.auditLogMaxage },
    serviceAccountKeys: { signingKeyFile: o.serviceAccountSigningKeyFile, keyFiles: o.serviceAccountKeyFile },
    anonymousAuth: o.anonymousAuth, eventTtlMs: o.eventTtl,
    inflight: { readOnly: o.maxRequestsInflight, mutating: o.maxMutatingRequestsInflight, priorityAndFairness: o.enablePriorityAndFairness },
    disableScheduler: o.disableScheduler, disableControllerManager: o.disableControllerManager,
    serviceRanges: { serviceCidr: o.serviceCidr, nodePortRange: o.serviceNodePortRange },
    agentIngressNodes: o.agentIngressNodes,
    defaultTolerationSeconds: {
      notReady: o.defaultNotReadyTolerationSeconds ?? o.defaultTolerationSeconds ?? DEFAULT_TOLERATION_SECONDS,
      unreachable: o.defaultUnreachableTolerationSeconds ?? o.defaultTolerationSeconds ?? DEFAULT_TOLERATION_SECONDS,
    },
    controllers: {
      nodeIpam: { clusterCidr: o.clusterCidr },
      // Pods carry their not-ready/unreachable tolerations from the admission plugin, so the taint
      // manager evicts by the pod's own tolerations only, as upstream's (no default of its own).
      nodeLifecycle: { gracePeriodMs: o.nodeMonitorGracePeriod, defaultTolerationSeconds: null },
      serviceLb: { addressPool: o.serviceLbPool },
      podGc: { terminatedPodThreshold: o.terminatedPodGcThreshold },
      horizontalPodAutoscaler: {
        syncPeriodMs: o.horizontalPodAutoscalerSyncPeriod, downscaleStabilizationMs: o.horizontalPodAutoscalerDownscaleStabilization,
        cpuInitializationPeriodMs: o.horizontalPodAutoscalerCpuInitializationPeriod, delayOfInitialReadinessStatusMs: o.horizontalPodAutoscalerInitialReadinessDelay,
      },
    },
    simulatedNodes: o.simulatedNodes > 0 ? {
      count: o.simulatedNodes, cpu: o.simulatedNodeCpu, memory: o.simulatedNodeMemory, pods: o.simulatedNodePods,
      readyDelayMs: o.simulatedReadyDelay, heartbeatMs: o.simulatedHeartbeat,
    } : undefined,
    log: (m) => out.write(`bosun: ${m}\n`),
  });
  writePidFile(o.dataDir);
  const stops: Array<() => Promise<void>> = [() => cp.stop()];
  if (!o.disableAgent) {
    try {
      const node = await startEmbeddedNode(cp.api, { dataDir: o.dataDir, nodeName: o.nodeName, nodeIP: o.nodeIp, agentPort: o.agentPort,
        containerLogs: containerLogPolicyFromFlags(o),
        eviction: { hard: o.evictionHard, pressureTransitionMs: o.evictionPressureTransitionPeriod },
        podCIDR: o.podCidr, bridge: o.cniBridge, cgroupRoot: o.cgroupRoot, dnsPort: o.clusterDnsPort, clusterCidr: o.clusterCidr,
        ingress: { httpPort: o.ingressHttpPort, httpsPort: o.ingressHttpsPort, defaultCertificate: o.ingressDefaultSslCertificate },
        serviceCidr: o.serviceCidr, podNetwork: o.routes, proxyTable: o.proxyTable, networkPolicy: !o.disableNetworkPolicy, imageGC: imageGCPolicyFromFlags(o), registryConfig,
      });
      // As kube-proxy and k3s: a stopped server leaves its node's Service rules, routes and
      // masquerade in place for the pods that keep running (the next start takes them over);
      // `bosun killall` removes them.
      stops.push(() => node.stop({ keepNetwork: true }));
      out.write(`bosun: node ${node.node.node.agent.nodeName} running (pod CIDR ${node.node.node.podCIDR})\n`);
    } catch (err) {
      await cp.stop();
      throw new Error(`cannot start this machine's node agent: ${(err as Error).message}\n(pass --disable-agent to run the control plane only)`);
    }
  }
  out.write(`bosun: kubeconfig written to ${cp.api.kubeconfigPath}\n`);
  if (cp.api.joinToken) out.write(`bosun: agents join with: bosun agent --server ${joinUrl(o.bindAddress, cp.api.port, o.nodeIp)} --token-file ${o.dataDir}/token\n`);
  out.write(`bosun: try: kubectl --kubeconfig ${cp.api.kubeconfigPath} get ns\n`);
  out.write(`bosun: listening on ${cp.api.url}\n`);
  stopOnSignals('server', async () => {
    for (const s of stops.reverse()) await s();
  });
}

/** `bosun server ARGS...` (main.ts routes it here). */
export async function serverMain(args: string[]): Promise<void> {
  await runFlagCommand<ServerCommandOptions>(SERVER_COMMAND, args, runServer);
}
