/**
 * PodTopologySpread (hard constraints): for each `whenUnsatisfiable: DoNotSchedule` constraint, a
 * node fits only if placing the pod there keeps (matching pods in the node's domain + 1) minus the
 * smallest count over all eligible domains within maxSkew. Counts are taken once per cycle over
 * nodes that pass the pod's node affinity (nodeAffinityPolicy Honor, the default) and carry every
 * constraint's key; per constraint, nodeAffinityPolicy Ignore counts nodes outside the pod's node
 * affinity too and nodeTaintsPolicy Honor leaves out nodes with taints the pod does not tolerate
 * (upstream NodeInclusionPolicyInPodTopologySpread, on since 1.26). ScheduleAnyway constraints
 * (scoring) are not implemented; replica spreading is SelectorSpread's job.
 */
import type { TopologySpreadConstraint } from '../../../api/kinds/core/affinity.js';
import { labelSelectorFromObject, matchesLabels, newRequirement, type LabelSelector, type LabelSelectorObject } from '../../../api/selectors/index.js';
import type { FilterPlugin, PreFilterPlugin } from '../../framework/interface.js';
import type { NodeInfo } from '../../framework/node-info.js';
import type { PodInfo } from '../../framework/pod-info.js';
import { toleratedBy } from '../../../api/scheduling/tolerations.js';
import { Status } from '../../framework/status.js';
import { requiredNodeAffinityMatcher } from '../node-affinity/node-affinity.js';

export const NAME = 'PodTopologySpread';
export const ERR_REASON_CONSTRAINTS_NOT_MATCH = "node(s) didn't match pod topology spread constraints";
export const ERR_REASON_NODE_LABEL_NOT_MATCH = `${ERR_REASON_CONSTRAINTS_NOT_MATCH} (missing required label)`;

const STATE_KEY = `PreFilter${NAME}`;

interface Constraint {
  topologyKey: string;
  /** Count only nodes the pod's nodeSelector/required affinity accepts (nodeAffinityPolicy Honor, the default). */
  honorAffinity: boolean;
  /** Count only nodes whose NoSchedule/NoExecute taints the pod tolerates (nodeTaintsPolicy Honor; default Ignore). */
  honorTaints: boolean;
  maxSkew: number;
  minDomains: number;
  selector: LabelSelector;
  /** value -> matching pods in that domain (eligible domains only, zeros included). */
  counts: Map<string, number>;
  /** The smallest count over eligible domains (0 when fewer domains than minDomains). */
  min: number;
  /** Whether the incoming pod matches its own selector (it then counts itself). */
  selfMatch: boolean;
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

/** Whether the node has a NoSchedule/NoExecute taint the pod does not tolerate (as TaintToleration's Filter). */
function untoleratedTaint(pod: PodInfo, node: NodeInfo): boolean {
  return (node.node.spec?.taints ?? []).some((t) => (t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !toleratedBy(pod.pod.spec.tolerations, t));
}

export function newPodTopologySpread(): PreFilterPlugin & FilterPlugin {
  return {
    name: NAME,
    preFilter(state, pod, snapshot) {
      const hard = (pod.pod.spec.topologySpreadConstraints ?? []).filter((c) => c.whenUnsatisfiable === 'DoNotSchedule');
      if (hard.length === 0) return Status.SKIP;
      let constraints: Constraint[];
      try {
        constraints = hard.map((c) => {
          const selector = selectorOf(pod, c);
          return {
            topologyKey: c.topologyKey, honorAffinity: c.nodeAffinityPolicy !== 'Ignore', honorTaints: c.nodeTaintsPolicy === 'Honor', maxSkew: c.maxSkew, minDomains: c.minDomains ?? 1, selector,
            counts: new Map<string, number>(), min: 0, selfMatch: matchesLabels(selector, pod.pod.metadata.labels),
          };
        });
      } catch (err) {
        return Status.error(err);
      }
      const affinity = requiredNodeAffinityMatcher(pod);
      const ns = pod.pod.metadata.namespace ?? 'default';
      for (const node of snapshot.nodes) {
        const labels = node.node.metadata.labels ?? {};
        if (!constraints.every((c) => labels[c.topologyKey] !== undefined)) continue;
        const affinityOk = !affinity || affinity(node.node);
        const taintsOk = !untoleratedTaint(pod, node);
        for (const c of constraints) {
          // Upstream matchNodeInclusionPolicies: per constraint, the node's domain is counted only if it passes.
          if ((c.honorAffinity && !affinityOk) || (c.honorTaints && !taintsOk)) continue;
          const v = labels[c.topologyKey]!;
          let n = c.counts.get(v) ?? 0;
          for (const p of node.pods) {
            if ((p.pod.metadata.namespace ?? 'default') === ns && !p.pod.metadata.deletionTimestamp && matchesLabels(c.selector, p.pod.metadata.labels)) n++;
          }
          c.counts.set(v, n);
        }
      }
      for (const c of constraints) {
        c.min = c.counts.size < c.minDomains ? 0 : Math.min(...c.counts.values());
      }
      state.write(STATE_KEY, constraints);
      return Status.SUCCESS;
    },
    filter(state, _pod, node) {
      const constraints = state.read<Constraint[]>(STATE_KEY);
      const labels = node.node.metadata.labels ?? {};
      for (const c of constraints) {
        const v = labels[c.topologyKey];
        if (v === undefined) return Status.unresolvable(ERR_REASON_NODE_LABEL_NOT_MATCH);
        const skew = (c.counts.get(v) ?? 0) + (c.selfMatch ? 1 : 0) - c.min;
        if (skew > c.maxSkew) return Status.unschedulable(ERR_REASON_CONSTRAINTS_NOT_MATCH);
      }
      return Status.SUCCESS;
    },
  };
}
