/**
 * PodTopologySpread: for each `whenUnsatisfiable: DoNotSchedule` constraint, a
 * node fits only if placing the pod there keeps (matching pods in the node's domain + 1) minus the
 * smallest count over all eligible domains within maxSkew. Counts are taken once per cycle over
 * nodes that pass the pod's node affinity (nodeAffinityPolicy Honor, the default) and carry every
 * constraint's key; per constraint, nodeAffinityPolicy Ignore counts nodes outside the pod's node
 * affinity too and nodeTaintsPolicy Honor leaves out nodes with taints the pod does not tolerate
 * (upstream NodeInclusionPolicyInPodTopologySpread, on since 1.26). ScheduleAnyway constraints
 * score (scoring.ts). A pod with no constraints of its own is spread by the plugin's default ones
 * (args `defaultingType`/`defaultConstraints`; default-constraints.ts), read through the handle's
 * `spreadListers` (none: no defaults apply).
 */
import { matchesLabels } from '../../../api/selectors/index.js';
import type { FilterPlugin, PreFilterPlugin, PreScorePlugin, ScorePlugin } from '../../framework/interface.js';
import { Status } from '../../framework/status.js';
import type { PluginHandle } from '../../framework/profile.js';
import { countDomains, podSpreadConstraints, type SpreadConstraint } from './common.js';
import { spreadDefaultsFromArgs, type SpreadListers } from './default-constraints.js';
import { spreadScoring } from './scoring.js';

export const NAME = 'PodTopologySpread';
export const ERR_REASON_CONSTRAINTS_NOT_MATCH = "node(s) didn't match pod topology spread constraints";
export const ERR_REASON_NODE_LABEL_NOT_MATCH = `${ERR_REASON_CONSTRAINTS_NOT_MATCH} (missing required label)`;

const STATE_KEY = `PreFilter${NAME}`;

interface Constraint extends SpreadConstraint {
  /** value -> matching pods in that domain (eligible domains only, zeros included). */
  counts: Map<string, number>;
  /** The smallest count over eligible domains (0 when fewer domains than minDomains). */
  min: number;
  /** Whether the incoming pod matches its own selector (it then counts itself). */
  selfMatch: boolean;
}

/** The handle's `spreadListers`: the default selector's informers, read when a cycle needs them. */
export type SpreadListersHandle = () => SpreadListers | undefined;

export function newPodTopologySpread(args: Record<string, unknown> = {}, handle: PluginHandle = {}): PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin {
  const defaults = spreadDefaultsFromArgs(args);
  const listers = (handle.spreadListers as SpreadListersHandle | undefined) ?? (() => undefined);
  return {
    name: NAME,
    ...spreadScoring(defaults, listers),
    preFilter(state, pod, snapshot) {
      let constraints: Constraint[];
      try {
        constraints = podSpreadConstraints(pod, 'DoNotSchedule', defaults, listers()).map((c) => ({
          ...c, counts: new Map<string, number>(), min: 0, selfMatch: matchesLabels(c.selector, pod.pod.metadata.labels),
        }));
      } catch (err) {
        return Status.error(err);
      }
      if (constraints.length === 0) return Status.SKIP;
      countDomains(pod, snapshot.nodes, constraints, (c, value, count) => c.counts.set(value, (c.counts.get(value) ?? 0) + count()));
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
