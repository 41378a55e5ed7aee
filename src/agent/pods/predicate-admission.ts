import type { Node, Pod } from '../../api/kinds/index.js';
import { hostPortsFit } from '../../api/scheduling/host-ports.js';
import { requiredNodeAffinity } from '../../api/scheduling/node-selector.js';
import { findUntoleratedTaint } from '../../api/scheduling/tolerations.js';
import { admitResources, type AdmitRefusal } from './resource-admission.js';

/**
 * The kubelet's predicate admit handler (pkg/kubelet/lifecycle/predicate.go) for a pod bound here:
 * the pod's OS label and spec.os against the node's OS, then generalFilter: the scheduler's
 * AdmissionCheck (resources, NodeAffinity, NodeName, NodePorts, in that order) and the node's
 * NoExecute taints (static pods excepted). The first failure is the refusal: its predicate's name is
 * the reason, "Predicate <name> failed: <the scheduler plugin's reason>" the message (resources:
 * resource-admission.ts). The scheduler checks the same, so only pods that skip it (spec.nodeName
 * set directly) or whose node changed since they were scheduled are refused here.
 */

/** runtime.GOOS of the node: Bosun nodes run Linux containers only (node-status.ts labels them so). */
export const NODE_OS = 'linux';
const OS_LABEL = 'kubernetes.io/os';

/** The scheduler plugins' names and Filter reasons (nodeaffinity, nodename, nodeports, tainttoleration). */
export const NODE_AFFINITY = 'NodeAffinity';
const AFFINITY_REASON = "node(s) didn't match Pod's node affinity/selector";
const NODE_NAME_REASON = "node(s) didn't match the requested node name";
const NODE_PORTS_REASON = "node(s) didn't have free ports for the requested pod ports";
const TAINT_REASON = "node(s) had taints that the pod didn't tolerate";

const predicateFailure = (name: string, reason: string): AdmitRefusal => ({ reason: name, message: `Predicate ${name} failed: ${reason}` });

/** types.IsStaticPod: pods from a file or URL source; every pod the agent gets comes from the API. */
function isStaticPod(pod: Pod): boolean {
  const source = pod.metadata.annotations?.['kubernetes.io/config.source'];
  return source !== undefined && source !== 'api';
}

/**
 * generalFilter's failures in upstream's order (only the first resource failure: the kubelet reports
 * the first reason, and a critical pod would be admitted after preemption only without others).
 */
export function generalFilter(pod: Pod, admitted: readonly Pod[], node: Node): AdmitRefusal[] {
  const reasons: AdmitRefusal[] = [];
  const resources = admitResources(pod, admitted, node.status?.allocatable ?? node.status?.capacity);
  if (resources) reasons.push(resources);
  const affinity = requiredNodeAffinity(pod.spec ?? {});
  if (affinity && !affinity(node)) reasons.push(predicateFailure(NODE_AFFINITY, AFFINITY_REASON));
  if (pod.spec?.nodeName && pod.spec.nodeName !== node.metadata.name) reasons.push(predicateFailure('NodeName', NODE_NAME_REASON));
  if (!hostPortsFit(pod, admitted)) reasons.push(predicateFailure('NodePorts', NODE_PORTS_REASON));
  // The kubelet looks at NoExecute taints only: NoSchedule is the scheduler's, not a running pod's.
  if (!isStaticPod(pod) && findUntoleratedTaint(node.spec?.taints, pod.spec?.tolerations, (t) => t.effect === 'NoExecute')) {
    reasons.push(predicateFailure('TaintToleration', TAINT_REASON));
  }
  return reasons;
}

/** Whether node affinity is the only failure: the kubelet then gets the Node from the API (not its cache) and filters again. */
export function onlyNodeAffinity(reasons: readonly AdmitRefusal[]): boolean {
  return reasons.length > 0 && reasons.every((r) => r.reason === NODE_AFFINITY);
}

/**
 * The checks before generalFilter that preemption would not help (rejectPodAdmissionBasedOnOSSelector
 * and ...OnOSField): the pod's kubernetes.io/os label (a label, not its nodeSelector, as upstream)
 * against the node's OS, which the kubelet takes as runtime.GOOS whatever the node's label says, and
 * spec.os.name against the node's OS.
 */
export function admitOS(pod: Pod): AdmitRefusal | undefined {
  const osLabel = pod.metadata.labels?.[OS_LABEL];
  if (osLabel !== undefined && osLabel !== NODE_OS) {
    return { reason: 'PodOSSelectorNodeLabelDoesNotMatch', message: "Failed to admit pod as the `kubernetes.io/os` label doesn't match node label" };
  }
  if (pod.spec?.os && pod.spec.os.name !== NODE_OS) {
    return { reason: 'PodOSNotSupported', message: "Failed to admit pod as the OS field doesn't match node OS" };
  }
  return undefined;
}
