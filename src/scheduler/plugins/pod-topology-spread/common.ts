/**
 * What PodTopologySpread's Filter and Score share (upstream plugins/podtopologyspread/common.go):
 * a pod's constraints of one kind with their selectors (matchLabelKeys merged in), the node
 * inclusion policies, and counting the pods a selector matches on a node.
 */
import type { TopologySpreadConstraint } from '../../../api/kinds/core/affinity.js';
import { labelSelectorFromObject, matchesLabels, newRequirement, type LabelSelector, type LabelSelectorObject } from '../../../api/selectors/index.js';
import { toleratedBy } from '../../../api/scheduling/tolerations.js';
import type { NodeInfo } from '../../framework/node-info.js';
import type { PodInfo } from '../../framework/pod-info.js';
import { requiredNodeAffinity, type NodeMatcher } from '../../../api/scheduling/node-selector.js';
import { defaultSelector, type SpreadDefaults, type SpreadListers } from './default-constraints.js';

export interface SpreadConstraint {
  topologyKey: string;
  maxSkew: number;
  minDomains: number;
  selector: LabelSelector;
  /** Count only nodes the pod's nodeSelector/required affinity accepts (nodeAffinityPolicy Honor, the default). */
  honorAffinity: boolean;
  /** Count only nodes whose NoSchedule/NoExecute taints the pod tolerates (nodeTaintsPolicy Honor; default Ignore). */
  honorTaints: boolean;
}

function selectorOf(pod: PodInfo, c: TopologySpreadConstraint): LabelSelector {
  const sel = labelSelectorFromObject(c.labelSelector as LabelSelectorObject | undefined);
  // matchLabelKeys: the pod's own values for these keys are ANDed into the selector (upstream).
  for (const key of c.matchLabelKeys ?? []) {
    const v = pod.pod.metadata.labels?.[key];
    if (v !== undefined) sel.requirements.push(newRequirement(key, '=', [v]));
  }
  return sel;
}

function toSpread(pod: PodInfo, c: TopologySpreadConstraint): SpreadConstraint {
  return {
    topologyKey: c.topologyKey, maxSkew: c.maxSkew, minDomains: c.minDomains ?? 1, selector: selectorOf(pod, c),
    honorAffinity: c.nodeAffinityPolicy !== 'Ignore', honorTaints: c.nodeTaintsPolicy === 'Honor',
  };
}

/** The pod's constraints with this whenUnsatisfiable; throws on a selector that does not parse. */
export function spreadConstraints(pod: PodInfo, when: 'DoNotSchedule' | 'ScheduleAnyway'): SpreadConstraint[] {
  return (pod.pod.spec.topologySpreadConstraints ?? []).filter((c) => c.whenUnsatisfiable === when).map((c) => toSpread(pod, c));
}

/**
 * The constraints a pod is spread by (upstream: filterTopologySpreadConstraints, else
 * buildDefaultConstraints): its own if it has any (of either kind), else the plugin's defaults of
 * this kind with the selector of what selects the pod; none when nothing does.
 */
export function podSpreadConstraints(pod: PodInfo, when: 'DoNotSchedule' | 'ScheduleAnyway', defaults: SpreadDefaults, listers: SpreadListers | undefined): SpreadConstraint[] {
  if (pod.pod.spec.topologySpreadConstraints?.length) return spreadConstraints(pod, when);
  const list = defaults.constraints.filter((c) => c.whenUnsatisfiable === when);
  if (list.length === 0) return [];
  const selector = defaultSelector(pod.pod, listers);
  if (selector.requirements.length === 0) return [];
  return list.map((c) => ({ ...toSpread(pod, c), selector }));
}

/** Whether the node has every constraint's topology key. */
export function hasAllKeys(node: NodeInfo, constraints: readonly SpreadConstraint[]): boolean {
  const labels = node.node.metadata.labels ?? {};
  return constraints.every((c) => labels[c.topologyKey] !== undefined);
}

/**
 * Per node, which constraints count it (upstream matchNodeInclusionPolicies): the pod's required
 * node affinity if the constraint honours it, its tolerations of NoSchedule/NoExecute taints if the
 * constraint honours taints.
 */
function inclusion(pod: PodInfo, affinity: NodeMatcher | null): (c: SpreadConstraint, node: NodeInfo) => boolean {
  return (c, node) => {
    if (c.honorAffinity && affinity && !affinity(node.node)) return false;
    if (c.honorTaints && (node.node.spec?.taints ?? []).some((t) => (t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !toleratedBy(pod.pod.spec.tolerations, t))) return false;
    return true;
  };
}

/**
 * Counts matching pods per domain: for every node carrying all constraints' keys (with `requireAllKeys`
 * false, every node, a missing key counting as the value ""), and every constraint whose inclusion
 * policies count the node, `add(c, domain value, matching pods there)`; `add` calls the count only
 * for domains it keeps (counting is the cost: every pod of every node).
 */
export function countDomains<C extends SpreadConstraint>(pod: PodInfo, nodes: readonly NodeInfo[], constraints: readonly C[], add: (c: C, value: string, count: () => number) => void, requireAllKeys = true): void {
  const included = inclusion(pod, requiredNodeAffinity(pod.pod.spec));
  const ns = pod.pod.metadata.namespace ?? 'default';
  for (const node of nodes) {
    if (requireAllKeys && !hasAllKeys(node, constraints)) continue;
    const labels = node.node.metadata.labels ?? {};
    for (const c of constraints) {
      if (included(c, node)) add(c, labels[c.topologyKey] ?? '', () => countMatching(node, c.selector, ns));
    }
  }
}

/**
 * Pods on the node in `namespace`, not being deleted, that the selector matches (upstream
 * countPodsMatchSelector): an empty selector counts none.
 */
export function countMatching(node: NodeInfo, selector: LabelSelector, namespace: string): number {
  if (!selector.nothing && selector.requirements.length === 0) return 0;
  let n = 0;
  for (const p of node.pods) {
    const m = p.pod.metadata;
    if ((m.namespace ?? 'default') === namespace && !m.deletionTimestamp && matchesLabels(selector, m.labels)) n++;
  }
  return n;
}
