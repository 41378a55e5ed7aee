import { join } from 'node:path';
import { realClock, type Clock } from '../controller-runtime/clock/clock.js';
import type { Node, Pod } from '../api/kinds/index.js';
import type { KubeClient } from '../client/kube-client.js';
import { runtimeHandlerOf } from './pods/runtime-handler.js';
import { EventRecorder } from '../controller-runtime/events/recorder.js';
import { SharedInformerFactory } from '../controller-runtime/informer/index.js';
import { resources } from '../client/resource-ref.js';
import { defaultLogger, type Logger } from '../controller-runtime/log.js';
import { PAUSE_IMAGE } from './containerd/pause-image.js';
import { startImageGC } from './images/image-gc-loop.js';
import { DEFAULT_IMAGE_GC_POLICY, type ImageGCPolicy } from './images/image-gc-policy.js';
import { CONTAINER_LOG_MONITOR_MS, DEFAULT_CONTAINER_LOG_MAX_FILES, DEFAULT_CONTAINER_LOG_MAX_SIZE, startContainerLogManager, type ContainerLogPolicy } from './logs/container-log-manager.js';
import { retryTransient } from './join/retry-transient.js';
import { readMachineInfo } from './node/machine-info.js';
import { kubeletNodeRef } from './node/condition-events.js';
import { DeviceManager } from './device-plugins/device-manager.js';
import { NodeAgent } from './node/node-agent.js';
import { allocatable } from './node/node-status.js';
import { Backoff } from './pods/backoff.js';
import { EvictionManager } from './eviction/eviction-manager.js';
import { readPodStats } from './eviction/pod-usage.js';
import { DEFAULT_EVICTION_HARD, evictionReserve, parseEvictionHard } from './eviction/thresholds.js';
import { hostCgroupLayout } from './metrics/cgroup-usage.js';
import { podLogDir } from './pods/sandbox-config.js';
import type { AgentDeps } from './pods/context.js';
import { ImagePuller } from './pods/image-puller.js';
import { PodManager } from './pods/pod-manager.js';
import { admitPod } from './pods/admit-pod.js';
import { ReferencedObjects } from './pods/referenced-objects.js';
import { ServiceCache } from './pods/service-cache.js';
import { ProbeManager } from './probes/probe-manager.js';
import type { ContainerRuntime } from './runtime/types.js';
import { StatusManager } from './status/status-manager.js';
import { apiClaimResolver } from './volumes/persistent-volumes.js';
import { ServiceAccountTokenManager } from './volumes/service-account-tokens.js';
import { VolumeManager } from './volumes/volume-manager.js';

/**
 * The node agent (Bosun's kubelet), assembled: node registration, lease and status; the pods bound
 * to this node run through `runtime` (containerd's CRI in production, the fake in unit tests).
 * Layout under `dataDir`: pods/<uid>/ (volumes, etc-hosts), logs/<ns>_<name>_<uid>/<container>/N.log.
 *
 * `stop()` ends the agent's loops and watches but leaves pods running, like stopping a kubelet:
 * a new agent on the same runtime adopts them without restarting anything.
 */

export interface AgentOptions {
  client: KubeClient;
  nodeName: string;
  runtime: ContainerRuntime;
  dataDir: string;
  /** The node's pod CIDR (until a node IPAM controller assigns it). */
  podCIDR?: string;
  /** InternalIP to report (default: the first non-loopback IPv4). */
  nodeIP?: string;
  /** cgroupfs parent of pod cgroups (default "/bosun": pods get /bosun/pod<uid>). */
  cgroupRoot?: string;
  /** Cluster DNS servers for dnsPolicy ClusterFirst (empty: the host's resolv.conf). */
  clusterDNS?: string[];
  clusterDomain?: string;
  /** Extra node labels. */
  labels?: Record<string, string>;
  /** Runtime relist period (PLEG), default 1 s. */
  relistMs?: number;
  /** Periodic re-sync of each pod, default 60 s as kubelet's --sync-frequency (changes wake a pod's worker at once: API events, the runtime relist, probe results, ConfigMap/Secret updates). */
  resyncMs?: number;
  leaseRenewMs?: number;
  statusUpdateMs?: number;
  /** Port of the agent's own server (pods/log, exec), advertised in status.daemonEndpoints. */
  agentPort?: number;
  /** CrashLoopBackOff delays (default 10 s doubling to 5 min). */
  crashBackoff?: { initialMs: number; maxMs: number };
  /** Time of pod workers' wake-ups and of the sandbox, crash and image pull back-offs (AgentDeps.clock); tests pass a FakeClock. */
  clock?: Clock;
  /** ImagePullBackOff delays (default 10 s doubling to 5 min). */
  imagePullBackoff?: { initialMs: number; maxMs: number };
  /** Image garbage collection (kubelet defaults: 85 %, 80 %, 2m, no maximum age; every 5 minutes). */
  imageGC?: Partial<ImageGCPolicy> & {
    periodMs?: number;
    /** The sandbox image, never collected (default Bosun's pause image). */
    sandboxImage?: string;
  };
  /** Node-pressure eviction (kubelet's --eviction-hard, --eviction-pressure-transition-period; upstream defaults). */
  eviction?: { hard?: string; pressureTransitionMs?: number; monitorMs?: number };
  /** Container log rotation (kubelet defaults: 10Mi, 5 files, checked every 10 s). */
  containerLogs?: Partial<ContainerLogPolicy>;
  logger?: Logger;
}

export interface Agent {
  nodeName: string;
  hostIP: string;
  nodeAgent: NodeAgent;
  pods: PodManager;
  /** Stops the agent (pods keep running). */
  stop(): Promise<void>;
}

export async function startAgent(o: AgentOptions): Promise<Agent> {
  const log = (o.logger ?? defaultLogger()).child({ component: 'agent', node: o.nodeName });
  const machine = readMachineInfo(o.dataDir, o.nodeIP);
  const thresholds = parseEvictionHard(o.eviction?.hard ?? DEFAULT_EVICTION_HARD);
  const reserve = evictionReserve(thresholds, machine.memoryBytes);
  const alloc = allocatable(machine, reserve);
  const version = await o.runtime.version();

  const layout = hostCgroupLayout();
  // Built before the node agent reads its pressure; its callbacks reach pods, deps and recorder only once started.
  const eviction: EvictionManager = new EvictionManager({
    thresholds, monitorMs: o.eviction?.monitorMs, pressureTransitionMs: o.eviction?.pressureTransitionMs,
    nodeFsDir: o.dataDir,
    imageFsDir: async () => (await o.runtime.imageFsInfo?.())?.mountpoint,
    activePods: (): Pod[] => pods.activePods(),
    stats: (list, disk) => readPodStats({
      runtime: o.runtime, layout, cgroupRoot: deps.sandboxEnv.cgroupRoot,
      podDir: (uid) => deps.volumes.podDir(uid), logDir: (pod) => podLogDir(pod, deps.sandboxEnv.logsDir),
    }, list, disk),
    evict: (pod, message, grace) => pods.evict(pod.metadata.uid!, message, grace),
    event: (pod, type, reason, message) => recorder.event(pod, type, reason, message),
    onPressureChange: () => void nodeAgent.updateStatus().catch((err: unknown) => log.warn({ err: String(err) }, 'node status update after a pressure change failed')),
    log: log.child({ component: 'eviction-manager' }),
  });
  // Device plugins register on DATA_DIR/device-plugins/kubelet.sock; a change in their devices posts the node status at once.
  const devices = new DeviceManager({
    dataDir: o.dataDir, isActive: (uid) => pods.isActive(uid), log: log.child({ component: 'device-manager' }),
    onChange: () => void nodeAgent.updateStatus().catch((err: unknown) => log.warn({ err: String(err) }, 'node status update after a device change failed')),
  });
  const recorder = new EventRecorder(o.client, { component: 'kubelet', host: o.nodeName, logger: log });
  // As kubelet.Run: "Starting kubelet." about the node (kubelet's nodeRef: its name as UID).
  recorder.event(kubeletNodeRef(o.nodeName), 'Normal', 'Starting', 'Starting kubelet.');
  const nodeAgent = new NodeAgent({
    client: o.client, nodeName: o.nodeName, runtime: o.runtime, machine, dataDir: o.dataDir, podCIDR: o.podCIDR, labels: o.labels,
    leaseRenewMs: o.leaseRenewMs, statusUpdateMs: o.statusUpdateMs, agentPort: o.agentPort, deviceResources: () => devices.resources(), log,
    pressure: () => eviction.pressure(), reserve, nodeEvent: (reason, message) => recorder.event(kubeletNodeRef(o.nodeName), 'Normal', reason, message),
  });
  // As kubelet's registerWithAPIServer: a server not reachable yet (the machine's network coming up) is waited for.
  await retryTransient(`registering node ${o.nodeName}`, () => nodeAgent.register(), { log: (m) => log.warn({}, m) });

  const factory = new SharedInformerFactory(o.client, { logger: log });
  // Each Secret and ConfigMap a pod uses is watched on its own: the node may read no others.
  const lookup = new ReferencedObjects({ client: o.client, onChange: (ns) => pods.kickNamespace(ns), logger: log });
  // Container env carries the Services' variables (kubelet's serviceLister): a list+watch of their env fields.
  const services = new ServiceCache(o.client, log);
  // Probe results wake the pod's worker; `pods` exists before any probe runs.
  const kick = (uid: string) => pods.worker(uid)?.kick();
  const probes = new ProbeManager({
    runtime: o.runtime,
    onChange: (e) => kick(e.pod.metadata.uid!),
    onFailure: (e) => {
      const kind = e.type === 'liveness' ? 'Liveness' : e.type === 'readiness' ? 'Readiness' : 'Startup';
      recorder.event(e.pod, 'Warning', 'Unhealthy', `${kind} probe failed: ${e.output}`);
    },
  });
  const now = () => (o.clock ?? realClock).now();
  const deps: AgentDeps = {
    runtime: o.runtime,
    runtimeName: version.runtimeName || 'containerd',
    volumes: new VolumeManager({
      podsDir: join(o.dataDir, 'pods'), lookup, allocatable: { cpu: alloc.cpu!, memory: alloc.memory! }, claims: apiClaimResolver(o.client),
      tokens: new ServiceAccountTokenManager(o.client),
    }),
    images: new ImagePuller(o.runtime, new Backoff(o.imagePullBackoff?.initialMs, o.imagePullBackoff?.maxMs, now), recorder, lookup),
    probes,
    crashBackoff: new Backoff(o.crashBackoff?.initialMs, o.crashBackoff?.maxMs, now),
    clock: o.clock,
    events: recorder,
    lookup,
    references: lookup,
    services: () => services.list(),
    devices,
    sandboxEnv: {
      clusterDNS: o.clusterDNS ?? [], clusterDomain: o.clusterDomain ?? 'cluster.local',
      cgroupRoot: o.cgroupRoot ?? '/bosun', logsDir: join(o.dataDir, 'logs'), seccompDir: join(o.dataDir, 'seccomp'),
    },
    node: { name: o.nodeName, hostIP: machine.internalIP, allocatable: { cpu: alloc.cpu!, memory: alloc.memory! }, memoryCapacity: machine.memoryBytes },
    status: new StatusManager(o.client, log),
    log,
    runtimeHandler: (pod) => runtimeHandlerOf(o.client, pod),
  };
  // The kubelet's node lister: admission reads the Node's labels and taints as the watch has them.
  const ownNode = factory.informerFor<Node>(resources.nodes, { fieldSelector: `metadata.name=${o.nodeName}` });
  const admitSources = {
    pressure: (pod: Pod) => eviction.admit(pod),
    cachedNode: () => (ownNode.indexer.get(o.nodeName) as Node | undefined) ?? nodeAgent.node,
    freshNode: () => o.client.nodes<Node>().get(o.nodeName),
  };
  const pods: PodManager = new PodManager({ nodeName: o.nodeName, factory, deps, resyncMs: o.resyncMs ?? 60_000, relistMs: o.relistMs ?? 1000, admit: (pod, admitted) => admitPod(pod, admitted, admitSources) });
  // Pods synced before the Services' first list would fail once and retry: list them first (at most 5 s).
  services.start();
  await services.waitForSync(5000);
  pods.register();
  factory.start();
  await factory.waitForCacheSync();
  pods.startRelist();
  // Without the socket (a path over the 108-byte unix limit, a read-only dir) pods still run, only no plugin can register.
  await devices.start().catch((err: unknown) => log.error({ err: String(err) }, 'device plugin registration socket failed; no device plugins'));
  nodeAgent.start();
  // Events about the node carry the kubelet's nodeRef (uid = node name).
  const nodeRef = kubeletNodeRef(o.nodeName);
  const imageGC = startImageGC({
    runtime: o.runtime,
    policy: { ...DEFAULT_IMAGE_GC_POLICY, ...withoutUndefined(o.imageGC ?? {}) },
    periodMs: o.imageGC?.periodMs,
    sandboxImage: o.imageGC?.sandboxImage ?? PAUSE_IMAGE,
    nodeEvent: (reason, message) => recorder.event(nodeRef, 'Warning', reason, message),
    log: log.child({ component: 'image-gc' }),
  });
  const containerLogs = startContainerLogManager(o.runtime, join(o.dataDir, 'logs'), {
    maxSize: o.containerLogs?.maxSize ?? DEFAULT_CONTAINER_LOG_MAX_SIZE,
    maxFiles: o.containerLogs?.maxFiles ?? DEFAULT_CONTAINER_LOG_MAX_FILES,
    monitorMs: o.containerLogs?.monitorMs ?? CONTAINER_LOG_MONITOR_MS,
  }, log.child({ component: 'container-logs' }));
  eviction.start();
  log.info({ hostIP: machine.internalIP }, 'node agent started');

  return {
    nodeName: o.nodeName,
    hostIP: machine.internalIP,
    nodeAgent,
    pods,
    async stop() {
      await eviction.stop();
      await imageGC?.stop();
      await containerLogs?.stop();
      await pods.stop();
      await devices.stop();
      probes.stop();
      await nodeAgent.stop();
      await factory.stop();
      await lookup.stop();
      await services.stop();
      await recorder.close();
    },
  };
}

/** The policy fields that are set (an explicit undefined keeps the default). */
function withoutUndefined(p: Partial<ImageGCPolicy>): Partial<ImageGCPolicy> {
  const out: Partial<ImageGCPolicy> = {};
  for (const k of ['highThresholdPercent', 'lowThresholdPercent', 'minAgeMs', 'maxAgeMs'] as const) {
    if (p[k] !== undefined) out[k] = p[k];
  }
  return out;
}
