/**
 * The RBAC authorizer, as upstream's plugin/pkg/auth/authorizer/rbac/rbac.go: ClusterRoleBindings
 * naming the user (or a group of the user) are visited first, then the RoleBindings of the
 * request's namespace; the first rule that allows the request ends the walk. No rule: no opinion
 * (the chain then denies). A binding whose role does not exist contributes nothing and its error
 * becomes the reason. `rulesFor` is the rule resolver's RulesFor (escalation checks, rules reviews).
 */
import type { PolicyRule, Subject } from '../../../api/kinds/rbac/policy-rule.js';
import type { UserInfo } from '../../http/authn.js';
import { groupKey, userKey, type CachedBinding, type RbacPolicyCache } from './policy-cache.js';
import { ruleAllows, type RuleRequest } from './rule-match.js';

export interface RbacRequest extends RuleRequest {
  namespace?: string;
}

export type RbacDecision = { allowed: true; reason: string } | { allowed: false; reason?: string };

const subjectKeys = (user: UserInfo): string[] => [userKey(user.name), ...user.groups.map(groupKey)];

/** describeSubject: `User "x"`, `Group "g"`, `ServiceAccount "name/ns"`. */
function describeSubject(s: Subject, bindingNamespace: string): string {
  if (s.kind === 'ServiceAccount') return `ServiceAccount "${s.name}/${s.namespace || bindingNamespace}"`;
  return `${s.kind} "${s.name}"`;
}

function appliesTo(s: Subject, user: UserInfo, bindingNamespace: string): boolean {
  if (s.kind === 'User') return s.name === user.name;
  if (s.kind === 'Group') return user.groups.includes(s.name);
  if (s.kind === 'ServiceAccount') return user.name === `system:serviceaccount:${s.namespace || bindingNamespace}:${s.name}`;
  return false;
}

function describeBinding(b: CachedBinding, user: UserInfo): string {
  const subject = b.subjects.find((s) => appliesTo(s, user, b.namespace));
  const who = subject ? describeSubject(subject, b.namespace) : `User "${user.name}"`;
  const name = b.kind === 'RoleBinding' ? `${b.name}/${b.namespace}` : b.name;
  return `${b.kind} "${name}" of ${b.roleRef.kind} "${b.roleRef.name}" to ${who}`;
}

export class RbacAuthorizer {
  constructor(private readonly cache: RbacPolicyCache) {}

  /** VisitRulesFor: calls `visit` with each binding's rules until it returns true. */
  private visit(user: UserInfo, namespace: string | undefined, visit: (rules: readonly PolicyRule[], b: CachedBinding) => boolean): string[] {
    const keys = subjectKeys(user);
    const errors: string[] = [];
    const walk = (bindings: CachedBinding[], ns: string): boolean => {
      for (const b of bindings) {
        if (b.kind === 'ClusterRoleBinding' && b.roleRef.kind !== 'ClusterRole') continue;
        const rules = this.cache.rulesOf(b.roleRef, ns);
        if (!rules) {
          const resource = b.roleRef.kind === 'Role' ? 'roles' : 'clusterroles';
          errors.push(`${b.kind === 'RoleBinding' ? `RoleBinding "${b.name}/${b.namespace}"` : `ClusterRoleBinding "${b.name}"`}: ${resource}.rbac.authorization.k8s.io "${b.roleRef.name}" not found`);
          continue;
        }
        if (visit(rules, b)) return true;
      }
      return false;
    };
    if (walk(this.cache.clusterBindingsFor(keys), '')) return errors;
    if (namespace) walk(this.cache.roleBindingsFor(namespace, keys), namespace);
    return errors;
  }

  authorize(user: UserInfo, q: RbacRequest): RbacDecision {
    let by: CachedBinding | undefined;
    // Non-resource rules only count from ClusterRoleBindings (their URLs are not namespaced).
    const namespace = q.path === undefined ? q.namespace : undefined;
    const errors = this.visit(user, namespace, (rules, b) => {
      for (const r of rules) {
        if (ruleAllows(q, r)) {
          by = b;
          return true;
        }
      }
      return false;
    });
    if (by) return { allowed: true, reason: `RBAC: allowed by ${describeBinding(by, user)}` };
    return errors.length ? { allowed: false, reason: `RBAC: [${errors.join(', ')}]` } : { allowed: false };
  }

  /** RulesFor: every rule bound to `user` cluster-wide and in `namespace` ('' for cluster-wide only). */
  rulesFor(user: UserInfo, namespace: string): { rules: PolicyRule[]; errors: string[] } {
    const rules: PolicyRule[] = [];
    const errors = this.visit(user, namespace || undefined, (rs) => {
      rules.push(...rs);
      return false;
    });
    return { rules, errors };
  }
}
