/**
 * pods/binding (POST a Binding): assigns an unbound pod to a node, as the scheduler does. Sets
 * spec.nodeName, merges the Binding's annotations and marks the PodScheduled condition True
 * (upstream setPodNodeNameAndMetadata). 409 when the pod is already bound or being deleted, or
 * fails the Binding's uid or resourceVersion as storage preconditions (BindingREST keeps those
 * system fields of the posted object: PreserveRequestObjectMetaSystemFieldsOnSubresourceCreate).
 * 400 unless the Binding names the pod of the URL (an empty name too, as BindingREST.Create).
 * Dynamically admitted as a CREATE of pods/binding with the v1 Binding as object (the `bindings`
 * collection: of `bindings`, no subresource), as upstream's BindingREST.Create.
 */
import type { KubeObject } from '../../../api/meta.js';
import { errors, failure, formatFieldError, successStatus, type FieldError, type Status } from '../../../api/status.js';
import type { ResourceDefinition } from '../../../api/resource.js';
import type { GenericStorage } from '../generic-storage.js';
import { nowTimestamp } from '../object-meta.js';
import { mutateStored } from '../raw-update.js';
import type { ActionSubresource, RequestContext } from '../types.js';
import { admitAction } from './action-admission.js';

export class PodBinding implements ActionSubresource {
  readonly resource = 'pods';
  readonly subresource = 'binding';
  readonly admittedAs: ResourceDefinition;

  constructor(private readonly pods: GenericStorage) {
    this.admittedAs = pods.def;
  }

  create(ctx: RequestContext, namespace: string | undefined, name: string, body: KubeObject): Promise<Status> {
    return this.bind(ctx, namespace, name, body, 'binding');
  }

  /** The binding, admitted as `subresource` of the caller's resource (the collection's: none). */
  async bind(rctx: RequestContext, namespace: string | undefined, name: string, posted: KubeObject, subresource?: string): Promise<Status> {
    const { object: body, validate, ctx } = await admitAction(rctx, 'v1', 'Binding', subresource, namespace, name, posted);
    if ((body?.metadata?.name ?? '') !== name) throw errors.badRequest('name in URL does not match name in Binding object');
    const target = (body?.target ?? {}) as { kind?: string; name?: string };
    const errs: FieldError[] = [];
    if (target.kind && target.kind !== 'Node') errs.push({ type: 'FieldValueNotSupported', field: 'target.kind', detail: `Unsupported value: "${target.kind}": supported values: "Node"` });
    if (!target.name) errs.push({ type: 'FieldValueRequired', field: 'target.name', detail: 'Required value' });
    if (errs.length > 0) {
      throw failure(422, 'Invalid', `Binding "${name}" is invalid: ${errs.map(formatFieldError).join(', ')}`, {
        name, kind: 'Binding', causes: errs.map((e) => ({ reason: e.type, message: e.detail, field: e.field })),
      });
    }
    await validate();
    const conflict = (why: string) => errors.conflict({ kind: 'Pod', resource: 'pods/binding', name }, why);
    const preconditions = { uid: body.metadata?.uid, resourceVersion: body.metadata?.resourceVersion };
    await mutateStored(this.pods.core, namespace, name, ctx.dryRun, (pod) => {
      if (pod.metadata.deletionTimestamp) throw conflict(`pod ${name} is being deleted, cannot be assigned to a host`);
      if (pod.spec?.nodeName) throw conflict(`pod ${name} is already assigned to node "${pod.spec.nodeName}"`);
      if ((pod.spec?.schedulingGates ?? []).length > 0) throw conflict(`pod ${name} has non-empty .spec.schedulingGates`);
      pod.spec = { ...(pod.spec ?? {}), nodeName: target.name };
      const annotations = body.metadata?.annotations;
      if (annotations && Object.keys(annotations).length > 0) pod.metadata.annotations = { ...(pod.metadata.annotations ?? {}), ...annotations };
      setScheduled(pod);
    }, preconditions);
    return { ...successStatus(), code: 201 };
  }
}

function setScheduled(pod: KubeObject): void {
  pod.status ??= {};
  const conditions: { type: string; status: string; lastTransitionTime?: string | null; lastProbeTime?: string | null }[] = pod.status.conditions ?? [];
  const existing = conditions.find((c) => c.type === 'PodScheduled');
  if (existing) {
    if (existing.status !== 'True') {
      existing.status = 'True';
      existing.lastTransitionTime = nowTimestamp();
      delete (existing as Record<string, unknown>).reason;
      delete (existing as Record<string, unknown>).message;
    }
  } else {
    conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: nowTimestamp() });
  }
  pod.status.conditions = conditions;
}
