/**
 * Which resources the collector watches: every served kind that can be listed, watched and deleted,
 * minus events (upstream's default ignored resources: too many, never owners in practice). Owners
 * are found by apiVersion and kind through the same registry.
 */
import { registry } from '../../api/registry.js';
import type { ResourceDefinition } from '../../api/resource.js';
import { parseApiVersion, type ResourceRef } from '../../client/resource-ref.js';

const IGNORED = new Set(['/events', 'events.k8s.io/events']);

export function refOf(d: ResourceDefinition): ResourceRef {
  return { group: d.group, version: d.version, resource: d.plural, namespaced: d.namespaced, kind: d.kind };
}

/** The resources whose objects form the graph. */
export function collectableResources(): ResourceRef[] {
  return registry.all()
    .filter((d) => ['list', 'watch', 'delete'].every((v) => d.verbs.includes(v as never)))
    .filter((d) => !IGNORED.has(`${d.group}/${d.plural}`))
    .map(refOf);
}

/** The resource serving an ownerReference's apiVersion and kind, if any. */
export function resourceForOwner(apiVersion: string, kind: string): ResourceRef | undefined {
  const { group, version } = parseApiVersion(apiVersion);
  const d = registry.byKind(group, version, kind);
  return d ? refOf(d) : undefined;
}
