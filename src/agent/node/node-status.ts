import type { Node, NodeCondition, NodeStatus } from '../../api/kinds/index.js';
import type { MachineInfo } from './machine-info.js';
import { rfc3339Seconds } from '../../controller-runtime/utc-time.js';

/**
 * The Node object the agent registers and the status it posts, as pure functions of the machine
 * info, the runtime's version and health, and the previous conditions (kubelet's setters).
 */

export const KUBELET_VERSION = 'v1.32.0-bosun';
export const MAX_PODS = 110;
/**
 * What node allocatable keeps back (kubelet: capacity - reserved - hard eviction threshold): the
 * memory.available and nodefs.available thresholds; the defaults are upstream's 100Mi and 10%.
 */
export interface EvictionReserve {
  memoryBytes: number;
  /** Fraction of ephemeral storage (0.1), or... */
  storageFraction?: number;
  /** ...an absolute amount. */
  storageBytes?: number;
}
const DEFAULT_RESERVE: EvictionReserve = { memoryBytes: 100 * 1024 * 1024, storageFraction: 0.1 };

export interface NodeHealth {
  runtimeReady: boolean;
  runtimeMessage?: string;
  memoryPressure: boolean;
  diskPressure: boolean;
  pidPressure: boolean;
}

const ki = (bytes: number) => `${Math.floor(bytes / 1024)}Ki`;
const seconds = (d: Date) => rfc3339Seconds(d.getTime());

export function nodeLabels(nodeName: string, m: MachineInfo): Record<string, string> {
  return {
    'kubernetes.io/hostname': nodeName,
    'kubernetes.io/os': 'linux',
    'kubernetes.io/arch': m.architecture,
    'beta.kubernetes.io/os': 'linux',
    'beta.kubernetes.io/arch': m.architecture,
  };
}

export function capacity(m: MachineInfo): Record<string, string> {
  return { cpu: String(m.cpus), memory: ki(m.memoryBytes), pods: String(MAX_PODS), 'ephemeral-storage': ki(m.ephemeralStorageBytes) };
}

export function allocatable(m: MachineInfo, r: EvictionReserve = DEFAULT_RESERVE): Record<string, string> {
  const storageReserve = r.storageBytes ?? Math.ceil(m.ephemeralStorageBytes * (r.storageFraction ?? 0));
  return {
    cpu: String(m.cpus),
    memory: ki(Math.max(0, m.memoryBytes - r.memoryBytes)),
    pods: String(MAX_PODS),
    'ephemeral-storage': String(Math.max(0, m.ephemeralStorageBytes - storageReserve)),
  };
}

function condition(prev: NodeCondition[] | undefined, type: string, status: 'True' | 'False', reason: string, message: string, now: Date): NodeCondition {
  const old = prev?.find((c) => c.type === type);
  return {
    type, status, reason, message,
    lastHeartbeatTime: seconds(now),
    lastTransitionTime: old && old.status === status && old.lastTransitionTime ? old.lastTransitionTime : seconds(now),
  };
}

export function nodeConditions(prev: NodeCondition[] | undefined, h: NodeHealth, now: Date): NodeCondition[] {
  return [
    h.memoryPressure
      ? condition(prev, 'MemoryPressure', 'True', 'KubeletHasInsufficientMemory', 'kubelet has insufficient memory available', now)
      : condition(prev, 'MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available', now),
    h.diskPressure
      ? condition(prev, 'DiskPressure', 'True', 'KubeletHasDiskPressure', 'kubelet has disk pressure', now)
      : condition(prev, 'DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure', now),
    h.pidPressure
      ? condition(prev, 'PIDPressure', 'True', 'KubeletHasInsufficientPID', 'kubelet has insufficient PID available', now)
      : condition(prev, 'PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available', now),
    h.runtimeReady
      ? condition(prev, 'Ready', 'True', 'KubeletReady', 'kubelet is posting ready status', now)
      : condition(prev, 'Ready', 'False', 'KubeletNotReady', `container runtime is down: ${h.runtimeMessage ?? 'unknown'}`, now),
  ];
}

export function nodeStatus(m: MachineInfo, runtimeVersion: string, prev: NodeCondition[] | undefined, h: NodeHealth, now: Date, agentPort = 0, reserve?: EvictionReserve): NodeStatus {
  return {
    capacity: capacity(m),
    allocatable: allocatable(m, reserve),
    conditions: nodeConditions(prev, h, now),
    addresses: [
      { type: 'InternalIP', address: m.internalIP },
      { type: 'Hostname', address: m.hostname },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: agentPort } },
    nodeInfo: {
      machineID: m.machineID, systemUUID: m.systemUUID, bootID: m.bootID,
      kernelVersion: m.kernelVersion, osImage: m.osImage, containerRuntimeVersion: runtimeVersion,
      kubeletVersion: KUBELET_VERSION, operatingSystem: 'linux', architecture: m.architecture,
    },
  };
}

export function nodeObject(nodeName: string, m: MachineInfo, podCIDR: string | undefined, extraLabels: Record<string, string> = {}, extraAnnotations: Record<string, string> = {}): Node {
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: {
      name: nodeName,
      labels: { ...nodeLabels(nodeName, m), ...extraLabels },
      annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true', ...extraAnnotations },
    },
    spec: podCIDR ? { podCIDR, podCIDRs: [podCIDR] } : {},
  };
}
