/**
 * The Status errors storage raises, worded as kube-apiserver words them, and the mapping from
 * StoreErrors to them.
 */
import type { ResourceDefinition } from '../../api/resource.js';
import { errors, failure, StatusError, formatFieldError, type FieldError } from '../../api/status.js';
import { StoreError } from '../../store/types.js';

export const CONFLICT_MODIFIED = 'the object has been modified; please apply your changes to the latest version and try again';

function target(def: ResourceDefinition, name?: string) {
  return { group: def.group, kind: def.kind, resource: def.plural, name };
}

export function notFound(def: ResourceDefinition, name: string): StatusError {
  return errors.notFound(target(def, name));
}

export function alreadyExists(def: ResourceDefinition, name: string): StatusError {
  return errors.alreadyExists(target(def, name));
}

export function conflict(def: ResourceDefinition, name: string, why = CONFLICT_MODIFIED): StatusError {
  return errors.conflict(target(def, name), why);
}

/** 422 Invalid: `Deployment.apps "web" is invalid: spec.replicas: ...`, with details.kind the bare kind (kubectl reads it). */
export function invalid(def: ResourceDefinition, name: string | undefined, errs: FieldError[]): StatusError {
  const qualifiedKind = def.group ? `${def.kind}.${def.group}` : def.kind;
  return failure(422, 'Invalid', `${qualifiedKind} "${name ?? ''}" is invalid: ${errs.map(formatFieldError).join(', ')}`, {
    name, group: def.group || undefined, kind: def.kind,
    causes: errs.map((e) => ({ reason: e.type, message: e.detail, field: e.field })),
  });
}

/** 410 Expired for a revision below the compaction point. */
export function tooOldResourceVersion(requested: number, compacted: number): StatusError {
  return errors.gone(`too old resource version: ${requested} (${compacted})`);
}

export type OptionsKind = 'CreateOptions' | 'UpdateOptions' | 'PatchOptions' | 'DeleteOptions' | 'ListOptions';

/**
 * 422 Invalid on a request's options (`ListOptions.meta.k8s.io "" is invalid: ...`), every error a
 * cause; more than one are listed in brackets, as Go prints an aggregate (NewInvalid's ToAggregate).
 */
export function optionsInvalid(kind: OptionsKind, errs: FieldError[]): StatusError {
  const all = errs.map(formatFieldError);
  return failure(422, 'Invalid', `${kind}.meta.k8s.io "" is invalid: ${all.length === 1 ? all[0] : `[${all.join(', ')}]`}`, {
    group: 'meta.k8s.io', kind, causes: errs.map((e) => ({ reason: e.type, message: e.detail, field: e.field })),
  });
}

/** 410 Expired for a list at a compacted revision (etcd3 store's interpretListError, not paging). */
export function listTooOld(): StatusError {
  return errors.gone('The resourceVersion for the provided list is too old.');
}

/** Translate a StoreError for an operation on `name`; anything else passes through unchanged. */
export function fromStoreError(def: ResourceDefinition, name: string, err: unknown, requestedRevision?: number): unknown {
  if (!(err instanceof StoreError)) return err;
  switch (err.code) {
    case 'NotFound': return notFound(def, name);
    case 'AlreadyExists': return alreadyExists(def, name);
    case 'Conflict': return conflict(def, name);
    case 'TooOld': return tooOldResourceVersion(requestedRevision ?? 0, err.revision ?? 0);
    case 'Closed': return errors.unavailable('storage is closed');
    case 'Internal': return errors.internal(err.message);
  }
}

export function isStatusError(err: unknown, code?: number): err is StatusError {
  return err instanceof StatusError && (code === undefined || err.code === code);
}
