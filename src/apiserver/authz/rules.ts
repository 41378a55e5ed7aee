/**
 * What a user may do, as rules (authorization.k8s.io/v1 SubjectRulesReviewStatus, for
 * `kubectl auth can-i --list`), as upstream's union of its authorizers' RulesFor: system:masters
 * may do everything; a node's listable permissions come from the node authorizer (which marks the
 * list incomplete: what depends on its pods cannot be listed); then every rule RBAC binds to the
 * user in the namespace and cluster-wide. Rules are additive: a listed rule is allowed.
 */
import type { PolicyRule } from '../../api/kinds/rbac/policy-rule.js';
import type { UserInfo } from '../http/authn.js';
import { SYSTEM_MASTERS } from './attributes.js';
import { nodeNameOf, nodeRules } from './node-authorizer.js';

export interface ResourceRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
}

export interface NonResourceRule {
  verbs: string[];
  nonResourceURLs?: string[];
}

export interface SubjectRules {
  resourceRules: ResourceRule[];
  nonResourceRules: NonResourceRule[];
  incomplete: boolean;
  evaluationError?: string;
}

/** upstream's system:basic-user: every authenticated user may review its own access. */
export const BASIC_USER_RULES: ResourceRule[] = [
  { verbs: ['create'], apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'] },
];

const everything = (): SubjectRules => ({
  resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, ...structuredClone(BASIC_USER_RULES)],
  nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
  incomplete: false,
});

/**
 * The rules of `user` in `namespace` under the chain in authorizer.ts. `rbac` is what RBAC binds to
 * the user (RbacAuthorizer.rulesFor); undefined when authorization is AlwaysAllow.
 */
export function rulesFor(user: UserInfo, namespace: string, rbac?: { rules: PolicyRule[]; errors: string[] }): SubjectRules {
  const node = nodeNameOf(user);
  if (user.groups.includes(SYSTEM_MASTERS) || (node === undefined && !rbac)) return everything();
  const out: SubjectRules = { resourceRules: [], nonResourceRules: [], incomplete: false };
  const errors: string[] = [];
  if (node !== undefined) {
    const n = nodeRules(node, namespace);
    out.resourceRules.push(...(rbac ? [] : structuredClone(BASIC_USER_RULES)), ...n.rules);
    out.incomplete = true;
    errors.push(n.unlisted);
    // Before RBAC the router did not authorize non-resource paths.
    if (!rbac) out.nonResourceRules.push({ verbs: ['*'], nonResourceURLs: ['*'] });
  }
  for (const r of rbac?.rules ?? []) {
    if (r.resources?.length) {
      out.resourceRules.push({ verbs: [...r.verbs], ...(r.apiGroups ? { apiGroups: [...r.apiGroups] } : {}), resources: [...r.resources], ...(r.resourceNames?.length ? { resourceNames: [...r.resourceNames] } : {}) });
    }
    if (r.nonResourceURLs?.length) out.nonResourceRules.push({ verbs: [...r.verbs], nonResourceURLs: [...r.nonResourceURLs] });
  }
  errors.push(...(rbac?.errors ?? []));
  if (errors.length) out.evaluationError = errors.join('; ');
  return out;
}
