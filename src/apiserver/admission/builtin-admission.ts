/**
 * Built-in admission that applies across kinds, wrapped around a resource's strategy. Upstream's
 * recommended order (pkg/kubeapiserver/options/plugins.go, AllOrderedPlugins) and where Bosun has
 * each plugin: NamespaceLifecycle (storage-core.ts admitNamespace; namespace.ts keeps default,
 * kube-system and kube-public), LimitRanger (here, mutating then validating), ServiceAccount and
 * Priority (pod strategy), DefaultTolerationSeconds (here, after the strategy's admit; on when the
 * server gives its seconds), PodSecurity (pod strategy),
 * DefaultStorageClass (PVC strategy), DefaultIngressClass (ingress strategy, default-ingress-class.ts),
 * MutatingAdmissionWebhook, ValidatingAdmissionPolicy,
 * ValidatingAdmissionWebhook (ctx.dynamicAdmission) and ResourceQuota (here, in lastAdmission:
 * after the validating webhooks and policies, so a write they refuse charges no quota).
 */
import { limitRanges, type LimitRange } from '../../api/kinds/core/limit-range.js';
import { resourceQuotas, type ResourceQuota } from '../../api/kinds/core/resource-quota.js';
import type { ResourceDefinition } from '../../api/resource.js';
import type { Store } from '../../store/types.js';
import type { Strategy } from '../storage/strategies/types.js';
import { admitDefaultTolerations, type DefaultTolerationSeconds } from './default-toleration-seconds.js';
import { admitLimitRanges } from './limit-ranger.js';
import { QuotaAdmission } from './resource-quota.js';
import { watchedObjects, type Watched } from './watched-objects.js';

interface PerStore { limits: Watched<LimitRange>; quota: QuotaAdmission }
const perStore = new WeakMap<Store, PerStore>();

function pluginsFor(store: Store): PerStore {
  let p = perStore.get(store);
  if (!p) {
    p = { limits: watchedObjects<LimitRange>(store, limitRanges), quota: new QuotaAdmission(store, watchedObjects<ResourceQuota>(store, resourceQuotas)) };
    perStore.set(store, p);
  }
  return p;
}

/** `strategy` with LimitRanger (pods, claims on create) and ResourceQuota (creates of every namespaced kind; updates of services and claims) added. */
export function withBuiltinAdmission(def: ResourceDefinition, strategy: Strategy, store: Store, tolerationSeconds?: DefaultTolerationSeconds): Strategy {
  if (!def.namespaced) return strategy;
  const plugins = pluginsFor(store);
  // Upstream's evaluators that handle UPDATE: services (type changes) and claims (resizes).
  const chargedOnUpdate = !def.group && (def.plural === 'services' || def.plural === 'persistentvolumeclaims');
  const limited = !def.group && (def.plural === 'pods' || def.plural === 'persistentvolumeclaims');
  return {
    ...strategy,
    admit: async (obj, ns, ctx) => {
      if (limited && ns !== undefined) admitLimitRanges(def.plural, obj, await plugins.limits.inNamespace(ns));
      await strategy.admit?.(obj, ns, ctx);
      // DefaultTolerationSeconds follows Priority and RuntimeClass (the pod strategy's admit) in AllOrderedPlugins.
      if (tolerationSeconds && !def.group && def.plural === 'pods') admitDefaultTolerations(obj, tolerationSeconds);
    },
    lastAdmission: async (obj, old, ctx, env) => {
      await strategy.lastAdmission?.(obj, old, ctx, env);
      const ns = obj.metadata?.namespace;
      if (ns && (old === undefined || chargedOnUpdate)) await plugins.quota.admit(def.group, def.plural, ns, obj, ctx.dryRun, old);
    },
  };
}
