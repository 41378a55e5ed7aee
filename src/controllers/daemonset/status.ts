/**
 * DaemonSet status counters (upstream updateDaemonSetStatus): per node that should run the pod,
 * its oldest pod (scheduled first) decides ready / available / updated; pods on nodes that should
 * not run one are misscheduled. Unavailable = desired - available.
 */
import type { DaemonSet, DaemonSetStatus, Node } from '../../api/kinds/index.js';
import { isPodAvailable, isPodReady } from '../../controller-runtime/workload/pod-state.js';
import type { Pod } from '../../api/kinds/core/pod.js';
import { isPodUpdated, templateGeneration } from './daemon-pod.js';
import { byAgeScheduledFirst } from './manage.js';
import type { NodeVerdict } from './node-eligibility.js';

export type StatusCounts = Required<Pick<DaemonSetStatus,
  'desiredNumberScheduled' | 'currentNumberScheduled' | 'numberMisscheduled' | 'numberReady' | 'updatedNumberScheduled' | 'numberAvailable' | 'numberUnavailable'>>;

export function calculateStatus(
  ds: Readonly<DaemonSet>, nodes: readonly Readonly<Node>[], podsByNode: ReadonlyMap<string, readonly Readonly<Pod>[]>,
  hash: string, verdict: (node: Readonly<Node>) => NodeVerdict, now: number,
): StatusCounts {
  const c: StatusCounts = {
    desiredNumberScheduled: 0, currentNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0, updatedNumberScheduled: 0, numberAvailable: 0, numberUnavailable: 0,
  };
  const minReady = ds.spec?.minReadySeconds ?? 0;
  const generation = templateGeneration(ds);
  for (const node of nodes) {
    const pods = podsByNode.get(node.metadata.name!) ?? [];
    const scheduled = pods.length > 0;
    if (!verdict(node).shouldRun) {
      if (scheduled) c.numberMisscheduled++;
      continue;
    }
    c.desiredNumberScheduled++;
    if (!scheduled) continue;
    c.currentNumberScheduled++;
    const pod = [...pods].sort(byAgeScheduledFirst)[0]!;
    if (isPodReady(pod)) {
      c.numberReady++;
      if (isPodAvailable(pod, minReady, now)) c.numberAvailable++;
    }
    if (isPodUpdated(pod, hash, generation)) c.updatedNumberScheduled++;
  }
  c.numberUnavailable = c.desiredNumberScheduled - c.numberAvailable;
  return c;
}

/** storeDaemonSetStatus's skip: nothing to write when the counters match and the generation was seen. */
export function statusUpToDate(ds: Readonly<DaemonSet>, counts: StatusCounts, updateObservedGen: boolean): boolean {
  const st: Partial<DaemonSetStatus> = ds.status ?? {};
  const same = (Object.keys(counts) as (keyof StatusCounts)[]).every((k) => (st[k] ?? 0) === counts[k]);
  return same && (!updateObservedGen || (st.observedGeneration ?? 0) >= (ds.metadata.generation ?? 0));
}
