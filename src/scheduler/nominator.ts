/**
 * Pods nominated to a node by preemption and not bound yet (upstream's nominator): while the
 * victims terminate, the space they free is kept for the preemptor. A cycle sees a node with the
 * nominated pods of equal or higher priority than the pod it places (as upstream's
 * RunFilterPluginsWithNominatedPods), so a lower-priority pod cannot take that space.
 *
 * The cycle that preempts records the nomination at once (`nominate`, upstream's AddNominatedPod in
 * handleSchedulingFailure): the preemptor's status.nominatedNodeName reaches the informer only after
 * the victims' deletes, and a replacement of a victim must not take the space in between. Informer
 * updates then follow upstream's UpdateNominatedPod: an update without nominatedNodeName after one
 * without it keeps the nomination in memory; nominatedNodeName set, changed or removed in the status
 * wins; bound or deleted pods are not nominated.
 */
import type { NodeInfo } from './framework/node-info.js';
import { newPodInfo, type PodInfo } from './framework/pod-info.js';
import type { Pod } from './framework/types.js';

export class Nominator {
  private readonly byNode = new Map<string, Map<string, PodInfo>>();
  private readonly nodeOf = new Map<string, string>();
  /** status.nominatedNodeName of the pods last observed (keys of unbound, live pods only). */
  private readonly statusNode = new Map<string, string>();

  /** Record or forget `pod` from an informer event: unbound with status.nominatedNodeName means nominated. */
  observe(pod: Pod | undefined, key: string): void {
    const live = pod && !pod.spec.nodeName && !pod.metadata.deletionTimestamp ? pod : undefined;
    const fromStatus = live?.status?.nominatedNodeName || undefined;
    const hadStatus = this.statusNode.get(key);
    if (fromStatus) this.statusNode.set(key, fromStatus);
    else this.statusNode.delete(key);
    const kept = live && !fromStatus && !hadStatus ? this.nodeOf.get(key) : undefined;
    this.set(key, live, fromStatus ?? kept);
  }

  /** The cycle's own decision: `pod` nominated to `node` now, before its status says so. */
  nominate(pod: PodInfo, node: string): void {
    this.set(pod.key, pod.pod, node);
  }

  /** The cycle's own decision: `pod` is nominated nowhere any more (its space is given up at once). */
  forget(key: string): void {
    this.set(key, undefined, undefined);
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

  private set(key: string, pod: Pod | undefined, node: string | undefined): void {
    const was = this.nodeOf.get(key);
    if (was) {
      this.byNode.get(was)?.delete(key);
      if (this.byNode.get(was)?.size === 0) this.byNode.delete(was);
      this.nodeOf.delete(key);
    }
    if (!pod || !node) return;
    let m = this.byNode.get(node);
    if (!m) this.byNode.set(node, (m = new Map()));
    m.set(key, newPodInfo(pod));
    this.nodeOf.set(key, node);
  }
}
