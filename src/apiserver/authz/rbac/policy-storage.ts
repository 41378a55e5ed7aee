/**
 * The four RBAC storages wrapped: writes are checked for escalation (escalation.ts) before they
 * reach the generic storage (a create as upstream's policy-based Create, an update or patch through
 * the update admission hook with the stored object, a server-side apply that creates against its
 * body), and what was written is handed to the policy cache at once, so the server's next request
 * sees it without waiting for the watch.
 */
import type { KubeObject } from '../../../api/meta.js';
import { isStatusError } from '../../storage/errors.js';
import type { DeleteOptions, PatchRequest, RequestContext, ResourceStorage, StorageSubresource } from '../../storage/types.js';
import type { EscalationCheck } from './escalation.js';
import { RBAC_RESOURCES, type RbacPolicyCache, type RbacResource } from './policy-cache.js';

const rbacResourceOf = (s: ResourceStorage): RbacResource | undefined =>
  s.def.group === 'rbac.authorization.k8s.io' ? RBAC_RESOURCES.find((r) => r === s.def.plural) : undefined;

/** `storage` with escalation checks and write-through to `cache` when it serves an RBAC kind; otherwise `storage`. */
export function withRbacPolicy(storage: ResourceStorage, cache: RbacPolicyCache, escalation: EscalationCheck): ResourceStorage {
  const resource = rbacResourceOf(storage);
  if (!resource) return storage;
  const checked = (ctx: RequestContext, ns: string | undefined): RequestContext => {
    const outer = ctx.admitUpdate;
    return { ...ctx, admitUpdate: (obj, old, sub) => { outer?.(obj, old, sub); escalation.check(resource, ctx, ns, obj, old); } };
  };
  const seen = (ctx: RequestContext, obj: KubeObject, deleted = false): void => {
    if (!ctx.dryRun) cache.observe(resource, obj, deleted);
  };
  return new Proxy(storage, {
    get(target, prop, receiver) {
      switch (prop) {
        case 'create':
          return async (ctx: RequestContext, ns: string | undefined, obj: KubeObject) => {
            escalation.check(resource, ctx, ns, obj);
            const out = await target.create(ctx, ns, obj);
            seen(ctx, out);
            return out;
          };
        case 'update':
          return async (ctx: RequestContext, ns: string | undefined, name: string, obj: KubeObject, sub?: StorageSubresource) => {
            const out = await target.update(checked(ctx, ns), ns, name, obj, sub);
            seen(ctx, out);
            return out;
          };
        case 'patch':
          return async (ctx: RequestContext, ns: string | undefined, name: string, p: PatchRequest, sub?: StorageSubresource) => {
            if (p.type === 'apply' && !(await exists(target, ctx, ns, name))) escalation.check(resource, ctx, ns, { ...(p.body as KubeObject), metadata: { ...(p.body as KubeObject)?.metadata, name } });
            const out = await target.patch(checked(ctx, ns), ns, name, p, sub);
            seen(ctx, out.object);
            return out;
          };
        case 'delete':
          return async (ctx: RequestContext, ns: string | undefined, name: string, opts: DeleteOptions) => {
            const out = await target.delete(ctx, ns, name, opts);
            seen(ctx, out.object, out.deleted);
            return out;
          };
        default: {
          const v = Reflect.get(target, prop, receiver) as unknown;
          return typeof v === 'function' ? (v as (...args: unknown[]) => unknown).bind(target) : v;
        }
      }
    },
  });
}

async function exists(storage: ResourceStorage, ctx: RequestContext, ns: string | undefined, name: string): Promise<boolean> {
  try {
    await storage.get(ctx, ns, name);
    return true;
  } catch (err) {
    if (isStatusError(err, 404)) return false;
    throw err;
  }
}
