/**
 * Escalation prevention on writes of roles and bindings, as upstream's policy-based storages
 * (pkg/registry/rbac/{role,clusterrole,rolebinding,clusterrolebinding}/policybased/storage.go with
 * pkg/registry/rbac/escalation_check.go and validation/rule.go ConfirmNoEscalation):
 * - a Role or ClusterRole may be written when the writer is in system:masters, or holds `escalate`
 *   on it, or already holds every rule it grants (an aggregated ClusterRole grants everything);
 *   an update that leaves the rules as they were is always allowed;
 * - a binding may be written when the writer is in system:masters, or holds `bind` on the role it
 *   refers to, or already holds every rule of that role (a missing role is 404).
 * The refusal is upstream's 403: `user "u" (groups=[...]) is attempting to grant RBAC permissions
 * not currently held:` and the missing rules, compacted, one per line.
 */
import type { PolicyRule, RoleRef } from '../../../api/kinds/rbac/policy-rule.js';
import type { KubeObject } from '../../../api/meta.js';
import { errors, failure } from '../../../api/status.js';
import type { UserInfo } from '../../http/authn.js';
import type { RequestContext } from '../../storage/types.js';
import { SYSTEM_MASTERS } from '../attributes.js';
import type { RbacResource } from './policy-cache.js';
import type { RbacAuthorizer } from './rbac-authorizer.js';
import { compactRules, compactString, covers, goQuotedList } from './rule-match.js';

const RBAC_GROUP = 'rbac.authorization.k8s.io';

/** What an aggregated ClusterRole is checked as (fullAuthority). */
const FULL_AUTHORITY: PolicyRule[] = [
  { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
  { verbs: ['*'], nonResourceURLs: ['*'] },
];

interface RbacObject extends KubeObject {
  rules?: PolicyRule[];
  aggregationRule?: unknown;
  roleRef?: RoleRef;
  subjects?: unknown[];
}

const userOf = (ctx: RequestContext): UserInfo => ({ name: ctx.user, groups: ctx.groups });

export class EscalationCheck {
  constructor(private readonly rbac: RbacAuthorizer, private readonly rulesOf: (ref: RoleRef, namespace: string) => PolicyRule[] | undefined) {}

  /** Throws upstream's 403 (or 404 for a binding to a missing role) when the write would escalate. */
  check(resource: RbacResource, ctx: RequestContext, namespace: string | undefined, obj: KubeObject, old?: KubeObject): void {
    if (ctx.groups.includes(SYSTEM_MASTERS)) return;
    const o = obj as RbacObject;
    const ns = namespace ?? '';
    const name = o.metadata?.name ?? '';
    const user = userOf(ctx);
    if (resource === 'roles' || resource === 'clusterroles') {
      if (old && JSON.stringify([o.rules ?? [], o.aggregationRule ?? null]) === JSON.stringify([(old as RbacObject).rules ?? [], (old as RbacObject).aggregationRule ?? null])) return;
      if (this.rbac.authorize(user, { verb: 'escalate', group: RBAC_GROUP, resource, name: old ? name : undefined, namespace: ns || undefined }).allowed) return;
      this.confirmNoEscalation(resource, user, ns, name, o.aggregationRule ? FULL_AUTHORITY : o.rules ?? []);
      return;
    }
    const ref = o.roleRef;
    if (!ref) return; // validation answers for a binding without a roleRef
    if (old && JSON.stringify(bindingContent(o)) === JSON.stringify(bindingContent(old as RbacObject))) return;
    const target = ref.kind === 'Role' ? 'roles' : 'clusterroles';
    if (this.rbac.authorize(user, { verb: 'bind', group: RBAC_GROUP, resource: target, name: ref.name, namespace: ns || undefined }).allowed) return;
    const rules = this.rulesOf(ref, ns);
    if (!rules) throw errors.notFound({ group: RBAC_GROUP, kind: ref.kind, resource: target, name: ref.name });
    this.confirmNoEscalation(resource, user, ns, name, rules);
  }

  private confirmNoEscalation(resource: RbacResource, user: UserInfo, namespace: string, name: string, rules: readonly PolicyRule[]): void {
    const owner = this.rbac.rulesFor(user, namespace);
    const { covered, missing } = covers(owner.rules, rules);
    if (covered) return;
    const lines = [...new Set(compactRules(missing).map(compactString))].sort();
    let msg = `user "${user.name}" (groups=${goQuotedList(user.groups)}) is attempting to grant RBAC permissions not currently held:\n${lines.join('\n')}`;
    if (owner.errors.length) msg += `; resolution errors: [${owner.errors.join(' ')}]`;
    throw failure(403, 'Forbidden', `${resource}.${RBAC_GROUP} "${name}" is forbidden: ${msg}`, { name, group: RBAC_GROUP, kind: resource });
  }
}

/** What a binding update must not change without the right to bind (all but the GC fields, roughly). */
const bindingContent = (o: RbacObject) => [o.roleRef, o.subjects ?? [], o.metadata?.labels ?? {}, o.metadata?.annotations ?? {}];
