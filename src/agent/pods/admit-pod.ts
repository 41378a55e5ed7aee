import type { Node, Pod } from '../../api/kinds/index.js';
import { admitOS, generalFilter, onlyNodeAffinity } from './predicate-admission.js';
import type { AdmitRefusal } from './resource-admission.js';

/** What the kubelet's admit handlers read. */
export interface AdmitSources {
  /** The eviction manager's admission (node pressure): a refusal's message, or undefined. */
  pressure(pod: Pod): string | undefined;
  /** The Node as the agent's cache has it (the kubelet's node lister), undefined before it is known. */
  cachedNode(): Node | undefined;
  /** The Node read from the API now (getNodeAnyWay without the cache). */
  freshNode(): Promise<Node>;
}

export type AdmitResult = AdmitRefusal | undefined;

/**
 * The kubelet's admit handlers in its order: the eviction manager's (reason Evicted), then the
 * predicate handler's (InvalidNodeInfo, the OS checks, generalFilter: predicate-admission.ts).
 * Decided at once from the cached Node, so the next pod's admission counts this one's outcome; only
 * when node affinity is the one failure is the Node read again from the API and the filter re-run
 * (upstream predicateAdmitHandler.generalFilter: labels a pod was scheduled by may not have reached
 * the cache yet), which makes the answer a promise.
 */
export function admitPod(pod: Pod, admitted: readonly Pod[], src: AdmitSources): AdmitResult | Promise<AdmitResult> {
  const pressure = src.pressure(pod);
  if (pressure !== undefined) return { reason: 'Evicted', message: pressure };
  const node = src.cachedNode();
  if (!node) return { reason: 'InvalidNodeInfo', message: 'Kubelet cannot get node info.' };
  const os = admitOS(pod);
  if (os) return os;
  const reasons = generalFilter(pod, admitted, node);
  if (!onlyNodeAffinity(reasons)) return reasons[0];
  return src.freshNode().then((fresh) => generalFilter(pod, admitted, fresh)[0], () => reasons[0]);
}
