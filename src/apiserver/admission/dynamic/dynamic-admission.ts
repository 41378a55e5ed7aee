/**
 * Dynamic admission assembled: watch-fed caches of the webhook configurations, policies and
 * bindings, and a storage wrapper that hands every write of a resource (create, update, patch,
 * delete) its DynamicAdmission (storage/types.ts). The storage calls `mutate` after the built-in
 * mutating admission and `validate` after validation, which runs ValidatingAdmissionPolicies, then
 * validating webhooks: upstream's recommended order (plugins.go: ... MutatingAdmissionWebhook,
 * ValidatingAdmissionPolicy, ValidatingAdmissionWebhook, ResourceQuota). With no configuration
 * objects at all a request pays nothing.
 */
import type { KubeObject } from '../../../api/meta.js';
import type { ResourceDefinition } from '../../../api/resource.js';
import { mutatingWebhookConfigurations, validatingWebhookConfigurations, type MutatingWebhookConfiguration, type ValidatingWebhookConfiguration } from '../../../api/kinds/admissionregistration/webhook-configuration.js';
import { validatingAdmissionPolicies, validatingAdmissionPolicyBindings, type ValidatingAdmissionPolicy, type ValidatingAdmissionPolicyBinding } from '../../../api/kinds/admissionregistration/validating-admission-policy.js';
import type { Store } from '../../../store/types.js';
import { readNamespace } from '../../storage/watched-reads.js';
import type { ActionSubresource, AdmissionAttributes, DynamicAdmission, RequestContext, ResourceStorage } from '../../storage/types.js';
import { admissionRequest } from './admission-review.js';
import { ObjectCache } from './config-cache.js';
import { isExemptConfigurationResource, type AdmissionRequestInfo } from './matching.js';
import { runPolicies, type PolicyDeps } from './policy.js';
import { closeWebhookConnections } from './webhook-client.js';
import type { WebhookOrigin } from './webhook-audit.js';
import { matchingWebhooks, runMutating, runValidating, type Webhook } from './webhooks.js';

export interface DynamicAdmissionChain {
  /** Wraps a resource's storage so that its writes go through dynamic admission. */
  wrap(storage: ResourceStorage): ResourceStorage;
  /** The same for an action subresource that names the resource it is admitted as (admittedAs). */
  wrapAction(action: ActionSubresource): ActionSubresource;
  stop(): void;
}

export async function startDynamicAdmission(store: Store, kindDef: PolicyDeps['kindDef']): Promise<DynamicAdmissionChain> {
  const mutating = await ObjectCache.start<MutatingWebhookConfiguration>(store, mutatingWebhookConfigurations);
  const validating = await ObjectCache.start<ValidatingWebhookConfiguration>(store, validatingWebhookConfigurations);
  const policies = await ObjectCache.start<ValidatingAdmissionPolicy>(store, validatingAdmissionPolicies);
  const bindings = await ObjectCache.start<ValidatingAdmissionPolicyBinding>(store, validatingAdmissionPolicyBindings);
  const deps: PolicyDeps = { store, kindDef };

  let memo: { key: string; mutating: Webhook[]; origins: Map<Webhook, WebhookOrigin>; validating: Webhook[]; policies: Map<string, ValidatingAdmissionPolicy> } | undefined;
  const current = (): NonNullable<typeof memo> => {
    const key = `${mutating.version}/${validating.version}/${policies.version}`;
    if (memo?.key !== key) {
      // Each mutating webhook's configuration and place in the list (its audit annotations' keys).
      const origins = new Map<Webhook, WebhookOrigin>();
      for (const c of mutating.list()) for (const h of (c.webhooks ?? []) as Webhook[]) origins.set(h, { configuration: c.metadata.name ?? '', index: origins.size });
      memo = {
        key, origins,
        mutating: [...origins.keys()],
        validating: validating.list().flatMap((c) => (c.webhooks ?? []) as Webhook[]),
        policies: new Map(policies.list().map((p) => [p.metadata.name ?? '', p])),
      };
    }
    return memo;
  };

  const forRequest = (def: ResourceDefinition, ctx: RequestContext): DynamicAdmission | undefined => {
    if (isExemptConfigurationResource(def)) return undefined;
    const c = current();
    const bound = bindings.list();
    if (c.mutating.length === 0 && c.validating.length === 0 && bound.length === 0) return undefined;
    const info = (attrs: AdmissionAttributes): AdmissionRequestInfo => {
      let labels: Promise<Record<string, string> | undefined> | undefined;
      return {
        def, attrs,
        namespaceLabels: () => (labels ??= attrs.namespace
          ? readNamespace(store, attrs.namespace).then((ns) => (ns ? ns.metadata?.labels ?? {} : undefined))
          : Promise.resolve(undefined)),
      };
    };
    return {
      async mutate(attrs) {
        if (c.mutating.length === 0) return undefined;
        const r = info(attrs);
        const hooks = await matchingWebhooks(c.mutating, r);
        if (hooks.length === 0) return undefined;
        return runMutating(store, hooks, admissionRequest(def, attrs, ctx), ctx, (h) => c.origins.get(h)!);
      },
      async validate(attrs) {
        const r = info(attrs);
        const req = admissionRequest(def, attrs, ctx);
        if (bound.length > 0) await runPolicies(deps, c.policies, bound, r, req, ctx);
        if (c.validating.length === 0) return;
        const hooks = await matchingWebhooks(c.validating, r);
        if (hooks.length > 0) await runValidating(store, hooks, req, ctx);
      },
    };
  };

  // upstream's ConnectResource calls Admit then Validate with the same options object: a mutating
  // webhook's patch (converted back into it by the mutating dispatcher) is what validation sees and
  // what Connect builds the pod's or node's URL from.
  const admitConnect = (def: ResourceDefinition) => async (ctx: RequestContext, attrs: AdmissionAttributes): Promise<KubeObject | undefined> => {
    const da = forRequest(def, ctx);
    if (!da) return undefined;
    const mutated = await da.mutate(attrs);
    await da.validate(mutated ? { ...attrs, object: mutated } : attrs);
    return mutated;
  };

  /**
   * `target` whose methods named in `writes` run with the dynamic admission of `def` in their
   * context; a storage's (`connect`) admitConnect admits CONNECTs.
   */
  const admitting = <T extends object>(target: T, def: ResourceDefinition, writes: ReadonlySet<string>, connect = false): T => new Proxy(target, {
    get(t, prop, receiver) {
      if (connect && prop === 'admitConnect') return admitConnect(def);
      const v = Reflect.get(t, prop, receiver) as unknown;
      if (typeof v !== 'function') return v;
      const fn = (v as (...args: unknown[]) => unknown).bind(t);
      if (typeof prop !== 'string' || !writes.has(prop)) return fn;
      return (ctx: RequestContext, ...rest: unknown[]) => {
        const da = forRequest(def, ctx);
        return fn(da ? { ...ctx, dynamicAdmission: da } : ctx, ...rest);
      };
    },
  });
  const WRITES = new Set(['create', 'update', 'patch', 'delete', 'deleteCollection']);
  const ACTION_WRITES = new Set(['create', 'update', 'patchWith']);
  return {
    wrap: (storage) => admitting(storage, storage.def, WRITES, true),
    // An action subresource that names its resource (admittedAs) gets that resource's admission,
    // its storage naming the subresource (updateObject's `admission`).
    wrapAction: (action) => (action.admittedAs ? admitting(action, action.admittedAs, ACTION_WRITES) : action),
    stop() {
      for (const c of [mutating, validating, policies, bindings]) c.stop();
      closeWebhookConnections();
    },
  };
}
