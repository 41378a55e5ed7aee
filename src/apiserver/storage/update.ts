/**
 * PUT and PATCH share one loop (upstream GuaranteedUpdate): read the stored object, compute the
 * candidate (the PUT body, or the patch applied to the stored object), run the update pipeline,
 * and write conditionally on the revision read; a store conflict re-runs the loop, so only an
 * explicit resourceVersion in the candidate can yield 409.
 */
import type { KubeObject } from '../../api/meta.js';
import { errors, type FieldError } from '../../api/status.js';
import { StoreError } from '../../store/types.js';
import { deepCopy, encodeObject } from './codec.js';
import { createObject, reAdmitted } from './create.js';
import { jsonEqual } from './deep-equal.js';
import { conflict, fromStoreError, invalid, notFound } from './errors.js';
import { checkUnknownFields } from './field-validation.js';
import { keepSystemMeta, specPart } from './object-meta.js';
import { checkPreconditions, type StoragePreconditions } from './preconditions.js';
import { trackManagedFields } from './patch-adapter.js';
import type { StorageCore } from './storage-core.js';
import type { PatchRequest, RequestContext, SubresourceAdmission } from './types.js';

/**
 * Gives the candidate for the stored object, or for a missing one (return undefined: 404).
 * `owned`: `current` is this request's private copy (a /status write's), which the candidate may
 * share subtrees with (see UpdateOptions.freshCandidate).
 */
export type Produce = (current: KubeObject | undefined, owned?: boolean) => Promise<KubeObject | undefined> | KubeObject | undefined;

export interface UpdateOptions {
  /**
   * 'status' writes only status; anything else is a main-resource write as far as this pipeline
   * goes ('ephemeralcontainers' brings its own prepare and validate, and is named to admission).
   */
  subresource?: 'status' | 'ephemeralcontainers';
  /** Check unknown fields on the candidate (false when the caller checked its own input). */
  checkFields?: boolean;
  /** The patch the candidate came from: its unknown fields are reported as upstream's patcher does. */
  patch?: PatchRequest;
  /** Server-side apply already recorded field ownership in the candidate's managedFields. */
  managedFieldsDone?: boolean;
  /** Subresource the write's field ownership is recorded under (scale writes the parent through the main path). */
  managedFieldsSubresource?: string;
  /**
   * A write through a subresource that is a main-resource write as far as this pipeline goes
   * (scale, namespaces/finalize, certificatesigningrequests/approval): how admission sees it.
   */
  admission?: SubresourceAdmission;
  /** Replaces the strategy's prepareForUpdate (subresources with their own rules, e.g. namespaces/finalize). */
  prepare?: (obj: KubeObject, old: KubeObject) => void;
  /** Replaces the definition's and strategy's validation of the update (a subresource with its own rules). */
  validate?: (obj: KubeObject, old: KubeObject) => FieldError[];
  /**
   * `produce` only reads the object it is given and returns one sharing nothing with it (a patch
   * applied to a clone, a clone of the PUT body): it is then given the decoded stored object itself
   * (read-only, possibly the watchers' shared decoding) and its result becomes the update's own
   * object without further copies (a copy per write less on the hot status and finalizer paths).
   * On a /status write the object it is given is the request's own copy (`owned`), and the result
   * may share that copy's subtrees where it leaves them as they are (a merge patch's copy on write).
   */
  freshCandidate?: boolean;
  /**
   * Checked on the stored object before the candidate is made (409 Conflict): a PUT's body uid, as
   * upstream's defaultUpdatedObjectInfo.Preconditions makes it (preconditions.ts).
   */
  preconditions?: StoragePreconditions;
}

/** Store conflicts mean another writer made progress, so retrying terminates; the cap only guards bugs. */
const MAX_ATTEMPTS = 1000;

export async function updateObject(
  core: StorageCore, ctx: RequestContext, namespace: string | undefined, name: string, produce: Produce, opts: UpdateOptions = {},
): Promise<{ object: KubeObject; created: boolean }> {
  const ns = core.scope(namespace);
  const key = core.key(ns, name);
  for (let attempt = 1; ; attempt++) {
    const kv = await core.store.get(key);
    if (!kv) {
      // Upstream's Store.Update reads a missing object as an empty one (ignoreNotFound) and checks
      // the preconditions on it: a PUT naming a uid of a deleted object is 409, not 404.
      checkPreconditions(core.def, key, name, { metadata: {} }, opts.preconditions);
      const candidate = await produce(undefined);
      if (!candidate) throw notFound(core.def, name);
      checkName(candidate, name);
      try {
        return { object: await createObject(core, ctx, ns, candidate, { managedFieldsDone: opts.managedFieldsDone }), created: true };
      } catch (err) {
        if (attempt < MAX_ATTEMPTS && isAlreadyExists(err)) continue;
        throw err;
      }
    }
    // A main-resource write reads the stored object read-only (StorageCore.readOnly: every write
    // below goes to the candidate or a copy); a /status write takes a private copy instead, whose
    // other fields (spec...) the result then shares (withStatusOf): kinds' defaulters run on the
    // whole object and some assign unchanged fields (a Node's podCIDR), and sharing keeps the
    // unchanged spec free to compare.
    const old = opts.subresource === 'status' ? core.decode(kv) : core.readOnly(kv);
    checkPreconditions(core.def, key, name, old, opts.preconditions);
    const candidate = await produce(opts.freshCandidate ? old : deepCopy(old), opts.subresource === 'status');
    if (!candidate) throw notFound(core.def, name);
    const prepared = prepareUpdate(core, ctx, candidate, old, name, ns, opts);
    let { obj, noop } = prepared;
    const subresource = opts.subresource ?? opts.admission?.subresource;
    if (ctx.dynamicAdmission) {
      const view = opts.admission?.toView ?? ((o: KubeObject) => o);
      const attrs = { operation: 'UPDATE', namespace: ns, name, oldObject: view(old), options: updateOptions(ctx), ...(subresource ? { subresource } : {}) } as const;
      const mutated = await ctx.dynamicAdmission.mutate({ ...attrs, object: view(obj) });
      if (mutated) {
        // A webhook's change is validated again and may turn a no-op into a write. A subresource's
        // own prepare runs again: upstream's mutating admission comes before the strategy's
        // PrepareForUpdate, so e.g. pods/ephemeralcontainers keeps only a webhook's change to
        // spec.ephemeralContainers (dropNonEphemeralContainerUpdates); the generation follows the
        // spec as the webhook left it.
        obj = reAdmitted(core, opts.admission?.fromView ? opts.admission.fromView(obj, mutated) : mutated, obj);
        opts.prepare?.(obj, old);
        setGeneration(core, obj, old);
        validateCandidate(core, opts, obj, old, name, undefined);
        noop = jsonEqual(obj, old);
      }
      await ctx.dynamicAdmission.validate({ ...attrs, object: view(obj) });
    }
    // A value read with other than the current encryption key is rewritten even unchanged (as
    // upstream's GuaranteedUpdate does for stale data): how key rotation re-encrypts objects.
    if (noop && (!kv.stale || ctx.dryRun)) return { object: deepCopy(old), created: false };
    if (noop) return { object: await rewriteUnchanged(core, key, old, kv.modRevision, name), created: false };
    if (opts.subresource !== 'status') {
      // A scale (or finalize, approval) write goes through the main path and names its subresource.
      await core.strategy.validateAdmission?.(obj, old, ctx, core, subresource);
      await core.strategy.lastAdmission?.(obj, old, ctx, core);
    }

    try {
      if (shouldDeleteOnUpdate(core, obj, old)) {
        if (!ctx.dryRun) {
          await core.store.delete(key, kv.modRevision);
          await core.strategy.release?.(obj);
        }
        return { object: obj, created: false };
      }
      if (!opts.managedFieldsDone) trackManagedFields(core.def, ctx, obj, old, opts.managedFieldsSubresource ?? opts.subresource);
      if (ctx.dryRun) return { object: obj, created: false };
      const text = encodeObject(obj, core.def);
      await core.storeWritten(key, text, obj, () => core.store.update(key, text, kv.modRevision));
      return { object: obj, created: false };
    } catch (err) {
      if (err instanceof StoreError && (err.code === 'Conflict' || err.code === 'NotFound') && attempt < MAX_ATTEMPTS) continue;
      throw fromStoreError(core.def, name, err);
    }
  }
}

async function rewriteUnchanged(core: StorageCore, key: string, old: KubeObject, revision: number, name: string): Promise<KubeObject> {
  try {
    const written = await core.store.update(key, encodeObject(old, core.def), revision);
    const out = deepCopy(old);
    out.metadata.resourceVersion = String(written.modRevision);
    return out;
  } catch (err) {
    throw fromStoreError(core.def, name, err);
  }
}

/** UpdateOptions as webhooks receive them (AdmissionRequest.options). */
function updateOptions(ctx: RequestContext): KubeObject {
  return { apiVersion: 'meta.k8s.io/v1', kind: 'UpdateOptions', metadata: {}, ...(ctx.dryRun ? { dryRun: ['All'] } : {}), ...(ctx.fieldManager ? { fieldManager: ctx.fieldManager } : {}) };
}

function isAlreadyExists(err: unknown): boolean {
  return (err as { reason?: string })?.reason === 'AlreadyExists';
}

function checkName(obj: KubeObject, name: string): void {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw errors.badRequest('the body of the request must be an object');
  obj.metadata ??= {};
  if (typeof obj.metadata !== 'object' || Array.isArray(obj.metadata)) throw errors.badRequest('metadata must be an object');
  if (obj.metadata.name && obj.metadata.name !== name) {
    throw errors.badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`);
  }
  obj.metadata.name = name;
}

/**
 * The update pipeline on one candidate: identity checks, optimistic concurrency, status
 * separation, system metadata, strategy, defaults, generation and validation. `noop` when the
 * result equals the stored object (nothing is written then, as upstream).
 */
export function prepareUpdate(
  core: StorageCore, ctx: RequestContext, candidate: KubeObject, old: KubeObject, name: string, ns: string | undefined, opts: UpdateOptions,
): { obj: KubeObject; noop: boolean } {
  const { def, strategy } = core;
  checkName(candidate, name);
  core.checkTypeMeta(candidate);
  let obj = opts.freshCandidate ? candidate : deepCopy(candidate);
  if (def.namespaced) {
    if (obj.metadata.namespace && obj.metadata.namespace !== ns) {
      throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    obj.metadata.namespace = ns;
  } else {
    delete obj.metadata.namespace;
  }
  const rv = obj.metadata.resourceVersion;
  if (rv && rv !== old.metadata.resourceVersion) throw conflict(def, name);
  if (opts.checkFields !== false) checkUnknownFields(def, obj, ctx, opts.patch, old);
  obj.apiVersion = old.apiVersion;
  obj.kind = old.kind;

  if (opts.subresource === 'status') {
    // Only status (and ordinary metadata) moves through /status; the rest stays as stored.
    obj = withStatusOf(old, obj);
  } else if (def.hasStatusSubresource) {
    if (old.status === undefined) delete obj.status;
    else obj.status = deepCopy(old.status);
  }
  checkImmutableMeta(core, obj, old);
  keepSystemMeta(obj.metadata, old.metadata);
  if (obj.metadata.managedFields === undefined && old.metadata.managedFields) obj.metadata.managedFields = deepCopy(old.metadata.managedFields);
  if (old.metadata.deletionTimestamp) {
    const before = new Set(old.metadata.finalizers ?? []);
    // A finalizers value that is not a list is left to validation (422 naming the field).
    const added = (Array.isArray(obj.metadata.finalizers) ? obj.metadata.finalizers : []).filter((f) => !before.has(f));
    if (added.length > 0) {
      throw invalid(def, name, [{
        type: 'FieldValueForbidden', field: 'metadata.finalizers',
        detail: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(', ')}}`,
      }]);
    }
  }
  if (opts.prepare) opts.prepare(obj, old);
  else if (opts.subresource === 'status') strategy.prepareForStatusUpdate?.(obj, old, ctx);
  else strategy.prepareForUpdate?.(obj, old, ctx);
  // A /status write carries everything but metadata and status from the stored object (defaulted
  // and validated when written): defaults and structural checks cover what it may change, as
  // upstream's status strategies (ValidatePodStatusUpdate, ValidateJobUpdateStatus...).
  const statusWrite = opts.subresource === 'status' && !opts.prepare ? 'status' : undefined;
  def.applyDefaults(obj, statusWrite);
  ctx.admitUpdate?.(obj, old, opts.subresource);
  setGeneration(core, obj, old);
  validateCandidate(core, opts, obj, old, name, statusWrite);
  obj.metadata.resourceVersion = old.metadata.resourceVersion;
  return { obj, noop: jsonEqual(obj, old) };
}

/** metadata.generation: the stored one, one more when the spec changed (kinds that track it). */
function setGeneration(core: StorageCore, obj: KubeObject, old: KubeObject): void {
  if (!core.def.tracksGeneration) return;
  const gen = old.metadata.generation ?? 1;
  obj.metadata.generation = jsonEqual(specPart(obj), specPart(old)) ? gen : gen + 1;
}

/** The update's validation: the subresource's own (UpdateOptions.validate) or the definition's and strategy's. */
function validateCandidate(core: StorageCore, opts: UpdateOptions, obj: KubeObject, old: KubeObject, name: string, statusWrite: 'status' | undefined): void {
  if (!opts.validate) return core.validate(obj, old, statusWrite);
  const errs = opts.validate(obj, old);
  if (errs.length > 0) throw invalid(core.def, name, errs);
}

/**
 * The stored object with the candidate's metadata and status, in the stored object's key order
 * (status last when the stored object had none). The other fields (spec...) are `old`'s own
 * values, shared: `old` is the request's private copy on a /status write, and sharing makes the
 * unchanged spec free to compare (equality, generation, managed fields).
 */
function withStatusOf(old: KubeObject, obj: KubeObject): KubeObject {
  const merged: Record<string, unknown> = {};
  for (const k of Object.keys(old)) {
    if (k === 'metadata') merged[k] = obj.metadata;
    else if (k === 'status') merged[k] = obj.status;
    else merged[k] = (old as Record<string, unknown>)[k];
  }
  if (!('metadata' in merged)) merged.metadata = obj.metadata;
  if (obj.status === undefined) delete merged.status;
  else merged.status = obj.status;
  return merged as KubeObject;
}

/**
 * A client may omit server-owned metadata (it is carried over) but not contradict it: a different
 * uid, or a deletionTimestamp on an object not being deleted, is 422 as ValidateObjectMetaUpdate.
 */
function checkImmutableMeta(core: StorageCore, obj: KubeObject, old: KubeObject): void {
  const errs: FieldError[] = [];
  const m = obj.metadata;
  if (m.uid && m.uid !== old.metadata.uid) errs.push({ type: 'FieldValueInvalid', field: 'metadata.uid', detail: `Invalid value: ${JSON.stringify(m.uid)}: field is immutable` });
  if (m.deletionTimestamp && !old.metadata.deletionTimestamp) {
    errs.push({ type: 'FieldValueInvalid', field: 'metadata.deletionTimestamp', detail: `Invalid value: ${JSON.stringify(m.deletionTimestamp)}: field is immutable; may only be changed via deletion` });
  }
  if (errs.length > 0) throw invalid(core.def, m.name, errs);
}

/** Removing the last finalizer of an object marked for deletion (grace period over) deletes it. */
function shouldDeleteOnUpdate(core: StorageCore, obj: KubeObject, old: KubeObject): boolean {
  if (!old.metadata.deletionTimestamp) return false;
  if ((obj.metadata.finalizers ?? []).length > 0) return false;
  if ((old.metadata.deletionGracePeriodSeconds ?? 0) > 0) return false;
  return core.strategy.canDeleteOnUpdate?.(obj) ?? true;
}
