/**
 * Which admission requests a webhook or policy applies to, as upstream's
 * apiserver/pkg/admission/plugin/webhook/predicates (rules.Matcher, namespace and object
 * selectors): operations, groups, versions, resources with subresources (`*`, `pods/*`, `*\/scale`),
 * scope, namespaceSelector (the namespace's labels; a Namespace is matched on its own labels, other
 * cluster-scoped objects always match), objectSelector (the new or the old object's labels).
 */
import type { KubeObject } from '../../../api/meta.js';
import type { ResourceDefinition } from '../../../api/resource.js';
import { labelSelectorFromObject, type LabelSelectorObject } from '../../../api/selectors/label-selector-object.js';
import { matchesLabels } from '../../../api/selectors/label-selector.js';
import type { AdmissionAttributes } from '../../storage/types.js';

export interface Rule {
  operations?: string[];
  apiGroups?: string[];
  apiVersions?: string[];
  resources?: string[];
  scope?: string;
  resourceNames?: string[];
}

/** A request with its resource, as the matchers see it. */
export interface AdmissionRequestInfo {
  def: ResourceDefinition;
  attrs: AdmissionAttributes;
  /** The namespace's labels (undefined for cluster-scoped requests), looked up once when a selector needs them. */
  namespaceLabels: () => Promise<Record<string, string> | undefined>;
}

const has = (list: string[] | undefined, v: string): boolean => (list ?? []).some((x) => x === '*' || x === v);

export function ruleMatches(rule: Rule, r: AdmissionRequestInfo): boolean {
  const { def, attrs } = r;
  if (!has(rule.operations, attrs.operation)) return false;
  if (!has(rule.apiGroups, def.group) || !has(rule.apiVersions, def.version)) return false;
  const sub = attrs.subresource ?? '';
  const resourceOk = (rule.resources ?? []).some((entry) => {
    const [res, s = ''] = entry.split('/', 2) as [string, string?];
    return (res === '*' || res === def.plural) && (s === '*' || s === sub);
  });
  if (!resourceOk) return false;
  const scope = rule.scope ?? '*';
  if (scope === 'Cluster' && def.namespaced) return false;
  if (scope === 'Namespaced' && !def.namespaced) return false;
  if (rule.resourceNames?.length && !rule.resourceNames.includes(attrs.name)) return false;
  return true;
}

const isEmptySelector = (s: LabelSelectorObject | undefined): boolean =>
  !s || (!Object.keys(s.matchLabels ?? {}).length && !(s.matchExpressions ?? []).length);

export async function namespaceSelectorMatches(sel: LabelSelectorObject | undefined, r: AdmissionRequestInfo): Promise<boolean> {
  if (isEmptySelector(sel)) return true;
  let labels: Record<string, string> | undefined;
  if (r.def.group === '' && r.def.plural === 'namespaces') labels = (r.attrs.object ?? r.attrs.oldObject)?.metadata?.labels ?? {};
  else if (!r.def.namespaced) return true;
  else labels = (await r.namespaceLabels()) ?? {};
  return matchesLabels(labelSelectorFromObject(sel), labels);
}

export function objectSelectorMatches(sel: LabelSelectorObject | undefined, attrs: AdmissionAttributes): boolean {
  if (isEmptySelector(sel)) return true;
  const selector = labelSelectorFromObject(sel);
  const matches = (o: KubeObject | undefined): boolean => !!o && matchesLabels(selector, o.metadata?.labels ?? {});
  return matches(attrs.object) || matches(attrs.oldObject);
}

/** Upstream never sends these to webhooks (IsExemptAdmissionConfigurationResource), so a bad webhook cannot lock itself in. */
export function isExemptConfigurationResource(def: ResourceDefinition): boolean {
  return def.group === 'admissionregistration.k8s.io';
}
