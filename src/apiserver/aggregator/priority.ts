/**
 * The order of API groups and versions in discovery, from the APIServices' priorities, as upstream:
 * - /apis (kube-aggregator's apisHandler with apiregistration/v1/helper's SortedByGroupAndVersion):
 *   APIServices sorted by groupPriorityMinimum, highest first, then by name; a group takes the place
 *   of its first APIService; apiregistration.k8s.io always first ("it's good to be king").
 * - the aggregated document (apiserver's discovery/aggregated handler): a group by the highest
 *   groupPriorityMinimum of its versions, then by group name.
 * - versions within a group (ByVersionPriority): versionPriority, highest first, then
 *   CompareKubeAwareVersionStrings (v2 > v1 > v1beta1 > v1alpha1 > other strings), the first one preferred.
 * A group or version without an APIService sorts last (priority 0), as upstream's default.
 */
import type { APIService } from '../../api/kinds/apiregistration/api-service.js';
import { kubeVersionCompare } from '../crd/version-priority.js';

const FIRST = 'apiregistration.k8s.io';

export class DiscoveryPriorities {
  /** Group -> version -> [groupPriorityMinimum, versionPriority]. */
  private readonly byGroup = new Map<string, Map<string, [number, number]>>();
  /** Group names in /apis order (SortedByGroupAndVersion). */
  private readonly legacyOrder: string[];

  constructor(services: Iterable<APIService>) {
    const list = [...services].filter((a) => a.spec?.version);
    list.sort((a, b) => (b.spec!.groupPriorityMinimum - a.spec!.groupPriorityMinimum) || ((a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : (a.metadata.name ?? '') > (b.metadata.name ?? '') ? 1 : 0));
    const order = new Set<string>([FIRST]);
    for (const a of list) {
      const group = a.spec!.group ?? '';
      order.add(group);
      let versions = this.byGroup.get(group);
      if (!versions) this.byGroup.set(group, (versions = new Map()));
      versions.set(a.spec!.version!, [a.spec!.groupPriorityMinimum, a.spec!.versionPriority]);
    }
    this.legacyOrder = [...order];
  }

  /** Sorts `versions` of `group` in place, preferred first. */
  sortVersions<T>(group: string, versions: T[], versionOf: (v: T) => string): void {
    const p = this.byGroup.get(group);
    const vp = (v: T): number => p?.get(versionOf(v))?.[1] ?? 0;
    versions.sort((a, b) => (vp(b) - vp(a)) || kubeVersionCompare(versionOf(b), versionOf(a)));
  }

  /** Sorts groups in place in /apis (APIGroupList) order. */
  sortLegacyGroups<T>(groups: T[], nameOf: (g: T) => string): void {
    const rank = new Map(this.legacyOrder.map((g, i) => [g, i]));
    const at = (g: T): number => rank.get(nameOf(g)) ?? Number.MAX_SAFE_INTEGER;
    groups.sort((a, b) => (at(a) - at(b)) || byName(nameOf(a), nameOf(b)));
  }

  /** Sorts groups in place in aggregated discovery order. */
  sortAggregatedGroups<T>(groups: T[], nameOf: (g: T) => string): void {
    const max = (g: T): number => Math.max(0, ...[...(this.byGroup.get(nameOf(g))?.values() ?? [])].map(([gp]) => gp));
    groups.sort((a, b) => (max(b) - max(a)) || byName(nameOf(a), nameOf(b)));
  }
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
