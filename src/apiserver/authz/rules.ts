/**
 * What a user may do, as rules (authorization.k8s.io/v1 SubjectRulesReviewStatus, for
 * `kubectl auth can-i --list`). Rules are additive: a listed rule is allowed; `incomplete` says
 * that more may be allowed than is listed (the node authorizer's per-pod permissions).
 */
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

const everything: SubjectRules = {
  resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, ...BASIC_USER_RULES],
  nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
  incomplete: false,
};

/** The rules of `user` in `namespace` under the chain in authorizer.ts. */
export function rulesFor(user: UserInfo, namespace: string): SubjectRules {
  const node = nodeNameOf(user);
  if (user.groups.includes(SYSTEM_MASTERS) || node === undefined) return structuredClone(everything);
  const n = nodeRules(node, namespace);
  return {
    resourceRules: [...BASIC_USER_RULES.map((r) => structuredClone(r)), ...n.rules],
    // The router does not authorize non-resource paths (discovery, /version, /healthz, /openapi).
    nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
    incomplete: true,
    evaluationError: n.unlisted,
  };
}
