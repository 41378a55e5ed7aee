/**
 * Classifies a request to a FlowSchema and so to a priority level, as kube-apiserver's API Priority
 * and Fairness (staging/src/k8s.io/apiserver/pkg/util/flowcontrol/rule.go, matchesFlowSchema): the
 * FlowSchemas are tried by matchingPrecedence, then name; the first whose rules match wins. A rule
 * matches when a subject matches (user name, group, or ServiceAccount `system:serviceaccount:ns:name`,
 * `*` matching any) and a resource rule (verb, apiGroup, resource[/subresource], namespace or
 * clusterScope) or non-resource rule (verb, URL exact or `/prefix/*`) matches.
 */
import type { FlowSchema, PolicyRulesWithSubjects } from '../../api/kinds/flowcontrol/flow-schema.js';

/** What classification looks at (upstream's RequestDigest). */
export interface RequestDigest {
  user: string;
  groups: readonly string[];
  /** Resource requests: get, list, watch, create, update, patch, delete, deletecollection; others: the lower-cased method. */
  verb: string;
  isResource: boolean;
  apiGroup: string;
  /** `pods`, or `pods/status` for a subresource. */
  resource: string;
  /** '' for cluster-scoped requests and lists across namespaces. */
  namespace: string;
  path: string;
  /** The object named by the path, or by an exact metadata.name field selector of a list or watch (RequestInfo.Name). */
  name?: string;
  /** The path's API version, `v1` (dumps only). */
  version?: string;
  /** The query (work estimation of lists and watches). */
  query?: URLSearchParams;
}

type Subject = PolicyRulesWithSubjects['subjects'][number];
const SA_PREFIX = 'system:serviceaccount:';

function subjectMatches(s: Subject, d: RequestDigest): boolean {
  switch (s.kind) {
    case 'User': return s.user?.name === '*' || s.user?.name === d.user;
    case 'Group': return s.group?.name === '*' || d.groups.includes(s.group?.name ?? '');
    case 'ServiceAccount': {
      const sa = s.serviceAccount;
      if (!sa || !d.user.startsWith(SA_PREFIX)) return false;
      const [ns, name] = d.user.slice(SA_PREFIX.length).split(':');
      return ns === sa.namespace && (sa.name === '*' || sa.name === name);
    }
    default: return false;
  }
}

const has = (list: readonly string[] | undefined, v: string): boolean => !!list && (list.includes('*') || list.includes(v));

function urlMatches(patterns: readonly string[] | undefined, path: string): boolean {
  for (const u of patterns ?? []) {
    if (u === '*' || u === path) return true;
    if (u.endsWith('/*') && path.startsWith(u.slice(0, -1))) return true;
  }
  return false;
}

function ruleMatches(rule: PolicyRulesWithSubjects, d: RequestDigest): boolean {
  if (!rule.subjects.some((s) => subjectMatches(s, d))) return false;
  if (!d.isResource) return (rule.nonResourceRules ?? []).some((r) => has(r.verbs, d.verb) && urlMatches(r.nonResourceURLs, d.path));
  return (rule.resourceRules ?? []).some((r) => has(r.verbs, d.verb) && has(r.apiGroups, d.apiGroup) && has(r.resources, d.resource)
    && (d.namespace === '' ? !!r.clusterScope : has(r.namespaces, d.namespace)));
}

export function flowSchemaMatches(fs: FlowSchema, d: RequestDigest): boolean {
  return (fs.spec?.rules ?? []).some((r) => ruleMatches(r, d));
}

/** FlowSchemas in the order they are tried: matchingPrecedence ascending, then name. */
export function inMatchingOrder(schemas: readonly FlowSchema[]): FlowSchema[] {
  return [...schemas].sort((a, b) => (a.spec?.matchingPrecedence ?? 1000) - (b.spec?.matchingPrecedence ?? 1000) || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
}

/** The first matching FlowSchema of `ordered` (from inMatchingOrder) whose priority level exists. */
export function classify(ordered: readonly FlowSchema[], levelExists: (name: string) => boolean, d: RequestDigest): FlowSchema | undefined {
  return ordered.find((fs) => levelExists(fs.spec?.priorityLevelConfiguration?.name ?? '') && flowSchemaMatches(fs, d));
}
