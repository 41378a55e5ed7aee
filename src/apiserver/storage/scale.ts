/**
 * The scale subresource: an autoscaling/v1 Scale view of a kind whose definition names its
 * replica and selector paths (ResourceDefinition.scale). Writes to a Scale change only the
 * parent's spec replicas, through the parent's normal update pipeline.
 */
import type { KubeObject } from '../../api/meta.js';
import { errors, failure, formatFieldError, type FieldError } from '../../api/status.js';
import type { ResourceDefinition, ScaleInfo } from '../../api/resource.js';
import { labelSelectorFromObject, labelSelectorString, type LabelSelectorObject } from '../../api/selectors/index.js';
import { cloneJson } from '../../api/json-clone.js';
import type { SubresourceAdmission } from './types.js';

export interface Scale extends KubeObject {
  spec: { replicas?: number };
  status: { replicas: number; selector?: string };
}

function getPath(obj: unknown, path: string): unknown {
  let cur = obj;
  for (const p of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur = obj;
  for (const p of parts.slice(0, -1)) {
    if (cur[p] === null || typeof cur[p] !== 'object') cur[p] = {};
    cur = cur[p] as Record<string, unknown>;
  }
  cur[parts[parts.length - 1]] = value;
}

export function toScale(info: ScaleInfo, obj: KubeObject): Scale {
  const m = obj.metadata;
  const raw = getPath(obj, info.selectorPath);
  // A v1 ReplicationController's map: labels.SelectorFromSet(rc.Spec.Selector).String(), as upstream's RC scale.
  const selector = selectorString((info.selectorIsLabelMap ? { matchLabels: raw } : raw) as Parameters<typeof selectorString>[0]);
  const scale: Scale = {
    apiVersion: 'autoscaling/v1',
    kind: 'Scale',
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
    spec: { replicas: numberOr(getPath(obj, info.specReplicasPath), 0) },
    status: { replicas: numberOr(getPath(obj, info.statusReplicasPath), 0) },
  };
  if (selector !== undefined) scale.status.selector = selector;
  return scale;
}

/** The parent as it should become for a Scale write; 422 (on kind Scale) for an invalid Scale. */
export function applyScale(info: ScaleInfo, parent: KubeObject, scale: KubeObject): KubeObject {
  const replicas = (scale as Partial<Scale>).spec?.replicas;
  const errs: FieldError[] = [];
  if (replicas === undefined || replicas === null) errs.push({ type: 'FieldValueRequired', field: 'spec.replicas', detail: 'Required value' });
  else if (typeof replicas !== 'number' || !Number.isInteger(replicas)) errs.push({ type: 'FieldValueInvalid', field: 'spec.replicas', detail: `Invalid value: ${JSON.stringify(replicas)}: must be an integer` });
  else if (replicas < 0) errs.push({ type: 'FieldValueInvalid', field: 'spec.replicas', detail: `Invalid value: ${replicas}: must be greater than or equal to 0` });
  if (errs.length > 0) {
    const name = scale.metadata?.name ?? parent.metadata.name;
    throw failure(422, 'Invalid', `Scale.autoscaling "${name}" is invalid: ${errs.map(formatFieldError).join(', ')}`, {
      name, group: 'autoscaling', kind: 'Scale', causes: errs.map((e) => ({ reason: e.type, message: e.detail, field: e.field })),
    });
  }
  const next = cloneJson(parent);
  setPath(next, info.specReplicasPath, replicas);
  // The Scale's resourceVersion, if any, is the precondition of the parent's write.
  next.metadata.resourceVersion = scale.metadata?.resourceVersion || undefined;
  if (next.metadata.resourceVersion === undefined) delete next.metadata.resourceVersion;
  return next;
}

/**
 * How a Scale write is admitted: as the scale subresource, webhooks and policies seeing the parent
 * and the stored one as Scales; a mutating webhook's Scale is applied to the parent as the
 * request's was (its replicas, validated as a Scale), the parent's resourceVersion kept.
 */
export function scaleAdmission(info: ScaleInfo): SubresourceAdmission {
  return {
    subresource: 'scale',
    toView: (obj) => toScale(info, obj),
    fromView: (obj, scale) => {
      const next = applyScale(info, obj, scale);
      next.metadata.resourceVersion = obj.metadata.resourceVersion;
      return next;
    },
  };
}

/**
 * 409 when a patched Scale names another uid than its parent's, for the kinds whose scale checks
 * it (ScaleInfo.checksUid): upstream's scaleUpdatedObjectInfo, after the Scale's validation, on
 * resource `<plural>/scale`. A PUT's uid is a storage precondition before this (preconditions.ts).
 */
export function checkScaleUid(def: ResourceDefinition, scale: KubeObject, parent: KubeObject): void {
  const uid = scale.metadata?.uid;
  if (!def.scale?.checksUid || !uid || uid === parent.metadata.uid) return;
  throw errors.conflict({ group: def.group, kind: def.kind, resource: `${def.plural}/scale`, name: parent.metadata.name },
    `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${parent.metadata.uid ?? ''}`);
}

/** 400 unless a Scale body is an object naming the URL's object (or none). */
export function checkScaleName(scale: KubeObject, name: string): void {
  if (scale === null || typeof scale !== 'object') throw errors.badRequest('the body of the request must be an object');
  const n = scale.metadata?.name;
  if (n && n !== name) throw errors.badRequest(`the name of the object (${n}) does not match the name on the URL (${name})`);
}

function numberOr(v: unknown, d: number): number {
  return typeof v === 'number' ? v : d;
}

/** metav1.LabelSelectorAsSelector(...).String(), as upstream fills Scale status.selector. */
export function selectorString(sel: unknown): string | undefined {
  // Custom resources name a string already in selector syntax (CRD scale labelSelectorPath, e.g. .status.selector).
  if (typeof sel === 'string') return sel;
  if (sel === null || typeof sel !== 'object') return undefined;
  return labelSelectorString(labelSelectorFromObject(sel as LabelSelectorObject));
}
