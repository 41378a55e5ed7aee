/**
 * DELETE (kube-apiserver's Store.Delete with BeforeDelete): preconditions, graceful deletion,
 * finalizers and the garbage collector's orphan/foregroundDeletion finalizers. An object is removed
 * from the store only when it has no finalizers and no grace period left; otherwise it is marked
 * (deletionTimestamp, deletionGracePeriodSeconds) and kept for its finalizers or node agent.
 */
import type { KubeObject } from '../../api/meta.js';
import { failure } from '../../api/status.js';
import { StoreError, type KeyValue } from '../../store/types.js';
import { encodeObject } from './codec.js';
import { jsonEqual } from './deep-equal.js';
import { conflict, fromStoreError, notFound } from './errors.js';
import { nowTimestamp } from './object-meta.js';
import type { StorageCore } from './storage-core.js';
import { noteDeleted } from './watched-reads.js';
import type { DeleteOptions, RequestContext } from './types.js';

const ORPHAN = 'orphan';
const FOREGROUND = 'foregroundDeletion';
/** Store conflicts mean another writer made progress, so retrying terminates; the cap only guards bugs. */
const MAX_ATTEMPTS = 1000;

export async function deleteObject(
  core: StorageCore, ctx: RequestContext, namespace: string | undefined, name: string, opts: DeleteOptions,
): Promise<{ object: KubeObject; deleted: boolean }> {
  checkDeleteOptions(opts);
  const ns = core.scope(namespace);
  const key = core.key(ns, name);
  for (let attempt = 1; ; attempt++) {
    const kv = await core.store.get(key);
    if (!kv) throw notFound(core.def, name);
    const obj = core.decode(kv);
    if (ctx.dynamicAdmission) {
      // upstream's AdmissionToValidateObjectDeleteFunc: mutating admission (webhooks registered for
      // DELETE, which may refuse but not patch), then validating, both with the stored object as
      // oldObject and no object.
      const attrs = {
        operation: 'DELETE', namespace: ns, name, oldObject: obj,
        options: { apiVersion: 'meta.k8s.io/v1', kind: 'DeleteOptions', metadata: {}, ...opts, ...(ctx.dryRun ? { dryRun: ['All'] } : {}) },
      } as const;
      await ctx.dynamicAdmission.mutate(attrs);
      await ctx.dynamicAdmission.validate(attrs);
    }
    try {
      return await deleteOnce(core, ctx, key, kv, obj, opts);
    } catch (err) {
      if (err instanceof StoreError && (err.code === 'Conflict' || err.code === 'NotFound') && attempt < MAX_ATTEMPTS) continue;
      throw fromStoreError(core.def, name, err);
    }
  }
}

async function deleteOnce(
  core: StorageCore, ctx: RequestContext, key: string, kv: KeyValue, obj: KubeObject, opts: DeleteOptions,
): Promise<{ object: KubeObject; deleted: boolean }> {
  const { strategy } = core;
  checkPreconditions(core, obj, opts);
  strategy.checkDelete?.(obj);
  if (!ctx.dryRun) noteDeleted(core.store, key);
  const before = core.readOnly(kv);
  const meta = obj.metadata;

  if (strategy.deferDeletion?.(obj)) {
    // Two-phase kinds (namespaces): mark, and keep until the strategy lets go.
    if (!meta.deletionTimestamp) {
      meta.deletionTimestamp = nowTimestamp();
      strategy.markForDeletion?.(obj);
    }
    applyGcFinalizers(core, obj, opts);
    return { object: await persist(core, ctx, key, kv, before, obj), deleted: false };
  }

  if (meta.deletionTimestamp) {
    const current = meta.deletionGracePeriodSeconds;
    // Negative grace periods mean 1 s on the delete path, as upstream.
    const requested = opts.gracePeriodSeconds !== undefined ? (opts.gracePeriodSeconds < 0 ? 1 : opts.gracePeriodSeconds) : undefined;
    if (current !== undefined && current > 0) {
      // Already terminating gracefully: a delete may only shorten the grace period.
      if (requested === undefined || requested >= current) return { object: obj, deleted: false };
      const deadline = Date.parse(meta.deletionTimestamp) - current * 1000 + requested * 1000;
      meta.deletionTimestamp = new Date(deadline).toISOString().replace(/\.\d{3}Z$/, 'Z');
      meta.deletionGracePeriodSeconds = requested;
      if (requested > 0 || (meta.finalizers ?? []).length > 0) return { object: await persist(core, ctx, key, kv, before, obj), deleted: false };
      return removeNow(core, ctx, key, kv, obj);
    }
    if ((meta.finalizers ?? []).length === 0) return removeNow(core, ctx, key, kv, obj);
    applyGcFinalizers(core, obj, opts);
    return { object: await persist(core, ctx, key, kv, before, obj), deleted: false };
  }

  const grace = strategy.gracePeriod?.(obj, opts);
  applyGcFinalizers(core, obj, opts);
  const finalizers = meta.finalizers ?? [];
  if (grace !== undefined && grace > 0) {
    meta.deletionTimestamp = nowTimestamp(grace);
    meta.deletionGracePeriodSeconds = grace;
    bumpGeneration(obj);
    return { object: await persist(core, ctx, key, kv, before, obj), deleted: false };
  }
  if (finalizers.length > 0) {
    meta.deletionTimestamp = nowTimestamp();
    meta.deletionGracePeriodSeconds = 0;
    bumpGeneration(obj);
    return { object: await persist(core, ctx, key, kv, before, obj), deleted: false };
  }
  return removeNow(core, ctx, key, kv, obj);
}

async function persist(core: StorageCore, ctx: RequestContext, key: string, kv: KeyValue, before: KubeObject, obj: KubeObject): Promise<KubeObject> {
  if (ctx.dryRun || jsonEqual(before, obj)) return obj;
  const text = encodeObject(obj, core.def);
  await core.storeWritten(key, text, obj, () => core.store.update(key, text, kv.modRevision));
  return obj;
}

async function removeNow(core: StorageCore, ctx: RequestContext, key: string, kv: KeyValue, obj: KubeObject): Promise<{ object: KubeObject; deleted: boolean }> {
  if (ctx.dryRun) return { object: obj, deleted: true };
  const gone = await core.store.delete(key, kv.modRevision);
  obj.metadata.resourceVersion = String(gone.modRevision);
  await core.strategy.release?.(obj);
  return { object: obj, deleted: true };
}

function bumpGeneration(obj: KubeObject): void {
  if ((obj.metadata.generation ?? 0) > 0) obj.metadata.generation! += 1;
}

function checkPreconditions(core: StorageCore, obj: KubeObject, opts: DeleteOptions): void {
  const pre = opts.preconditions;
  const name = obj.metadata.name ?? '';
  if (pre?.uid && pre.uid !== obj.metadata.uid) {
    throw conflict(core.def, name, `the UID in the precondition (${pre.uid}) does not match the UID in record (${obj.metadata.uid}). The object might have been deleted and then recreated`);
  }
  if (pre?.resourceVersion && pre.resourceVersion !== obj.metadata.resourceVersion) {
    throw conflict(core.def, name, `the ResourceVersion in the precondition (${pre.resourceVersion}) does not match the ResourceVersion in record (${obj.metadata.resourceVersion}). The object might have been modified`);
  }
}

/** ValidateDeleteOptions: a known propagationPolicy, not combined with orphanDependents. */
export function checkDeleteOptions(opts: DeleteOptions): void {
  const invalid = (field: string, detail: string) =>
    failure(422, 'Invalid', `DeleteOptions.meta.k8s.io "" is invalid: ${field}: ${detail}`, {
      group: 'meta.k8s.io', kind: 'DeleteOptions', causes: [{ reason: 'FieldValueInvalid', message: detail, field }],
    });
  const policy = opts.propagationPolicy;
  if (policy !== undefined && !['Orphan', 'Background', 'Foreground'].includes(policy)) {
    throw invalid('propagationPolicy', `Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan"`);
  }
  if (policy !== undefined && opts.orphanDependents !== undefined) {
    throw invalid('propagationPolicy', `Invalid value: "${policy}": orphanDependents and deletionPropagation cannot be both set`);
  }
}

/**
 * deletionFinalizersForGarbageCollection: Orphan (or orphanDependents) adds `orphan`, Foreground
 * adds `foregroundDeletion`, Background removes both; with no option the object's existing GC
 * finalizer stands, else the strategy's default policy applies.
 */
function applyGcFinalizers(core: StorageCore, obj: KubeObject, opts: DeleteOptions): void {
  const existing = obj.metadata.finalizers ?? [];
  let orphan: boolean;
  let foreground: boolean;
  if (opts.orphanDependents !== undefined) {
    orphan = opts.orphanDependents;
    foreground = false;
  } else if (opts.propagationPolicy) {
    orphan = opts.propagationPolicy === 'Orphan';
    foreground = opts.propagationPolicy === 'Foreground';
  } else if (existing.includes(ORPHAN) || existing.includes(FOREGROUND)) {
    return;
  } else {
    orphan = core.strategy.defaultPropagationPolicy === 'Orphan';
    foreground = false;
  }
  const next = existing.filter((f) => f !== ORPHAN && f !== FOREGROUND);
  if (orphan) next.push(ORPHAN);
  if (foreground) next.push(FOREGROUND);
  const same = next.length === existing.length && next.every((f) => existing.includes(f));
  if (same) return;
  if (next.length > 0) obj.metadata.finalizers = next;
  else delete obj.metadata.finalizers;
}
