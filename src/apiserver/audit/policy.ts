/**
 * The audit policy (audit.k8s.io/v1 Policy), evaluated as upstream's pkg/audit/policy/checker.go:
 * the first rule that matches the request decides its level (None, Metadata, Request,
 * RequestResponse) and the stages left out (the policy's omitStages plus the rule's); no rule
 * matching means None. A rule matches when every list it has matches: users, userGroups (any),
 * verbs, then either resources/namespaces (resource requests only; `pods`, `pods/log`, `*`,
 * `*\/log`, `pods/*`; resourceNames) or nonResourceURLs (exact or a `prefix*`).
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export type AuditLevel = 'None' | 'Metadata' | 'Request' | 'RequestResponse';
export type AuditStage = 'RequestReceived' | 'ResponseStarted' | 'ResponseComplete' | 'Panic';

export const LEVELS: readonly AuditLevel[] = ['None', 'Metadata', 'Request', 'RequestResponse'];
const STAGES: readonly AuditStage[] = ['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic'];

interface GroupResources { group?: string; resources?: string[]; resourceNames?: string[] }

export interface PolicyRule {
  level: AuditLevel;
  users?: string[];
  userGroups?: string[];
  verbs?: string[];
  resources?: GroupResources[];
  namespaces?: string[];
  nonResourceURLs?: string[];
  omitStages?: AuditStage[];
  omitManagedFields?: boolean;
}

export interface AuditPolicy {
  rules: PolicyRule[];
  omitStages?: AuditStage[];
  omitManagedFields?: boolean;
}

/** What the policy looks at. `resource` is undefined for non-resource requests. */
export interface AuditAttributes {
  user: string;
  groups: readonly string[];
  verb: string;
  path: string;
  resource?: { group: string; resource: string; subresource?: string; namespace?: string; name?: string };
}

export interface PolicyDecision {
  level: AuditLevel;
  omitStages: readonly AuditStage[];
  omitManagedFields: boolean;
}

function strings(v: unknown, at: string, errs: string[]): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) {
    errs.push(`${at}: Invalid value: must be a list of strings`);
    return undefined;
  }
  return v as string[];
}

function stages(v: unknown, at: string, errs: string[]): AuditStage[] | undefined {
  const list = strings(v, at, errs);
  list?.forEach((s, i) => {
    if (!STAGES.includes(s as AuditStage)) errs.push(`${at}[${i}]: Unsupported value: "${s}": supported values: "${STAGES.join('", "')}"`);
  });
  return list as AuditStage[] | undefined;
}

/** Parses and validates a Policy document (YAML or JSON); throws one Error naming every problem. */
export function parseAuditPolicy(text: string, file = '<policy>'): AuditPolicy {
  let d: Record<string, unknown>;
  try {
    d = (parse(text) ?? {}) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`loading audit policy file "${file}": not valid YAML: ${(err as Error).message}`);
  }
  if (d.kind !== 'Policy' || d.apiVersion !== 'audit.k8s.io/v1') {
    throw new Error(`loading audit policy file "${file}": got kind "${String(d.kind)}" in "${String(d.apiVersion)}", want Policy in audit.k8s.io/v1`);
  }
  const errs: string[] = [];
  const rawRules = Array.isArray(d.rules) ? (d.rules as Array<Record<string, unknown>>) : [];
  if (rawRules.length === 0) errs.push('rules: Required value: at least one rule is required');
  const rules = rawRules.map((r, i): PolicyRule => {
    const at = `rules[${i}]`;
    if (!LEVELS.includes(r.level as AuditLevel)) errs.push(`${at}.level: Unsupported value: "${String(r.level)}": supported values: "${LEVELS.join('", "')}"`);
    const rule: PolicyRule = {
      level: r.level as AuditLevel,
      users: strings(r.users, `${at}.users`, errs),
      userGroups: strings(r.userGroups, `${at}.userGroups`, errs),
      verbs: strings(r.verbs, `${at}.verbs`, errs),
      namespaces: strings(r.namespaces, `${at}.namespaces`, errs),
      nonResourceURLs: strings(r.nonResourceURLs, `${at}.nonResourceURLs`, errs),
      omitStages: stages(r.omitStages, `${at}.omitStages`, errs),
      omitManagedFields: typeof r.omitManagedFields === 'boolean' ? r.omitManagedFields : undefined,
      resources: Array.isArray(r.resources) ? (r.resources as GroupResources[]) : undefined,
    };
    if ((rule.resources?.length || rule.namespaces?.length) && rule.nonResourceURLs?.length) {
      errs.push(`${at}.nonResourceURLs: Invalid value: rules cannot apply to both regular resources and non-resource URLs`);
    }
    return rule;
  });
  if (errs.length) throw new Error(`loading audit policy file "${file}": ${errs.join(', ')}`);
  return { rules, omitStages: stages(d.omitStages, 'omitStages', []), omitManagedFields: d.omitManagedFields === true };
}

export function loadAuditPolicy(file: string): AuditPolicy {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`loading audit policy file "${file}": ${(err as Error).message}`);
  }
  return parseAuditPolicy(text, file);
}

function matchesResource(r: PolicyRule, a: AuditAttributes): boolean {
  const res = a.resource;
  if (!res) return false;
  if (r.namespaces?.length && !r.namespaces.includes(res.namespace ?? '')) return false;
  if (!r.resources?.length) return true;
  const combined = res.subresource ? `${res.resource}/${res.subresource}` : res.resource;
  return r.resources.some((gr) => {
    if ((gr.group ?? '') !== res.group) return false;
    if (!gr.resources?.length) return true;
    return gr.resources.some((name) => {
      const hit = name === combined || name === '*' || (res.subresource !== undefined && (name === `*/${res.subresource}` || name === `${res.resource}/*`));
      return hit && (!gr.resourceNames?.length || (res.name !== undefined && gr.resourceNames.includes(res.name)));
    });
  });
}

function matchesNonResource(r: PolicyRule, a: AuditAttributes): boolean {
  if (a.resource) return false;
  return r.nonResourceURLs!.some((u) => u === '*' || u === a.path || (u.endsWith('*') && a.path.startsWith(u.slice(0, -1))));
}

function ruleMatches(r: PolicyRule, a: AuditAttributes): boolean {
  if (r.users?.length && !r.users.includes(a.user)) return false;
  if (r.userGroups?.length && !r.userGroups.some((g) => a.groups.includes(g))) return false;
  if (r.verbs?.length && !r.verbs.includes(a.verb)) return false;
  if (r.namespaces?.length || r.resources?.length) return matchesResource(r, a);
  if (r.nonResourceURLs?.length) return matchesNonResource(r, a);
  return true;
}

/** The level and omitted stages for a request. */
export function evaluatePolicy(p: AuditPolicy, a: AuditAttributes): PolicyDecision {
  for (const r of p.rules) {
    if (!ruleMatches(r, a)) continue;
    return {
      level: r.level,
      omitStages: [...new Set([...(p.omitStages ?? []), ...(r.omitStages ?? [])])],
      omitManagedFields: r.omitManagedFields ?? p.omitManagedFields ?? false,
    };
  }
  return { level: 'None', omitStages: [], omitManagedFields: false };
}
