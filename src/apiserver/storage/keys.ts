/**
 * Where objects live in the store: `/registry/<group or core>/<plural>/<namespace>/<name>` for
 * namespaced kinds, `/registry/<group or core>/<plural>/<name>` for cluster-scoped ones.
 */
import type { ResourceDefinition } from '../../api/resource.js';

/** The prefix every object of the resource lives under (ends with '/'). */
export function resourcePrefix(def: Pick<ResourceDefinition, 'group' | 'plural'>): string {
  const own = `${def.group || 'core'}/${def.plural}`;
  return `/registry/${COHABITING[own] ?? own}/`;
}

/** Resources stored with another group's (upstream's cohabiting resources): events.k8s.io Events are core Events. */
const COHABITING: Readonly<Record<string, string>> = { 'events.k8s.io/events': 'core/events' };

/** Prefix for list and watch: one namespace, or the whole resource when namespace is empty. */
export function listPrefix(def: Pick<ResourceDefinition, 'group' | 'plural' | 'namespaced'>, namespace?: string): string {
  const base = resourcePrefix(def);
  return def.namespaced && namespace ? `${base}${namespace}/` : base;
}

export function objectKey(def: Pick<ResourceDefinition, 'group' | 'plural' | 'namespaced'>, namespace: string | undefined, name: string): string {
  return def.namespaced ? `${resourcePrefix(def)}${namespace ?? ''}/${name}` : `${resourcePrefix(def)}${name}`;
}

/** The key of a namespace object (namespaces are core, cluster-scoped). */
export function namespaceKey(name: string): string {
  return `/registry/core/namespaces/${name}`;
}
