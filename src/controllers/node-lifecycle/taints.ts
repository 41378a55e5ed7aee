/**
 * Which condition taints a node should carry (upstream node lifecycle controller: the NoExecute
 * tainting pass and TaintNodesByCondition): Ready=False gives `node.kubernetes.io/not-ready`,
 * Ready=Unknown (or missing) gives `node.kubernetes.io/unreachable`, each as NoExecute and
 * NoSchedule; spec.unschedulable gives `node.kubernetes.io/unschedulable:NoSchedule`; the agent's
 * pressure conditions MemoryPressure/DiskPressure/PIDPressure (and NetworkUnavailable) when True give
 * `node.kubernetes.io/memory-pressure` etc. as NoSchedule (upstream nodeConditionToTaintKeyStatusMap),
 * so the scheduler's TaintToleration keeps new pods off a pressured node. Taints owned by others
 * are kept as they are.
 */
import type { Node, Taint } from '../../api/kinds/index.js';

export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const TAINT_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';

/** Condition (status True) -> NoSchedule taint key, as upstream's TaintNodesByCondition. */
const CONDITION_TAINTS: Record<string, string> = {
  MemoryPressure: 'node.kubernetes.io/memory-pressure',
  DiskPressure: 'node.kubernetes.io/disk-pressure',
  PIDPressure: 'node.kubernetes.io/pid-pressure',
  NetworkUnavailable: 'node.kubernetes.io/network-unavailable',
};

/** The taint keys this controller owns; every other taint on a node is left alone. */
const MANAGED_KEYS = new Set([TAINT_NOT_READY, TAINT_UNREACHABLE, TAINT_UNSCHEDULABLE, ...Object.values(CONDITION_TAINTS)]);

export type ConditionStatus = 'True' | 'False' | 'Unknown';

/** The status of the node's Ready condition; a node that never reported one counts as Unknown. */
export function readyStatus(node: Pick<Node, 'status'>): ConditionStatus {
  const c = node.status?.conditions?.find((x) => x.type === 'Ready');
  return c?.status === 'True' || c?.status === 'False' ? c.status : 'Unknown';
}

/** The managed taints a node in this state must carry (key and effect; time added left to the caller). */
export function wantedConditionTaints(node: Pick<Node, 'status' | 'spec'>): Taint[] {
  const out: Taint[] = [];
  const ready = readyStatus(node);
  if (ready === 'False') out.push({ key: TAINT_NOT_READY, effect: 'NoSchedule' }, { key: TAINT_NOT_READY, effect: 'NoExecute' });
  if (ready === 'Unknown') out.push({ key: TAINT_UNREACHABLE, effect: 'NoSchedule' }, { key: TAINT_UNREACHABLE, effect: 'NoExecute' });
  for (const c of node.status?.conditions ?? []) {
    const key = CONDITION_TAINTS[c.type];
    if (key && c.status === 'True') out.push({ key, effect: 'NoSchedule' });
  }
  if (node.spec?.unschedulable) out.push({ key: TAINT_UNSCHEDULABLE, effect: 'NoSchedule' });
  return out;
}

const same = (a: Taint, b: Taint): boolean => a.key === b.key && a.effect === b.effect;

/**
 * What to do with managed NoExecute taints, by cluster state (disruption.ts): `add` them as usual,
 * `keep` those present but add none (upstream's zero eviction rate), or `remove` them all
 * (upstream's full-disruption mode marks every node reachable so no eviction clock runs).
 */
export type NoExecuteMode = 'add' | 'keep' | 'remove';

/**
 * The node's full taint list after reconciling the managed taints, or undefined when nothing
 * changes. Foreign taints keep their order and content; a managed taint already present keeps its
 * timeAdded (eviction deadlines count from it); a new NoExecute taint is stamped `now`, as
 * upstream stamps the taints it swaps in.
 */
export function reconcileTaints(node: Pick<Node, 'status' | 'spec'>, now: Date, mode: NoExecuteMode = 'add'): Taint[] | undefined {
  const current = node.spec?.taints ?? [];
  const wanted = wantedConditionTaints(node).filter((w) => w.effect !== 'NoExecute' || mode === 'add'
    || (mode === 'keep' && current.some((t) => same(w, t))));
  const kept = current.filter((t) => !MANAGED_KEYS.has(t.key ?? '') || wanted.some((w) => same(w, t)));
  const added = wanted.filter((w) => !current.some((t) => same(w, t)))
    .map((w) => (w.effect === 'NoExecute' ? { ...w, timeAdded: now.toISOString().replace(/\.\d{3}Z$/, 'Z') } : w));
  if (added.length === 0 && kept.length === current.length) return undefined;
  return [...kept, ...added];
}
