/**
 * The pieces rbac.authorization.k8s.io/v1's four kinds share (staging/src/k8s.io/api/rbac/v1/types.go):
 * PolicyRule, Subject, RoleRef, their defaults (SetDefaults_Subject, SetDefaults_RoleBinding) and
 * validation (pkg/apis/rbac/validation: ValidatePolicyRule, ValidateRoleBindingSubject, the roleRef
 * checks, ValidateRBACName), with upstream's messages.
 */
import { s } from '../../schema/builders.js';
import { child, fe, index } from '../../schema/errors.js';
import type { Infer } from '../../schema/types.js';
import type { FieldError } from '../../status.js';
import { nameValidator } from '../meta/names.js';

export const RBAC_GROUP = 'rbac.authorization.k8s.io';
const PKG = 'io.k8s.api.rbac.v1';

export const policyRuleSchema = s.object({
  verbs: s.array(s.string(), { description: "Verbs is a list of Verbs that apply to ALL the ResourceKinds contained in this rule. '*' represents all verbs.", listType: 'atomic' }),
  apiGroups: s.array(s.string(), { description: 'APIGroups is the name of the APIGroup that contains the resources.  If multiple API groups are specified, any action requested against one of the enumerated resources in any API group will be allowed. "" represents the core API group and "*" represents all API groups.', listType: 'atomic' }),
  resources: s.array(s.string(), { description: "Resources is a list of resources this rule applies to. '*' represents all resources.", listType: 'atomic' }),
  resourceNames: s.array(s.string(), { description: 'ResourceNames is an optional white list of names that the rule applies to.  An empty set means that everything is allowed.', listType: 'atomic' }),
  nonResourceURLs: s.array(s.string(), { description: 'NonResourceURLs is a set of partial urls that a user should have access to.  *s are allowed, but only as the full, final step in the path Since non-resource URLs are not namespaced, this field is only applicable for ClusterRoles referenced from a ClusterRoleBinding. Rules can either apply to API resources (such as "pods" or "secrets") or non-resource URL paths (such as "/api"),  but not both.', listType: 'atomic' }),
}, { name: `${PKG}.PolicyRule`, required: ['verbs'], description: 'PolicyRule holds information that describes a policy rule, but does not contain information about who the rule applies to or which namespace the rule applies to.' });

export const subjectSchema = s.object({
  kind: s.string('Kind of object being referenced. Values defined by this API group are "User", "Group", and "ServiceAccount". If the Authorizer does not recognized the kind value, the Authorizer should report an error.'),
  apiGroup: s.string('APIGroup holds the API group of the referenced subject. Defaults to "" for ServiceAccount subjects. Defaults to "rbac.authorization.k8s.io" for User and Group subjects.'),
  name: s.string('Name of the object being referenced.'),
  namespace: s.string('Namespace of the referenced object.  If the object kind is non-namespace, such as "User" or "Group", and this value is not empty the Authorizer should report an error.'),
}, { name: `${PKG}.Subject`, required: ['kind', 'name'], mapType: 'atomic', description: 'Subject contains a reference to the object or user identities a role binding applies to.  This can either hold a direct API object reference, or a value for non-objects such as user and group names.' });

export const roleRefSchema = s.object({
  apiGroup: s.string('APIGroup is the group for the resource being referenced'),
  kind: s.string('Kind is the type of resource being referenced'),
  name: s.string('Name is the name of resource being referenced'),
}, { name: `${PKG}.RoleRef`, required: ['apiGroup', 'kind', 'name'], mapType: 'atomic', description: 'RoleRef contains information that points to the role being used' });

export type PolicyRule = Infer<typeof policyRuleSchema>;
export type Subject = Infer<typeof subjectSchema>;
export type RoleRef = Infer<typeof roleRefSchema>;

/** path.IsValidPathSegmentName: RBAC names may hold ':' (system:node) but not '/' or '%'. */
export function pathSegmentNameErrors(name: string): string[] {
  if (name === '.' || name === '..') return [`may not be '${name}'`];
  const errs: string[] = [];
  for (const bad of ['/', '%']) if (name.includes(bad)) errs.push(`may not contain '${bad}'`);
  return errs;
}

/** ValidateRBACName (generateName prefixes included: the same rules apply). */
export const nameIsPathSegment = nameValidator(pathSegmentNameErrors);

/** ValidatePolicyRule; `namespaced` for a Role's rules. */
export function validatePolicyRule(rule: PolicyRule, namespaced: boolean, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!rule.verbs?.length) errs.push(fe.required(child(path, 'verbs'), 'verbs must contain at least one value'));
  if (rule.nonResourceURLs?.length) {
    if (namespaced) errs.push(fe.invalid(child(path, 'nonResourceURLs'), rule.nonResourceURLs, 'namespaced rules cannot apply to non-resource URLs'));
    if (rule.apiGroups?.length || rule.resources?.length) {
      errs.push(fe.invalid(child(path, 'nonResourceURLs'), rule.nonResourceURLs, 'rules cannot apply to both regular resources and non-resource URLs'));
    }
    return errs;
  }
  if (!rule.apiGroups?.length) errs.push(fe.required(child(path, 'apiGroups'), 'resource rules must supply at least one api group'));
  if (!rule.resources?.length) errs.push(fe.required(child(path, 'resources'), 'resource rules must supply at least one resource'));
  return errs;
}

export function validateRules(rules: PolicyRule[] | undefined, namespaced: boolean): FieldError[] {
  return (rules ?? []).flatMap((r, i) => validatePolicyRule(r, namespaced, index('rules', i)));
}

/** SetDefaults_Subject and SetDefaults_RoleBinding's roleRef group. */
export function defaultBinding(b: { subjects?: Subject[]; roleRef?: RoleRef }): void {
  for (const sub of b.subjects ?? []) {
    if (!sub.apiGroup && (sub.kind === 'User' || sub.kind === 'Group')) sub.apiGroup = RBAC_GROUP;
  }
  if (b.roleRef && !b.roleRef.apiGroup) b.roleRef.apiGroup = RBAC_GROUP;
}

/** ValidateRoleBindingSubject. */
function validateSubject(sub: Subject, namespaced: boolean, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!sub.name) errs.push(fe.required(child(path, 'name')));
  switch (sub.kind) {
    case 'ServiceAccount':
      if (sub.name) for (const msg of pathSegmentNameErrors(sub.name)) errs.push(fe.invalid(child(path, 'name'), sub.name, msg));
      if (sub.apiGroup) errs.push(fe.notSupported(child(path, 'apiGroup'), sub.apiGroup, ['']));
      if (!namespaced && !sub.namespace) errs.push(fe.required(child(path, 'namespace')));
      break;
    case 'User':
    case 'Group':
      if (sub.apiGroup !== RBAC_GROUP) errs.push(fe.notSupported(child(path, 'apiGroup'), sub.apiGroup ?? '', [RBAC_GROUP]));
      break;
    default:
      errs.push(fe.notSupported(child(path, 'kind'), sub.kind, ['ServiceAccount', 'User', 'Group']));
  }
  return errs;
}

/** ValidateRoleBinding / ValidateClusterRoleBinding's roleRef and subjects. */
export function validateRbacBinding(b: { subjects?: Subject[]; roleRef: RoleRef }, namespaced: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const ref = b.roleRef ?? ({} as RoleRef);
  if (ref.apiGroup !== RBAC_GROUP) errs.push(fe.notSupported('roleRef.apiGroup', ref.apiGroup ?? '', [RBAC_GROUP]));
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (!kinds.includes(ref.kind)) errs.push(fe.notSupported('roleRef.kind', ref.kind ?? '', kinds));
  if (!ref.name) errs.push(fe.required('roleRef.name'));
  else for (const msg of pathSegmentNameErrors(ref.name)) errs.push(fe.invalid('roleRef.name', ref.name, msg));
  (b.subjects ?? []).forEach((sub, i) => errs.push(...validateSubject(sub, namespaced, index('subjects', i))));
  return errs;
}

/** ValidateRoleBindingUpdate: roleRef may not change (delete and recreate the binding). */
export function validateRbacBindingUpdate(b: { roleRef: RoleRef }, old: { roleRef: RoleRef }): FieldError[] {
  const same = b.roleRef?.apiGroup === old.roleRef?.apiGroup && b.roleRef?.kind === old.roleRef?.kind && b.roleRef?.name === old.roleRef?.name;
  return same ? [] : [fe.invalid('roleRef', b.roleRef, 'cannot change roleRef')];
}

/** The wide columns of both binding kinds (printRoleBinding: Users, Groups, ServiceAccounts). */
export function subjectCells(subjects: Subject[] | undefined): [string, string, string] {
  const of = (kind: string) => (subjects ?? []).filter((x) => x.kind === kind);
  return [
    of('User').map((x) => x.name).join(', '),
    of('Group').map((x) => x.name).join(', '),
    of('ServiceAccount').map((x) => `${x.namespace ?? ''}/${x.name}`).join(', '),
  ];
}
