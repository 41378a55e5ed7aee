/**
 * Pods nominated to a node by preemption and not bound yet (upstream's nominator): while the
 * victims terminate, the space they free is kept for the preemptor. A cycle sees a node with the
 * nominated pods of equal or higher priority than the pod it places (as upstream's
 * RunFilterPluginsWithNominatedPods), so a lower-priority pod cannot take that space.
 */
import type { NodeInfo } from './framework/node-info.js';
import { newPodInfo, type PodInfo } from './framework/pod-info.js';
import type { Pod } from './framework/types.js';

export class Nominator {
  private readonly byNode = new Map<string, Map<string, PodInfo>>();
  private readonly nodeOf = new Map<string, string>();

  /** Record or forget `pod` from an informer event: unbound with status.nominatedNodeName means nominated. */
  observe(pod: Pod | undefined, key: string): void {
    const was = this.nodeOf.get(key);
    const node = pod && !pod.spec.nodeName && !pod.metadata.deletionTimestamp ? pod.status?.nominatedNodeName : undefined;
    if (was && was !== node) {
      this.byNode.get(was)?.delete(key);
      if (this.byNode.get(was)?.size === 0) this.byNode.delete(was);
      this.nodeOf.delete(key);
    }
    if (pod && node) {
      let m = this.byNode.get(node);
      if (!m) this.byNode.set(node, (m = new Map()));
      m.set(key, newPodInfo(pod));
      this.nodeOf.set(key, node);
    }
  }

  get size(): number {
    return this.nodeOf.size;
  }

  /** `node` as `pod` must see it: with the other nominated pods of at least its priority added. */
  nodeFor(pod: PodInfo, node: NodeInfo): NodeInfo {
    const nominated = this.byNode.get(node.name);
    if (!nominated) return node;
    const prio = pod.pod.spec.priority ?? 0;
    let n = node;
    for (const p of nominated.values()) {
      if (p.key !== pod.key && (p.pod.spec.priority ?? 0) >= prio && !n.hasPod(p.key)) n = n.withPod(p);
    }
    return n;
  }
}
