/**
 * RBAC's rule semantics, as upstream's pkg/apis/rbac/v1/evaluation_helpers.go (RuleAllows and the
 * Verb/APIGroup/Resource/ResourceName/NonResourceURL matchers) and, for escalation checks,
 * pkg/registry/rbac/validation/policy_comparator.go (Covers, BreakdownRule, ruleCovers) with
 * CompactRules and CompactString for the message that lists what is missing.
 */
import type { PolicyRule } from '../../../api/kinds/rbac/policy-rule.js';

/** What a rule is checked against: a resource request, or a non-resource one (`path` set). */
export interface RuleRequest {
  verb: string;
  group?: string;
  resource?: string;
  subresource?: string;
  name?: string;
  /** A non-resource request's URL path (e.g. /healthz). */
  path?: string;
}

const has = (set: readonly string[] | undefined, v: string): boolean => set !== undefined && set.includes(v);
const hasAll = (set: readonly string[] | undefined, vs: readonly string[] | undefined): boolean => (vs ?? []).every((v) => has(set, v));

export const verbMatches = (r: PolicyRule, verb: string): boolean => has(r.verbs, '*') || has(r.verbs, verb);
export const apiGroupMatches = (r: PolicyRule, group: string): boolean => has(r.apiGroups, '*') || has(r.apiGroups, group);

/** `*`, the exact `resource/subresource`, or `*\/subresource` for any resource's subresource. */
export function resourceMatches(r: PolicyRule, combined: string, subresource: string | undefined): boolean {
  for (const res of r.resources ?? []) {
    if (res === '*' || res === combined) return true;
    if (subresource && res.length === subresource.length + 2 && res.startsWith('*/') && res.endsWith(subresource)) return true;
  }
  return false;
}

/** An empty list allows every name; otherwise the request must name one of them. */
export const resourceNameMatches = (r: PolicyRule, name: string | undefined): boolean =>
  !r.resourceNames?.length || (name !== undefined && name !== '' && r.resourceNames.includes(name));

/** `*`, the exact path, or a prefix ending in `*`. */
export function nonResourceURLMatches(r: PolicyRule, path: string): boolean {
  for (const u of r.nonResourceURLs ?? []) {
    if (u === '*' || u === path) return true;
    if (u.endsWith('*') && path.startsWith(u.slice(0, -1))) return true;
  }
  return false;
}

/** RuleAllows. */
export function ruleAllows(q: RuleRequest, r: PolicyRule): boolean {
  if (q.path !== undefined) return verbMatches(r, q.verb) && nonResourceURLMatches(r, q.path);
  const combined = q.subresource ? `${q.resource ?? ''}/${q.subresource}` : q.resource ?? '';
  return verbMatches(r, q.verb) && apiGroupMatches(r, q.group ?? '') && resourceMatches(r, combined, q.subresource) && resourceNameMatches(r, q.name);
}

/** BreakdownRule: one rule per group, resource, verb (and resource name), and per URL and verb. */
export function breakdownRule(r: PolicyRule): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const g of r.apiGroups ?? []) {
    for (const res of r.resources ?? []) {
      for (const v of r.verbs ?? []) {
        if (r.resourceNames?.length) for (const n of r.resourceNames) out.push({ apiGroups: [g], resources: [res], verbs: [v], resourceNames: [n] });
        else out.push({ apiGroups: [g], resources: [res], verbs: [v] });
      }
    }
  }
  for (const u of r.nonResourceURLs ?? []) for (const v of r.verbs ?? []) out.push({ nonResourceURLs: [u], verbs: [v] });
  return out;
}

function resourceCoversAll(set: readonly string[] | undefined, covers: readonly string[] | undefined): boolean {
  if (has(set, '*') || hasAll(set, covers)) return true;
  for (const path of covers ?? []) {
    if (has(set, path)) continue;
    const slash = path.indexOf('/');
    if (slash < 0 || !has(set, `*/${path.slice(slash + 1)}`)) return false;
  }
  return true;
}

const nonResourceURLCovers = (owner: string, want: string): boolean =>
  owner === want || owner === '*' || (owner.endsWith('*') && want.startsWith(owner.replace(/\*+$/, '')));

/** ruleCovers: `owner` allows everything the broken-down `sub` rule allows. */
export function ruleCovers(owner: PolicyRule, sub: PolicyRule): boolean {
  const verbs = has(owner.verbs, '*') || hasAll(owner.verbs, sub.verbs);
  const groups = has(owner.apiGroups, '*') || hasAll(owner.apiGroups, sub.apiGroups);
  const resources = resourceCoversAll(owner.resources, sub.resources);
  const urls = (sub.nonResourceURLs ?? []).every((u) => (owner.nonResourceURLs ?? []).some((o) => nonResourceURLCovers(o, u)));
  const names = !sub.resourceNames?.length ? !owner.resourceNames?.length : !owner.resourceNames?.length || hasAll(owner.resourceNames, sub.resourceNames);
  return verbs && groups && resources && urls && names;
}

/** Covers: whether `owner` holds every permission in `servant`, and the broken-down rules it lacks. */
export function covers(owner: readonly PolicyRule[], servant: readonly PolicyRule[]): { covered: boolean; missing: PolicyRule[] } {
  const missing = servant.flatMap(breakdownRule).filter((sub) => !owner.some((o) => ruleCovers(o, sub)));
  return { covered: missing.length === 0, missing };
}

/** CompactRules: simple rules (one group, one resource, at most one name) of the same target merge their verbs. */
export function compactRules(rules: readonly PolicyRule[]): PolicyRule[] {
  const out: PolicyRule[] = [];
  const simple = new Map<string, PolicyRule>();
  for (const r of rules) {
    const isSimple = !r.nonResourceURLs?.length && r.apiGroups?.length === 1 && r.resources?.length === 1 && (r.resourceNames?.length ?? 0) <= 1;
    if (!isSimple) {
      out.push(r);
      continue;
    }
    const key = JSON.stringify([r.apiGroups![0], r.resources![0], r.resourceNames?.length ? r.resourceNames[0] : null]);
    const seen = simple.get(key);
    if (seen) seen.verbs = [...seen.verbs, ...r.verbs];
    else simple.set(key, { ...r, verbs: [...r.verbs] });
  }
  return [...out, ...simple.values()];
}

/** Go's %q of a []string: `["a" "b"]`. */
export const goQuotedList = (vs: readonly string[]): string => `[${vs.map((v) => JSON.stringify(v)).join(' ')}]`;

/** rbacv1helpers.CompactString: `{APIGroups:[""], Resources:["pods"], Verbs:["get"]}`. */
export function compactString(r: PolicyRule): string {
  const parts: string[] = [];
  if (r.apiGroups?.length) parts.push(`APIGroups:${goQuotedList(r.apiGroups)}`);
  if (r.resources?.length) parts.push(`Resources:${goQuotedList(r.resources)}`);
  if (r.nonResourceURLs?.length) parts.push(`NonResourceURLs:${goQuotedList(r.nonResourceURLs)}`);
  if (r.resourceNames?.length) parts.push(`ResourceNames:${goQuotedList(r.resourceNames)}`);
  if (r.verbs?.length) parts.push(`Verbs:${goQuotedList(r.verbs)}`);
  return `{${parts.join(', ')}}`;
}
