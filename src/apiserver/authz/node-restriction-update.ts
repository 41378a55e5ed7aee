/**
 * The NodeRestriction admission checks that need the object a node writes (upstream
 * plugin/pkg/admission/noderestriction admitNode and admitPodStatus), with upstream's messages:
 * - a node may not register its Node with, nor add, change or remove on it, labels under
 *   `node-restriction.kubernetes.io/` or kubernetes.io/k8s.io labels outside the kubelet's own set
 *   (k8s.io/kubelet/pkg/apis IsKubeletLabel): labels an admin uses to steer workloads;
 * - a node may not change its own taints;
 * - a node may not change a pod's labels through pods/status.
 * node-restriction.ts calls these for node identities only.
 */
import { failure, type StatusError } from '../../api/status.js';

interface MetaLike { metadata?: { name?: string; labels?: Record<string, string> }; spec?: { taints?: unknown } }

/** The labels the kubelet sets on its own Node (kubeletapis kubeletLabels). */
const KUBELET_LABELS = new Set([
  'kubernetes.io/hostname', 'topology.kubernetes.io/zone', 'topology.kubernetes.io/region',
  'failure-domain.beta.kubernetes.io/zone', 'failure-domain.beta.kubernetes.io/region',
  'beta.kubernetes.io/instance-type', 'node.kubernetes.io/instance-type',
  'kubernetes.io/os', 'kubernetes.io/arch', 'beta.kubernetes.io/os', 'beta.kubernetes.io/arch',
]);
/** Label namespaces a kubelet may use freely (kubeletLabelNamespaces). */
const KUBELET_NAMESPACES = ['kubelet.kubernetes.io', 'node.kubernetes.io'];
const NODE_RESTRICTION_NAMESPACE = 'node-restriction.kubernetes.io';

const labelNamespace = (key: string): string => (key.includes('/') ? key.slice(0, key.indexOf('/')) : '');
const inNamespace = (ns: string, want: string): boolean => ns === want || ns.endsWith(`.${want}`);

function isKubeletLabel(key: string): boolean {
  if (KUBELET_LABELS.has(key)) return true;
  const ns = labelNamespace(key);
  return KUBELET_NAMESPACES.some((allowed) => inNamespace(ns, allowed));
}

/** Label keys that differ between two label maps (getModifiedLabels). */
function modifiedLabels(a: Record<string, string> = {}, b: Record<string, string> = {}): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((k) => a[k] !== b[k] || !(k in a) || !(k in b));
}

/** The modified labels a node may not set (getForbiddenLabels), sorted as upstream's sets.List. */
export function forbiddenNodeLabels(modified: string[]): string[] {
  return modified.filter((key) => {
    const ns = labelNamespace(key);
    if (inNamespace(ns, NODE_RESTRICTION_NAMESPACE)) return true;
    const kubernetes = inNamespace(ns, 'kubernetes.io') || inNamespace(ns, 'k8s.io');
    return kubernetes && !isKubeletLabel(key);
  }).sort();
}

/** admission.NewForbidden: `<resource> "<name>" is forbidden: <why>`. */
function admissionForbidden(resource: string, name: string, why: string): StatusError {
  return failure(403, 'Forbidden', `${resource} "${name}" is forbidden: ${why}`, { name, kind: resource });
}

/** A node creating its own Node (the name was checked by node-restriction.ts). */
export function admitNodeCreate(node: string, obj: MetaLike): void {
  const forbidden = forbiddenNodeLabels(modifiedLabels(obj.metadata?.labels, undefined));
  if (forbidden.length) {
    throw admissionForbidden('nodes', obj.metadata?.name ?? '', `node "${node}" is not allowed to set the following labels: ${forbidden.join(', ')}`);
  }
}

/** A node updating its own Node, main resource or status (the authorizer checked the name). */
export function admitNodeUpdate(node: string, obj: MetaLike, old: MetaLike): void {
  const name = old.metadata?.name ?? '';
  if (name !== node) throw admissionForbidden('nodes', name, `node "${node}" is not allowed to modify node "${name}"`);
  if (JSON.stringify(obj.spec?.taints ?? []) !== JSON.stringify(old.spec?.taints ?? [])) {
    throw admissionForbidden('nodes', name, `node "${node}" is not allowed to modify taints`);
  }
  const forbidden = forbiddenNodeLabels(modifiedLabels(obj.metadata?.labels, old.metadata?.labels));
  if (forbidden.length) throw admissionForbidden('nodes', name, `is not allowed to modify labels: ${forbidden.join(', ')}`);
}

/** A node updating a pod's status (the authorizer checked the pod is bound to it). */
export function admitPodStatusUpdate(node: string, obj: MetaLike, old: MetaLike): void {
  if (modifiedLabels(obj.metadata?.labels, old.metadata?.labels).length) {
    throw admissionForbidden('pods', old.metadata?.name ?? '', `node "${node}" cannot update labels through pod status`);
  }
}
