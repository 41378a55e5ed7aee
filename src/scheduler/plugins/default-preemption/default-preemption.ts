/**
 * DefaultPreemption (PostFilter): when no node fits a pod, find the nodes where removing
 * lower-priority pods would make it fit (nodes that rejected it as UnschedulableAndUnresolvable are
 * skipped), pick one as upstream does (select-victims.ts), and hand the victims to the handle's
 * `preempt` (the scheduler's executor: nominatedNodeName on the pod, DisruptionTarget and delete on
 * each victim). The pod itself goes back to the queue and is placed once the victims are gone.
 *
 * Handle: `filters()` (the profile's Filter plugins, to re-check fit with pods removed),
 * `pdbs()` (the budgets the scheduler watches) and `preempt(pod, node, victims)`.
 */
import type { PodDisruptionBudget } from '../../../api/kinds/policy/pod-disruption-budget.js';
import type { FilterPlugin, PostFilterPlugin } from '../../framework/interface.js';
import type { NodeInfo } from '../../framework/node-info.js';
import type { PodInfo } from '../../framework/pod-info.js';
import type { PluginHandle } from '../../framework/profile.js';
import { Code, Status } from '../../framework/status.js';
import { notEligibleReason, pickOneNode, selectVictimsOnNode, type Victims } from './select-victims.js';

export const NAME = 'DefaultPreemption';

export type PreemptFn = (preemptor: PodInfo, nodeName: string, victims: readonly PodInfo[]) => void;

export function newDefaultPreemption(_args: Record<string, unknown>, handle: PluginHandle): PostFilterPlugin {
  const filters = (handle.filters as (() => readonly FilterPlugin[]) | undefined) ?? (() => []);
  const pdbs = (handle.pdbs as (() => readonly PodDisruptionBudget[]) | undefined) ?? (() => []);
  const preempt = handle.preempt as PreemptFn | undefined;
  return {
    name: NAME,
    postFilter(state, pod, snapshot, statuses) {
      const nominatedName = pod.pod.status?.nominatedNodeName;
      const nominated = nominatedName ? snapshot.get(nominatedName) : undefined;
      const why = notEligibleReason(pod.pod, nominated, statuses.get(nominatedName ?? '')?.code === Code.UnschedulableAndUnresolvable);
      // The fit error appends its own final period.
      if (why) return { status: Status.unschedulable(`preemption: ${why.replace(/\.$/, '')}`) };
      const fits = (n: NodeInfo) => filters().every((f) => state.skipFilter.has(f.name) || f.filter(state, pod, n).code === Code.Success);
      const budgets = pdbs();
      const candidates = new Map<string, Victims>();
      let unhelpful = 0;
      for (const node of snapshot.nodes) {
        const st = statuses.get(node.name);
        if (!st || st.code !== Code.Unschedulable) {
          unhelpful++;
          continue;
        }
        const v = selectVictimsOnNode(pod, node, budgets, fits);
        if (v) candidates.set(node.name, v);
      }
      const chosen = pickOneNode(candidates);
      if (!chosen) {
        const n = snapshot.nodes.length;
        // Counted and sorted as strings, as the fit error's histogram.
        const parts = [
          ...(n - unhelpful > 0 ? [`${n - unhelpful} No preemption victims found for incoming pod`] : []),
          ...(unhelpful > 0 ? [`${unhelpful} Preemption is not helpful for scheduling`] : []),
        ].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        // No candidates: the pod's nomination, if any, is void (upstream NewPostFilterResultWithNominatedNode("")).
        return { nominatedNode: '', status: Status.unschedulable(`preemption: 0/${n} nodes are available: ${parts.join(', ')}`) };
      }
      preempt?.(pod, chosen, candidates.get(chosen)!.pods);
      return { nominatedNode: chosen, status: new Status(Code.Success, []) };
    },
  };
}
