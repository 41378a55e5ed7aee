import type { Pod } from '../../api/kinds/index.js';
import { addInto, CPU, EPHEMERAL_STORAGE, MEMORY, PODS, podRequests, toResourceList, type ResourceList } from '../../api/pod-requests.js';

/**
 * The kubelet's resource admission (lifecycle/predicate.go, its noderesources.Fits): a pod bound
 * here is admitted only if one more pod fits the node's allocatable pod count and its requests
 * (resourcehelper.PodRequests) fit in allocatable minus what the pods admitted before it request.
 * The scheduler makes this true; a pod bound by spec.nodeName skips the scheduler and is refused
 * here: Failed with reason OutOf<resource> and "Node didn't have enough resource: ..." (the first
 * failure, in upstream's order: pods, cpu, memory, ephemeral-storage, then the scalar resources).
 */

/** Why the agent refuses a pod (kubelet PodAdmitResult: the status reason and the message after "Pod was rejected: "). */
export interface AdmitRefusal {
  reason: string;
  message: string;
}

/** v1helper.IsExtendedResourceName: a domain-prefixed name outside kubernetes.io, not a quota "requests." name. */
function isExtended(name: string): boolean {
  return name.includes('/') && !name.includes('kubernetes.io/') && !name.startsWith('requests.');
}

/** schedutil.IsScalarResourceName: what NodeInfo keeps besides cpu, memory, ephemeral-storage and pods. */
function isScalar(name: string): boolean {
  return isExtended(name) || name.startsWith('hugepages-') || name.includes('kubernetes.io/') || name.startsWith('attachable-volumes-');
}

function insufficient(resource: string, requested: number, used: number, capacity: number): AdmitRefusal {
  return {
    reason: `OutOf${resource}`,
    message: `Node didn't have enough resource: ${resource}, requested: ${requested}, used: ${used}, capacity: ${capacity}`,
  };
}

/**
 * The refusal for `pod` on a node offering `allocatable` (its status.allocatable) to the pods
 * `admitted` already, or undefined when it fits. Extended resources the node does not offer are
 * left out first (removeMissingExtendedResources: cluster-level resources are not the node's).
 */
export function admitResources(pod: Pod, admitted: readonly Pod[], allocatable: Record<string, string | number> | undefined): AdmitRefusal | undefined {
  const alloc = toResourceList(allocatable);
  const allowedPods = alloc[PODS] ?? 0;
  if (admitted.length + 1 > allowedPods) return insufficient(PODS, 1, admitted.length, allowedPods);
  const used: ResourceList = {};
  for (const p of admitted) addInto(used, podRequests(p));
  const want = podRequests(pod);
  for (const name of Object.keys(want)) if (isExtended(name) && !(name in alloc)) delete want[name];
  const scalars = Object.keys(want).filter(isScalar).sort();
  for (const name of [CPU, MEMORY, EPHEMERAL_STORAGE, ...scalars]) {
    const requested = want[name] ?? 0;
    const left = (alloc[name] ?? 0) - (used[name] ?? 0);
    if (requested > 0 && requested > left) return insufficient(name, requested, used[name] ?? 0, alloc[name] ?? 0);
  }
  return undefined;
}

/** The kubelet's admission order (HandlePodAdditions sorts by creation time): whether `a` goes before `b`, uid breaking ties. */
export function createdBefore(a: Pod, b: Pod): boolean {
  const ta = a.metadata.creationTimestamp ?? '';
  const tb = b.metadata.creationTimestamp ?? '';
  return ta !== tb ? ta < tb : (a.metadata.uid ?? '') < (b.metadata.uid ?? '');
}
