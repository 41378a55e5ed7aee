/**
 * What the scheduler knows about one node: the Node, the pods on it (bound or assumed) and their
 * sums. A NodeInfo is immutable: adding or removing a pod returns a new one, so a snapshot taken
 * before the change still sees the old node (copy on write, as a pure cycle needs).
 */
import { nodeAllocatable, type ResourceList } from './resources.js';
import { ipCollides } from '../../api/scheduling/host-ports.js';
import type { HostPort, PodInfo } from './pod-info.js';
import type { Node } from './types.js';

function portKey(protocol: string, port: number): string {
  return `${protocol}/${port}`;
}

export class NodeInfo {
  private constructor(
    readonly node: Node,
    readonly allocatable: ResourceList,
    readonly pods: readonly PodInfo[],
    /** Sum of the pods' requests (assumed pods included). */
    readonly requested: ResourceList,
    /** Sum of CPU/memory with the scoring defaults for containers requesting none. */
    readonly nonZeroCpu: number,
    readonly nonZeroMemory: number,
    /** `protocol/port` -> host IPs already bound on this node. */
    readonly usedPorts: ReadonlyMap<string, readonly string[]>,
    /** Pods with any pod affinity or anti-affinity term (for inter-pod affinity checks). */
    readonly podsWithAffinity: readonly PodInfo[],
    readonly podsWithRequiredAntiAffinity: readonly PodInfo[],
  ) {
    this.name = node.metadata.name ?? '';
  }

  static of(node: Node): NodeInfo {
    return new NodeInfo(node, nodeAllocatable(node), [], {}, 0, 0, new Map(), [], []);
  }

  /** The node's name. */
  readonly name: string;

  /** The same pods on an updated Node object. */
  withNode(node: Node): NodeInfo {
    return new NodeInfo(node, nodeAllocatable(node), this.pods, this.requested, this.nonZeroCpu, this.nonZeroMemory,
      this.usedPorts, this.podsWithAffinity, this.podsWithRequiredAntiAffinity);
  }

  withPod(p: PodInfo): NodeInfo {
    return this.changed(p, 1, [...this.pods, p]);
  }

  /** This node without the pod filed under `key`; itself if the pod is not here. */
  withoutPod(key: string): NodeInfo {
    const i = this.pods.findIndex((p) => p.key === key);
    if (i < 0) return this;
    const p = this.pods[i]!;
    const pods = this.pods.slice();
    pods.splice(i, 1);
    return this.changed(p, -1, pods);
  }

  hasPod(key: string): boolean {
    return this.pods.some((p) => p.key === key);
  }

  /** Whether `hp` collides with a port in use: same protocol and port, and same IP or either is 0.0.0.0. */
  portInUse(hp: HostPort): boolean {
    return ipCollides(hp.ip, this.usedPorts.get(portKey(hp.protocol, hp.port)) ?? []);
  }

  private changed(p: PodInfo, sign: 1 | -1, pods: PodInfo[]): NodeInfo {
    const requested = { ...this.requested };
    for (const name in p.requests) requested[name] = (requested[name] ?? 0) + sign * p.requests[name]!;
    let usedPorts = this.usedPorts;
    if (p.hostPorts.length > 0) {
      const next = new Map(this.usedPorts);
      for (const hp of p.hostPorts) {
        const k = portKey(hp.protocol, hp.port);
        const ips = [...(next.get(k) ?? [])];
        if (sign > 0) ips.push(hp.ip);
        else {
          const at = ips.indexOf(hp.ip);
          if (at >= 0) ips.splice(at, 1);
        }
        if (ips.length) next.set(k, ips);
        else next.delete(k);
      }
      usedPorts = next;
    }
    const hasAffinity = p.requiredAffinityTerms.length + p.requiredAntiAffinityTerms.length
      + p.preferredAffinityTerms.length + p.preferredAntiAffinityTerms.length > 0;
    const update = (list: readonly PodInfo[], member: boolean) =>
      !member ? list : sign > 0 ? [...list, p] : list.filter((q) => q.key !== p.key);
    return new NodeInfo(this.node, this.allocatable, pods, requested,
      this.nonZeroCpu + sign * p.nonZeroCpu, this.nonZeroMemory + sign * p.nonZeroMemory, usedPorts,
      update(this.podsWithAffinity, hasAffinity), update(this.podsWithRequiredAntiAffinity, p.requiredAntiAffinityTerms.length > 0));
  }
}
