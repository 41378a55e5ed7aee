/**
 * Reconciles the bootstrap policy at server start, as upstream's RBAC post-start hook
 * (pkg/registry/rbac/rest/storage_rbac.go with pkg/registry/rbac/reconciliation): a missing role
 * or binding is created; an existing one whose rbac.authorization.kubernetes.io/autoupdate
 * annotation is not "false" gets the bootstrap labels and annotations, any rule it lacks (its own
 * extra rules stay), any aggregation selector it lacks, and any subject it lacks; a binding whose
 * roleRef changed is deleted and recreated. An object annotated autoupdate=false is left alone.
 */
import { cloneJson } from '../../../api/json-clone.js';
import type { ClusterRole } from '../../../api/kinds/rbac/cluster-role.js';
import type { ClusterRoleBinding } from '../../../api/kinds/rbac/cluster-role-binding.js';
import type { KubeObject } from '../../../api/meta.js';
import { isStatusError } from '../../storage/errors.js';
import type { RequestContext, ResourceStorage } from '../../storage/types.js';
import { AUTOUPDATE_ANNOTATION, bootstrapClusterRoleBindings, bootstrapClusterRoles } from './bootstrap-policy.js';
import { covers } from './rule-match.js';

const systemContext = (): RequestContext => ({
  user: 'system:apiserver', groups: ['system:masters'], dryRun: false, fieldValidation: 'Strict', fieldManager: 'bosun-apiserver', warnings: [],
});

async function getOrUndefined(storage: ResourceStorage, name: string): Promise<KubeObject | undefined> {
  try {
    return await storage.get(systemContext(), undefined, name);
  } catch (err) {
    if (isStatusError(err, 404)) return undefined;
    throw err;
  }
}

/** Bootstrap labels and annotations added to what the object has; true when something changed. */
function mergeMeta(live: KubeObject, want: KubeObject): boolean {
  let changed = false;
  for (const key of ['labels', 'annotations'] as const) {
    const have = { ...(live.metadata[key] ?? {}) };
    for (const [k, v] of Object.entries(want.metadata[key] ?? {})) {
      if (have[k] !== v) {
        have[k] = v;
        changed = true;
      }
    }
    live.metadata[key] = have;
  }
  return changed;
}

const autoupdateOff = (o: KubeObject): boolean => o.metadata.annotations?.[AUTOUPDATE_ANNOTATION] === 'false';

/** computeReconciledRole (confirm, keeping extra permissions). */
export function reconcileRole(live: ClusterRole, want: ClusterRole): ClusterRole | undefined {
  if (autoupdateOff(live)) return undefined;
  const out = cloneJson(live);
  let changed = mergeMeta(out, want);
  if (want.aggregationRule) {
    const have = out.aggregationRule?.clusterRoleSelectors ?? [];
    const missing = (want.aggregationRule.clusterRoleSelectors ?? []).filter((s) => !have.some((h) => JSON.stringify(h) === JSON.stringify(s)));
    if (missing.length || !out.aggregationRule) {
      out.aggregationRule = { clusterRoleSelectors: [...have, ...missing] };
      changed = true;
    }
  } else {
    const { covered, missing } = covers(out.rules ?? [], want.rules ?? []);
    if (!covered) {
      out.rules = [...(out.rules ?? []), ...missing];
      changed = true;
    }
  }
  return changed ? out : undefined;
}

/** computeReconciledRoleBinding (keeping extra subjects); `recreate` when the roleRef differs. */
export function reconcileBinding(live: ClusterRoleBinding, want: ClusterRoleBinding): { binding: ClusterRoleBinding; recreate: boolean } | undefined {
  if (autoupdateOff(live)) return undefined;
  if (JSON.stringify(live.roleRef) !== JSON.stringify(want.roleRef)) return { binding: cloneJson(want), recreate: true };
  const out = cloneJson(live);
  let changed = mergeMeta(out, want);
  const have = out.subjects ?? [];
  const missing = (want.subjects ?? []).filter((s) => !have.some((h) => h.kind === s.kind && h.name === s.name && (h.namespace ?? '') === (s.namespace ?? '')));
  if (missing.length) {
    out.subjects = [...have, ...missing];
    changed = true;
  }
  return changed ? { binding: out, recreate: false } : undefined;
}

/** Creates or reconciles every bootstrap ClusterRole and ClusterRoleBinding through the storages. */
export async function reconcileBootstrapPolicy(roles: ResourceStorage, bindings: ResourceStorage): Promise<void> {
  for (const want of bootstrapClusterRoles()) {
    const live = await getOrUndefined(roles, want.metadata.name!);
    if (!live) {
      await createIgnoringConflict(roles, want);
      continue;
    }
    const next = reconcileRole(live as ClusterRole, want);
    if (next) await roles.update(systemContext(), undefined, want.metadata.name!, next);
  }
  for (const want of bootstrapClusterRoleBindings()) {
    const live = await getOrUndefined(bindings, want.metadata.name!);
    if (!live) {
      await createIgnoringConflict(bindings, want);
      continue;
    }
    const next = reconcileBinding(live as ClusterRoleBinding, want);
    if (!next) continue;
    if (next.recreate) {
      await bindings.delete(systemContext(), undefined, want.metadata.name!, {});
      await createIgnoringConflict(bindings, next.binding);
    } else {
      await bindings.update(systemContext(), undefined, want.metadata.name!, next.binding);
    }
  }
}

async function createIgnoringConflict(storage: ResourceStorage, obj: KubeObject): Promise<void> {
  try {
    await storage.create(systemContext(), undefined, cloneJson(obj));
  } catch (err) {
    // Another server of the same cluster made it first.
    if (!isStatusError(err, 409)) throw err;
  }
}
