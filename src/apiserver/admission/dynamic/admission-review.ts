/**
 * The AdmissionRequest a webhook receives and CEL expressions see as `request` (admission/v1
 * AdmissionRequest): uid, kind (a subresource's own: autoscaling/v1 Scale for .../scale),
 * resource, subResource, requestKind/requestResource, name, namespace, operation, userInfo,
 * object, oldObject, dryRun, options.
 */
import { randomUUID } from 'node:crypto';
import type { KubeObject } from '../../../api/meta.js';
import type { ResourceDefinition } from '../../../api/resource.js';
import { subresourceKind } from '../../discovery/subresource-kinds.js';
import type { AdmissionAttributes, RequestContext } from '../../storage/types.js';

export interface AdmissionRequest {
  uid: string;
  kind: { group: string; version: string; kind: string };
  resource: { group: string; version: string; resource: string };
  subResource?: string;
  requestKind: { group: string; version: string; kind: string };
  requestResource: { group: string; version: string; resource: string };
  requestSubResource?: string;
  name?: string;
  namespace?: string;
  operation: string;
  userInfo: { username: string; uid?: string; groups: string[]; extra?: Record<string, string[]> };
  object: KubeObject | null;
  oldObject: KubeObject | null;
  dryRun: boolean;
  options: KubeObject | null;
}

export function admissionRequest(def: ResourceDefinition, a: AdmissionAttributes, ctx: RequestContext): AdmissionRequest {
  // A subresource's own kind where it has one (autoscaling/v1 Scale, PodExecOptions...), as upstream's scope.Kind.
  const k = a.subresource ? subresourceKind(a.subresource, def) : def;
  const kind = { group: k.group, version: k.version, kind: a.kind ?? k.kind };
  const resource = { group: def.group, version: def.version, resource: def.plural };
  return {
    uid: randomUUID(), kind, resource, requestKind: kind, requestResource: resource,
    ...(a.subresource ? { subResource: a.subresource, requestSubResource: a.subresource } : {}),
    ...(a.name ? { name: a.name } : {}),
    ...(a.namespace ? { namespace: a.namespace } : {}),
    operation: a.operation,
    userInfo: { username: ctx.user, groups: ctx.groups, ...(ctx.uid ? { uid: ctx.uid } : {}), ...(ctx.extra ? { extra: ctx.extra } : {}) },
    object: a.object ?? null, oldObject: a.oldObject ?? null, dryRun: ctx.dryRun, options: a.options ?? null,
  };
}
