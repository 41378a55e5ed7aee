/**
 * The order in which pods are evicted, as upstream's eviction manager ranks them
 * (pkg/kubelet/eviction/helpers.go rankMemoryPressure / rankDiskPressureFunc):
 *   1. pods whose usage of the starved resource exceeds their request (pods without stats first),
 *   2. then lower priority first,
 *   3. then the larger usage above the request first.
 * A BestEffort pod requests nothing, so any usage exceeds it: under memory pressure it goes before
 * a Guaranteed or Burstable pod that stays within its requests, whatever their sizes.
 */
import type { Container, Pod } from '../../api/kinds/index.js';
import { parseQuantity } from '../../api/quantity/index.js';
import type { Reclaimed } from './thresholds.js';

/** A pod's usage of each resource the eviction manager reclaims (bytes; inodes as a count). */
export type PodUsage = Partial<Record<Reclaimed, number>>;

export type StatsFunc = (pod: Pod) => PodUsage | undefined;

type Cmp = (a: Pod, b: Pod) => number;

const bytesOf = (v: string | number | undefined): number => (v === undefined ? 0 : Number(parseQuantity(String(v)).value()));

/**
 * The pod's request of `resource` (pkg/api/v1/resource GetResourceRequestQuantity): its containers'
 * requests summed (restartable init containers, sidecars, with them), at least the largest
 * one-shot init container's with the sidecars started before it, plus the pod overhead.
 */
export function podRequest(pod: Pod, resource: Reclaimed): number {
  if (resource === 'inodes') return 0;
  const req = (c: Container): number => bytesOf(c.resources?.requests?.[resource]);
  let total = (pod.spec?.containers ?? []).reduce((s, c) => s + req(c), 0);
  let sidecars = 0;
  let initMax = 0;
  for (const c of pod.spec?.initContainers ?? []) {
    if ((c as { restartPolicy?: string }).restartPolicy === 'Always') {
      sidecars += req(c);
      total += req(c);
      initMax = Math.max(initMax, sidecars);
    } else {
      initMax = Math.max(initMax, req(c) + sidecars);
    }
  }
  const overhead = (pod.spec?.overhead as Record<string, string> | undefined)?.[resource];
  return Math.max(total, initMax) + bytesOf(overhead);
}

/** true before false (helpers.go cmpBool). */
const cmpBool = (a: boolean, b: boolean): number => (a === b ? 0 : a ? -1 : 1);

/** Lower priority first (helpers.go priority). */
export const byPriority: Cmp = (a, b) => (a.spec?.priority ?? 0) - (b.spec?.priority ?? 0);

function exceedsRequests(stats: StatsFunc, resource: Reclaimed): Cmp {
  return (a, b) => {
    const sa = stats(a)?.[resource];
    const sb = stats(b)?.[resource];
    if (sa === undefined || sb === undefined) return cmpBool(sa === undefined, sb === undefined);
    return cmpBool(sa > podRequest(a, resource), sb > podRequest(b, resource));
  };
}

function usageAboveRequest(stats: StatsFunc, resource: Reclaimed): Cmp {
  return (a, b) => {
    const sa = stats(a)?.[resource];
    const sb = stats(b)?.[resource];
    if (sa === undefined || sb === undefined) return cmpBool(sa === undefined, sb === undefined);
    const over = (sb - podRequest(b, resource)) - (sa - podRequest(a, resource));
    return Math.sign(over);
  };
}

const orderedBy = (...cmps: Cmp[]): Cmp => (a, b) => {
  for (const c of cmps) {
    const r = c(a, b);
    if (r !== 0) return r;
  }
  return 0;
};

/** The pods in eviction order for pressure on `resource` (a new array; the first is evicted first). */
export function rankForEviction(pods: readonly Pod[], stats: StatsFunc, resource: Reclaimed): Pod[] {
  return [...pods].sort(orderedBy(exceedsRequests(stats, resource), byPriority, usageAboveRequest(stats, resource)));
}
