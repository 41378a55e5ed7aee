/**
 * The kubelet's admission of a pod bound to it (pkg/kubelet/lifecycle/predicate.go), the part a
 * simulated node checks: host ports. A pod asking for a (hostIP, hostPort, protocol) that a pod
 * admitted before it on the node holds is rejected: Failed with the predicate's reason, as upstream's
 * rejectPod writes it. "Admitted before" is a pod already Running, or not yet ended and created
 * earlier (the kubelet admits pods in creation order).
 */
import type { Pod, PodStatus } from '../api/kinds/index.js';

type PortKey = string;

function hostPorts(pod: Readonly<Pod>): PortKey[] {
  const keys: PortKey[] = [];
  for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort) continue;
      keys.push(`${p.hostIP || '0.0.0.0'}/${p.protocol ?? 'TCP'}/${p.hostPort}`);
    }
  }
  return keys;
}

/** Two port keys collide when protocol and port match and either address is the wildcard or both are equal. */
function collide(a: PortKey, b: PortKey): boolean {
  const [ipA, protoA, portA] = a.split('/');
  const [ipB, protoB, portB] = b.split('/');
  return protoA === protoB && portA === portB && (ipA === ipB || ipA === '0.0.0.0' || ipB === '0.0.0.0');
}

const ended = (p: Readonly<Pod>) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed' || !!p.metadata.deletionTimestamp;

function admittedBefore(other: Readonly<Pod>, pod: Readonly<Pod>): boolean {
  if (ended(other)) return false;
  if (other.status?.phase === 'Running') return true;
  const a = other.metadata.creationTimestamp ?? '', b = pod.metadata.creationTimestamp ?? '';
  return a < b || (a === b && (other.metadata.name ?? '') < (pod.metadata.name ?? ''));
}

/** Whether `pod` (not yet running) must be rejected because of the other pods bound to its node. */
export function hostPortsTaken(pod: Readonly<Pod>, onNode: readonly Readonly<Pod>[]): boolean {
  const mine = hostPorts(pod);
  if (mine.length === 0) return false;
  return onNode.some((o) => o.metadata.uid !== pod.metadata.uid && admittedBefore(o, pod) && hostPorts(o).some((k) => mine.some((m) => collide(k, m))));
}

/** rejectPod's status: Failed, the predicate's reason, "Pod was rejected: <message>". */
export function rejectedStatus(): Partial<PodStatus> {
  return {
    phase: 'Failed', reason: 'NodePorts',
    message: 'Pod was rejected: Predicate NodePorts failed: node(s) didn\'t have free ports for the requested pod ports',
  } as Partial<PodStatus>;
}
