/**
 * TaintToleration: a node's NoSchedule and NoExecute taints keep out pods that do not tolerate them
 * (Filter); PreferNoSchedule taints a pod does not tolerate lower the node's score (Score).
 */
import type { Toleration } from '../../../api/kinds/core/affinity.js';
import type { FilterPlugin, ScorePlugin } from '../../framework/interface.js';
import { defaultNormalizeScore } from '../../framework/normalize-score.js';
import { Status } from '../../framework/status.js';
import { toleratedBy } from '../../../api/scheduling/tolerations.js';

export const NAME = 'TaintToleration';

/** Upstream's wording: `node(s) had untolerated taint {key: value}`. */
export function untoleratedTaintReason(key: string, value: string | undefined): string {
  return `node(s) had untolerated taint {${key}: ${value ?? ''}}`;
}

export function newTaintToleration(): FilterPlugin & ScorePlugin {
  return {
    name: NAME,
    filter(_state, pod, node) {
      for (const taint of node.node.spec?.taints ?? []) {
        if (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute') continue;
        if (!toleratedBy(pod.pod.spec.tolerations, taint)) return Status.unresolvable(untoleratedTaintReason(taint.key, taint.value));
      }
      return Status.SUCCESS;
    },
    score(_state, pod, node) {
      const taints = node.node.spec?.taints;
      if (!taints?.length) return 0;
      // Only tolerations that could match a PreferNoSchedule taint count (upstream getAllTolerationPreferNoSchedule).
      const prefer: Toleration[] = (pod.pod.spec.tolerations ?? []).filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
      let n = 0;
      for (const taint of taints) if (taint.effect === 'PreferNoSchedule' && !toleratedBy(prefer, taint)) n++;
      return n;
    },
    normalizeScore(_state, _pod, scores) {
      defaultNormalizeScore(scores, true);
    },
  };
}
