/**
 * The Node and Lease objects a simulated node registers and renews: what a kubelet would post
 * (capacity, allocatable, conditions, addresses, node info) and its kube-node-lease Lease, owned by
 * the Node so that deleting the Node collects the Lease.
 */
import type { ContainerImage, Lease, Node, NodeCondition } from '../api/kinds/index.js';
import { SIMULATED_NODE_LABEL } from '../api/metrics/usage-annotations.js';
import { hostIP, podCIDR } from './addresses.js';

/** Label on every simulated Node (the fleet watches only these; the metrics API reads their pods' usage annotations). */
export const SIMULATED_LABEL = SIMULATED_NODE_LABEL;
/** Annotation that pauses a simulated node's heartbeat, as if its machine died ("true"). */
export const PAUSED_ANNOTATION = 'node.bosun.dev/simulated-paused';
export const LEASE_NAMESPACE = 'kube-node-lease';

export interface NodeShape {
  cpu: string;
  memory: string;
  pods: number;
  labels: Record<string, string>;
  /** status.images, as kwok's node stage can set them (for the scheduler's ImageLocality); none when absent. */
  images?: readonly ContainerImage[];
}

/** metav1.Time: RFC 3339, seconds. */
export const seconds = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
/** metav1.MicroTime: RFC 3339 with microseconds. */
export const micro = (ms: number): string => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

export function nodeConditions(nowMs: number, previous: readonly NodeCondition[] = []): NodeCondition[] {
  const want: [string, 'True' | 'False', string, string][] = [
    ['MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
    ['DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
    ['PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
    ['Ready', 'True', 'KubeletReady', 'kubelet is posting ready status (simulated)'],
  ];
  return want.map(([type, status, reason, message]) => {
    const old = previous.find((c) => c.type === type);
    const transition = old && old.status === status ? old.lastTransitionTime : seconds(nowMs);
    return { type, status, reason, message, lastHeartbeatTime: seconds(nowMs), lastTransitionTime: transition };
  });
}

export function nodeObject(name: string, index: number, shape: NodeShape, nowMs: number): Node {
  const capacity = { cpu: shape.cpu, memory: shape.memory, pods: String(shape.pods), 'ephemeral-storage': '100Gi' };
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: {
      name,
      labels: {
        'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64',
        'node.kubernetes.io/instance-type': 'simulated', ...shape.labels, [SIMULATED_LABEL]: 'true',
      },
    },
    spec: { podCIDR: podCIDR(index), podCIDRs: [podCIDR(index)] },
    status: {
      capacity, allocatable: { ...capacity },
      conditions: nodeConditions(nowMs),
      addresses: [{ type: 'InternalIP', address: hostIP(index) }, { type: 'Hostname', address: name }],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      ...(shape.images?.length ? { images: structuredClone([...shape.images]) } : {}),
      nodeInfo: {
        machineID: name, systemUUID: name, bootID: name, kernelVersion: 'simulated', osImage: 'Bosun simulated node',
        containerRuntimeVersion: 'simulated://1.0', kubeletVersion: 'v1.32.0-bosun', kubeProxyVersion: '', operatingSystem: 'linux', architecture: 'amd64',
      },
    },
  } satisfies Node;
}

export function leaseObject(node: Pick<Node, 'metadata'>, durationSeconds: number, nowMs: number): Lease {
  const name = node.metadata.name!;
  return {
    apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
    metadata: {
      name, namespace: LEASE_NAMESPACE,
      ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name, uid: node.metadata.uid! }],
    },
    spec: { holderIdentity: name, leaseDurationSeconds: durationSeconds, renewTime: micro(nowMs) },
  };
}
