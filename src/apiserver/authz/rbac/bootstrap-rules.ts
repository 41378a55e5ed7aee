/** Rule builders for the bootstrap policy, as upstream's rbacv1helpers.NewRule(...).Groups().Resources().Names().URLs(). */
import type { PolicyRule } from '../../../api/kinds/rbac/policy-rule.js';

export const READ = ['get', 'list', 'watch'];
export const WRITE = ['create', 'update', 'patch', 'delete', 'deletecollection'];
export const READ_WRITE = [...READ, ...WRITE];
export const READ_UPDATE = [...READ, 'update', 'patch'];

/** A resource rule. */
export function rule(verbs: string[], groups: string[], resources: string[], names?: string[]): PolicyRule {
  return { verbs, apiGroups: groups, resources, ...(names ? { resourceNames: names } : {}) };
}

/** A non-resource rule. */
export const urls = (verbs: string[], paths: string[]): PolicyRule => ({ verbs, nonResourceURLs: paths });

/** eventsRule(): create, update and patch events in the core and events.k8s.io groups. */
export const eventsRule = (): PolicyRule => rule(['create', 'update', 'patch'], ['', 'events.k8s.io'], ['events']);
