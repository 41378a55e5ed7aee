/**
 * Which pods a ReplicaSet deletes first when it has too many: upstream's ActivePodsWithRanks
 * (pkg/controller/controller_utils.go) with PodDeletionCost and LogarithmicScaleDown on, as in 1.32.
 * Earlier in the order means deleted sooner:
 *   1. unscheduled before scheduled;
 *   2. Pending before Unknown before Running;
 *   3. not ready before ready;
 *   4. lower controller.kubernetes.io/pod-deletion-cost first;
 *   5. more related pods on the same node (doubled up) first;
 *   6. both ready: ready more recently first (compared in log2 buckets of time-since-ready);
 *   7. more container restarts first;
 *   8. newer first (log2 buckets of age); equal buckets fall back to the uid.
 */
import { isPodActive, isPodReady, maxContainerRestarts, podDeletionCost, podReadyTime } from '../../controller-runtime/workload/pod-state.js';
import { controllerOf } from '../../controller-runtime/workload/controller-ref.js';
import { labelSelectorFromObject, matchesLabels, type LabelSelectorObject } from '../../api/selectors/index.js';
import type { KubeObject } from '../../api/meta.js';
import type { Pod } from '../../api/kinds/core/pod.js';

const phaseOrdinal: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

interface Ranked {
  pod: Readonly<Pod>;
  rank: number;
}

/** `t1` after `t2`; an unknown time counts as after any known one (upstream afterOrZero). */
function afterOrZero(t1: number | undefined, t2: number | undefined): boolean {
  if (t1 === undefined || t2 === undefined) return t1 === undefined;
  return t1 > t2;
}

/** Difference of floor(log2(now - t)) buckets, with durations in nanoseconds as upstream. */
function logarithmicRankDiff(t1: number, t2: number, now: number): number {
  const bucket = (t: number) => {
    const d = (now - t) * 1e6;
    return d > 0 ? Math.floor(Math.log2(d)) : -1;
  };
  return bucket(t1) - bucket(t2);
}

const created = (p: Readonly<Pod>): number | undefined => {
  const t = p.metadata.creationTimestamp ? Date.parse(p.metadata.creationTimestamp) : NaN;
  return Number.isNaN(t) ? undefined : t;
};

/** Negative when `a` should be deleted before `b`. */
function compare(a: Ranked, b: Ranked, now: number): number {
  const less = lessThan(a, b, now);
  if (less) return -1;
  return lessThan(b, a, now) ? 1 : 0;
}

function lessThan(a: Ranked, b: Ranked, now: number): boolean {
  const pa = a.pod;
  const pb = b.pod;
  const na = String(pa.spec?.nodeName ?? '');
  const nb = String(pb.spec?.nodeName ?? '');
  if (na !== nb && (na === '' || nb === '')) return na === '';
  const oa = phaseOrdinal[pa.status?.phase ?? ''] ?? 0;
  const ob = phaseOrdinal[pb.status?.phase ?? ''] ?? 0;
  if (oa !== ob) return oa < ob;
  const ra = isPodReady(pa);
  const rb = isPodReady(pb);
  if (ra !== rb) return !ra;
  const ca = podDeletionCost(pa);
  const cb = podDeletionCost(pb);
  if (ca !== cb) return ca < cb;
  if (a.rank !== b.rank) return a.rank > b.rank;
  const uidLess = () => (pa.metadata.uid ?? '') < (pb.metadata.uid ?? '');
  if (ra && rb) {
    const t1 = podReadyTime(pa);
    const t2 = podReadyTime(pb);
    if (t1 !== t2) {
      if (t1 === undefined || t2 === undefined) return afterOrZero(t1, t2);
      const diff = logarithmicRankDiff(t1, t2, now);
      return diff === 0 ? uidLess() : diff < 0;
    }
  }
  const ka = maxContainerRestarts(pa);
  const kb = maxContainerRestarts(pb);
  if (ka !== kb) return ka > kb;
  const c1 = created(pa);
  const c2 = created(pb);
  if (c1 !== c2) {
    if (c1 === undefined || c2 === undefined) return afterOrZero(c1, c2);
    const diff = logarithmicRankDiff(c1, c2, now);
    return diff === 0 ? uidLess() : diff < 0;
  }
  return false;
}

/**
 * The `count` pods of `pods` to delete first. `related` are all pods of the same owner family
 * (upstream: pods of ReplicaSets sharing the controller): each pod's rank is how many active
 * related pods share its node.
 */
export function podsToDelete(pods: readonly Readonly<Pod>[], related: readonly Readonly<Pod>[], count: number, now: number): Readonly<Pod>[] {
  if (count >= pods.length) return [...pods];
  const perNode = new Map<string, number>();
  for (const p of related) {
    if (!isPodActive(p)) continue;
    const node = String(p.spec?.nodeName ?? '');
    perNode.set(node, (perNode.get(node) ?? 0) + 1);
  }
  const ranked = pods.map((pod) => ({ pod, rank: perNode.get(String(pod.spec?.nodeName ?? '')) ?? 0 }));
  ranked.sort((a, b) => compare(a, b, now));
  return ranked.slice(0, count).map((r) => r.pod);
}

/**
 * The pods whose nodes the deletion rank counts (upstream getIndirectlyRelatedPods): every pod
 * selected by a ReplicaSet with the same controller as `rs` (one Deployment's ReplicaSets), each
 * once, whoever owns it. A ReplicaSet without a controller has none (upstream
 * getReplicaSetsWithSameController returns nil), so a bare ReplicaSet's pods all rank 0 and
 * co-location plays no part in which go first. A sibling with an invalid selector selects nothing.
 */
export function indirectlyRelatedPods<T extends Readonly<KubeObject>>(
  rs: T, replicaSets: readonly T[], pods: readonly Readonly<Pod>[], selectorOf: (obj: T) => LabelSelectorObject | undefined,
): Readonly<Pod>[] {
  const owner = controllerOf(rs);
  if (!owner) return [];
  const seen = new Set<Readonly<Pod>>();
  for (const other of replicaSets) {
    if (controllerOf(other)?.uid !== owner.uid) continue;
    let sel;
    try {
      sel = labelSelectorFromObject(selectorOf(other));
    } catch {
      continue;
    }
    for (const p of pods) if (matchesLabels(sel, p.metadata.labels)) seen.add(p);
  }
  return [...seen];
}
