/**
 * Remote APIServices in this server's discovery, as the aggregator's apisHandler and discovery
 * aggregation controller: /apis lists their groups (versions by versionPriority, highest preferred),
 * /apis/<group> of a remote group is answered here, and the aggregated document (apidiscovery v2)
 * carries each remote version's resources converted from the APIResourceList its last successful
 * check fetched; freshness Stale while the APIService is not Available. Both /apis documents, the
 * server's own groups included, are then ordered by the APIServices' priorities (priority.ts).
 */
import type { APIService } from '../../api/kinds/apiregistration/api-service.js';
import type { AvailabilityController } from './availability-controller.js';
import type { ApiResource } from './discovery-check.js';
import { DiscoveryPriorities } from './priority.js';

interface GroupVersionEntry { groupVersion: string; version: string }
interface ApiGroup { name: string; versions: GroupVersionEntry[]; preferredVersion?: GroupVersionEntry }
interface DiscoveryGroup { metadata: { name?: string }; versions: { version: string }[] }

export class RemoteDiscovery {
  constructor(private readonly availability: AvailabilityController) {}

  /** Remote APIServices by group, each group's versions highest versionPriority first. */
  private remoteGroups(): Map<string, APIService[]> {
    const out = new Map<string, APIService[]>();
    const remote = [...this.availability.byName.values()].filter((a) => a.spec?.service && a.spec.group);
    remote.sort((a, b) => (b.spec!.groupPriorityMinimum - a.spec!.groupPriorityMinimum) || (b.spec!.versionPriority - a.spec!.versionPriority) || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
    for (const a of remote) out.set(a.spec!.group!, [...(out.get(a.spec!.group!) ?? []), a]);
    return out;
  }

  /** Adds remote groups and versions to an APIGroupList (in place). */
  mergeGroupList(doc: { groups: ApiGroup[] }): void {
    for (const [name, services] of this.remoteGroups()) {
      let g = doc.groups.find((x) => x.name === name);
      if (!g) doc.groups.push((g = { name, versions: [] }));
      for (const a of services) {
        const version = a.spec!.version ?? '';
        if (!g.versions.some((v) => v.version === version)) g.versions.push({ groupVersion: `${name}/${version}`, version });
      }
    }
    const order = this.priorities();
    order.sortLegacyGroups(doc.groups, (g) => g.name);
    for (const g of doc.groups) {
      order.sortVersions(g.name, g.versions, (v) => v.version);
      g.preferredVersion = g.versions[0];
    }
  }

  private priorities(): DiscoveryPriorities {
    return new DiscoveryPriorities(this.availability.byName.values());
  }

  /** The APIGroup of a remote group, or undefined when no remote APIService serves it. */
  group(name: string): object | undefined {
    const services = this.remoteGroups().get(name);
    if (!services) return undefined;
    const versions = services.map((a) => ({ groupVersion: `${name}/${a.spec!.version ?? ''}`, version: a.spec!.version ?? '' }));
    this.priorities().sortVersions(name, versions, (v) => v.version);
    return { kind: 'APIGroup', apiVersion: 'v1', name, versions, preferredVersion: versions[0] };
  }

  /** Adds remote versions, with their resources, to an APIGroupDiscoveryList (in place). */
  mergeAggregated(doc: { items: DiscoveryGroup[] }): void {
    for (const [name, services] of this.remoteGroups()) {
      let g = doc.items.find((x) => x.metadata.name === name);
      if (!g) doc.items.push((g = { metadata: { name, creationTimestamp: null } as DiscoveryGroup['metadata'], versions: [] }));
      for (const a of services) {
        const version = a.spec!.version ?? '';
        if (g.versions.some((v) => v.version === version)) continue;
        const available = a.status?.conditions?.some((c) => c.type === 'Available' && c.status === 'True') ?? false;
        const resources = this.availability.resources.get(a.metadata.name ?? '') ?? [];
        g.versions.push({ version, resources: toDiscoveryResources(resources, name, version), freshness: available ? 'Current' : 'Stale' } as { version: string });
      }
    }
    const order = this.priorities();
    order.sortAggregatedGroups(doc.items, (g) => g.metadata.name ?? '');
    for (const g of doc.items) order.sortVersions(g.metadata.name ?? '', g.versions, (v) => v.version);
  }
}

/** APIResourceList entries as apidiscovery v2 resources: subresources ("a/b") folded under their resource. */
function toDiscoveryResources(list: ApiResource[], group: string, version: string): object[] {
  const top = list.filter((r) => !r.name.includes('/'));
  return top.map((r) => {
    const subs = list.filter((s) => s.name.startsWith(`${r.name}/`)).map((s) => ({
      subresource: s.name.slice(r.name.length + 1),
      responseKind: { group: s.group ?? group, version: s.version ?? version, kind: s.kind ?? '' },
      verbs: s.verbs ?? [],
    }));
    return {
      resource: r.name,
      responseKind: { group: r.group ?? group, version: r.version ?? version, kind: r.kind ?? '' },
      scope: r.namespaced ? 'Namespaced' : 'Cluster',
      singularResource: r.singularName || r.kind?.toLowerCase() || '',
      verbs: r.verbs ?? [],
      ...(r.shortNames?.length ? { shortNames: r.shortNames } : {}),
      ...(r.categories?.length ? { categories: r.categories } : {}),
      ...(subs.length ? { subresources: subs } : {}),
    };
  });
}
