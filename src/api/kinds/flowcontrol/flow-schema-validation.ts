/**
 * ValidateFlowSchema as upstream (pkg/apis/flowcontrol/validation/validation.go): precedence in
 * [1, 10000] and 1 only for `exempt`, distinguisher ByUser or ByNamespace, a priority level named,
 * each rule with subjects and at least one resource or non-resource rule, `*` alone where it
 * appears, namespaces DNS labels, non-resource URLs absolute with suffix wildcards only, the
 * mandatory schemas' spec fixed, conditions unique by type.
 */
import { deepEqual } from '../../schema/equal.js';
import { fe, index } from '../../schema/errors.js';
import type { FieldError } from '../../status.js';
import { isDNS1123Label, isDNS1123Subdomain } from '../meta/names.js';
import { MANDATORY_FLOW_SCHEMAS } from './bootstrap-configuration.js';
import { SUPPORTED_VERBS, validateFlowcontrolConditions } from './conditions.js';
import type { FlowSchema, PolicyRulesWithSubjects } from './flow-schema.js';

const MAX_PRECEDENCE = 10000;
const NS_INTRO = "each member of this list must be '*' or a DNS-1123 label; ";

type Subject = PolicyRulesWithSubjects['subjects'][number];

function validateSubject(s: Subject, p: string): FieldError[] {
  const errs: FieldError[] = [];
  const others = (allowed: 'user' | 'group' | 'serviceAccount') => {
    if (allowed !== 'user' && s.user) errs.push(fe.forbidden(`${p}.user`, "user is forbidden when subject kind is not 'User'"));
    if (allowed !== 'group' && s.group) errs.push(fe.forbidden(`${p}.group`, "group is forbidden when subject kind is not 'Group'"));
    if (allowed !== 'serviceAccount' && s.serviceAccount) errs.push(fe.forbidden(`${p}.serviceAccount`, "serviceAccount is forbidden when subject kind is not 'ServiceAccount'"));
  };
  switch (s.kind) {
    case 'ServiceAccount': {
      const sa = s.serviceAccount;
      if (!sa) errs.push(fe.required(`${p}.serviceAccount`, "serviceAccount is required when subject kind is 'ServiceAccount'"));
      else {
        if (!sa.name) errs.push(fe.required(`${p}.serviceAccount.name`));
        else if (sa.name !== '*') for (const m of isDNS1123Subdomain(sa.name)) errs.push(fe.invalid(`${p}.serviceAccount.name`, sa.name, m));
        if (!sa.namespace) errs.push(fe.required(`${p}.serviceAccount.namespace`, 'must specify namespace for service account'));
        else for (const m of isDNS1123Label(sa.namespace)) errs.push(fe.invalid(`${p}.serviceAccount.namespace`, sa.namespace, m));
      }
      others('serviceAccount');
      break;
    }
    case 'User':
      if (!s.user) errs.push(fe.required(`${p}.user`, "user is required when subject kind is 'User'"));
      else if (!s.user.name) errs.push(fe.required(`${p}.user.name`));
      others('user');
      break;
    case 'Group':
      if (!s.group) errs.push(fe.required(`${p}.group`, "group is required when subject kind is 'Group'"));
      else if (!s.group.name) errs.push(fe.required(`${p}.group.name`));
      others('group');
      break;
    default:
      errs.push(fe.notSupported(`${p}.kind`, s.kind, ['Group', 'ServiceAccount', 'User']));
  }
  return errs;
}

function validateVerbs(verbs: readonly string[] | undefined, p: string): FieldError[] {
  if (!verbs?.length) return [fe.required(p, 'verbs must contain at least one value')];
  if (verbs.includes('*')) return verbs.length > 1 ? [fe.invalid(p, verbs, "if '*' is present, must not specify other verbs")] : [];
  return verbs.every((v) => SUPPORTED_VERBS.includes(v)) ? [] : [fe.notSupported(p, verbs, SUPPORTED_VERBS)];
}

/** A list that may not be empty and where `*` must stand alone. */
function wildcardList(list: readonly string[] | undefined, p: string, required: string, what: string): FieldError[] {
  if (!list?.length) return [fe.required(p, required)];
  return list.length > 1 && list.includes('*') ? [fe.invalid(p, list, `if '*' is present, must not specify other ${what}`)] : [];
}

/** ValidateNonResourceURLPath. */
function nonResourceURLError(path: string): string | undefined {
  if (!path) return 'must not be empty';
  if (path === '/') return undefined;
  if (!path.startsWith('/')) return 'must start with slash';
  if (path.includes(' ')) return 'must not contain white-space';
  if (path.includes('//')) return 'must not contain double slash';
  const stars = path.split('*').length - 1;
  if (stars > 1 || (stars === 1 && !path.endsWith('/*'))) return 'wildcard can only do suffix matching';
  return undefined;
}

function validateRules(rule: PolicyRulesWithSubjects, p: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!rule.subjects?.length) errs.push(fe.required(`${p}.subjects`, 'subjects must contain at least one value'));
  (rule.subjects ?? []).forEach((s, i) => errs.push(...validateSubject(s, index(`${p}.subjects`, i))));
  if (!rule.resourceRules?.length && !rule.nonResourceRules?.length) errs.push(fe.required(p, 'at least one of resourceRules and nonResourceRules has to be non-empty'));
  (rule.resourceRules ?? []).forEach((r, i) => {
    const rp = index(`${p}.resourceRules`, i);
    errs.push(...validateVerbs(r.verbs, `${rp}.verbs`));
    errs.push(...wildcardList(r.apiGroups, `${rp}.apiGroups`, 'resource rules must supply at least one api group', 'api groups'));
    errs.push(...wildcardList(r.resources, `${rp}.resources`, 'resource rules must supply at least one resource', 'resources'));
    const ns = r.namespaces ?? [];
    if (!ns.length && !r.clusterScope) errs.push(fe.required(`${rp}.namespaces`, 'resource rules that are not cluster scoped must supply at least one namespace'));
    else if (ns.includes('*')) { if (ns.length > 1) errs.push(fe.invalid(`${rp}.namespaces`, ns, "if '*' is present, must not specify other namespaces")); }
    else ns.forEach((n, j) => { for (const m of isDNS1123Label(n)) errs.push(fe.invalid(index(`${rp}.namespaces`, j), n, NS_INTRO + m)); });
  });
  (rule.nonResourceRules ?? []).forEach((r, i) => {
    const rp = index(`${p}.nonResourceRules`, i);
    errs.push(...validateVerbs(r.verbs, `${rp}.verbs`));
    const urls = r.nonResourceURLs ?? [];
    if (!urls.length) errs.push(fe.required(`${rp}.nonResourceURLs`, 'nonResourceURLs must contain at least one value'));
    else if (urls.includes('*')) { if (urls.length > 1) errs.push(fe.invalid(`${rp}.nonResourceURLs`, urls, "if '*' is present, must not specify other non-resource URLs")); }
    else urls.forEach((u, j) => { const m = nonResourceURLError(u); if (m) errs.push(fe.invalid(index(`${rp}.nonResourceURLs`, j), u, m)); });
  });
  return errs;
}

export function validateFlowSchema(fs: FlowSchema): FieldError[] {
  const errs: FieldError[] = [];
  const spec = fs.spec ?? { priorityLevelConfiguration: { name: '' } };
  const name = fs.metadata.name ?? '';
  const prec = spec.matchingPrecedence ?? 0;
  if (prec <= 0) errs.push(fe.invalid('spec.matchingPrecedence', prec, 'must be a positive value'));
  if (prec > MAX_PRECEDENCE) errs.push(fe.invalid('spec.matchingPrecedence', prec, `must not be greater than ${MAX_PRECEDENCE}`));
  if (prec === 1 && name !== 'exempt') errs.push(fe.invalid('spec.matchingPrecedence', prec, "only the schema named 'exempt' may have matchingPrecedence 1"));
  const dm = spec.distinguisherMethod?.type;
  if (spec.distinguisherMethod && dm !== 'ByUser' && dm !== 'ByNamespace') errs.push(fe.notSupported('spec.distinguisherMethod.type', dm ?? '', ['ByNamespace', 'ByUser']));
  const pl = spec.priorityLevelConfiguration?.name ?? '';
  if (!pl) errs.push(fe.required('spec.priorityLevelConfiguration.name', 'must reference a priority level'));
  else for (const m of isDNS1123Subdomain(pl)) errs.push(fe.invalid('spec.priorityLevelConfiguration.name', pl, m));
  (spec.rules ?? []).forEach((r, i) => errs.push(...validateRules(r, index('spec.rules', i))));
  const mandatory = MANDATORY_FLOW_SCHEMAS.find((m) => m.metadata.name === name);
  if (mandatory && !deepEqual(spec, mandatory.spec)) errs.push(fe.invalid('spec', spec, `spec of '${name}' must equal the fixed value`));
  errs.push(...validateFlowcontrolConditions(fs.status?.conditions));
  return errs;
}
