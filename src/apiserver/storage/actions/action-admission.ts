/**
 * Dynamic admission of a POSTed action subresource (pods/binding, pods/eviction, the `bindings`
 * collection), as upstream's create handler admits it: a CREATE of the request's resource and
 * subresource whose object is the posted Binding or Eviction (its own kind, the request's
 * namespace filled in as EnsureObjectNamespaceMatchesRequestNamespace does). Mutating admission
 * runs before the action's own checks (the handler admits before calling the REST Create), the
 * validating one after them (BindingREST/EvictionREST call createValidation once the object is
 * checked). The writes the action makes to the pod are not admitted (upstream's REST calls the
 * pod store directly), so the context they get carries no dynamic admission.
 */
import type { KubeObject } from '../../../api/meta.js';
import { createOptions } from '../create.js';
import type { AdmissionAttributes, RequestContext } from '../types.js';

export interface AdmittedAction {
  /** The posted object as admission sees it, a mutating webhook's change applied. */
  object: KubeObject;
  /** Validating admission of `object` (policies, validating webhooks); refuses by throwing. */
  validate(): Promise<void>;
  /** The request's context for the action's own reads and writes: no dynamic admission. */
  ctx: RequestContext;
}

export async function admitAction(
  ctx: RequestContext, apiVersion: string, kind: string, subresource: string | undefined, namespace: string | undefined, name: string, body: KubeObject,
): Promise<AdmittedAction> {
  const { dynamicAdmission: da, ...inner } = ctx;
  const meta = body?.metadata ?? {};
  let object: KubeObject = { ...body, apiVersion, kind, metadata: { ...meta, ...(namespace !== undefined && !meta.namespace ? { namespace } : {}) } };
  const attrs = (): AdmissionAttributes => ({
    operation: 'CREATE', namespace, name, object, options: createOptions(ctx), ...(subresource ? { subresource } : {}),
  });
  if (da) object = (await da.mutate(attrs())) ?? object;
  return { object, ctx: inner, validate: async () => { await da?.validate(attrs()); } };
}
