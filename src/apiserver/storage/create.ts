/**
 * POST: the create pipeline (kube-apiserver's create handler, admission and Store.Create).
 * Every check runs before the single store write, so a failure leaves nothing behind.
 */
import type { KubeObject } from '../../api/meta.js';
import { errors } from '../../api/status.js';
import { StoreError } from '../../store/types.js';
import { deepCopy, encodeObject } from './codec.js';
import { alreadyExists, invalid } from './errors.js';
import { checkUnknownFields } from './field-validation.js';
import { fillCreateMeta, generateName } from './object-meta.js';
import { trackManagedFields } from './patch-adapter.js';
import type { StorageCore } from './storage-core.js';
import type { RequestContext } from './types.js';

/** Attempts at a fresh generated name when one collides (upstream RetryGenerateName). */
const GENERATE_NAME_ATTEMPTS = 8;

export interface CreateOptions {
  /** Server-side apply already recorded field ownership. */
  managedFieldsDone?: boolean;
}

export async function createObject(
  core: StorageCore, ctx: RequestContext, namespace: string | undefined, input: KubeObject, opts: CreateOptions = {},
): Promise<KubeObject> {
  const { def, strategy } = core;
  if (input === null || typeof input !== 'object' || Array.isArray(input)) throw errors.badRequest('the body of the request must be an object');
  let obj = deepCopy(input);
  obj.metadata ??= {};
  if (typeof obj.metadata !== 'object' || Array.isArray(obj.metadata)) throw errors.badRequest('metadata must be an object');
  core.checkTypeMeta(obj);
  const ns = settleNamespace(core, obj, namespace);
  checkUnknownFields(def, obj, ctx);
  obj.apiVersion = def.group ? `${def.group}/${def.version}` : def.version;
  obj.kind = def.kind;

  if (def.hasStatusSubresource && !strategy.keepStatusOnCreate) delete obj.status;
  fillCreateMeta(obj.metadata, def.tracksGeneration);
  strategy.prepareForCreate?.(obj, ctx);
  def.applyDefaults(obj);

  if (ns !== undefined) await core.admitNamespace(ns, obj.metadata.name ?? '');
  await strategy.admit?.(obj, ns, ctx);
  const mutated = await ctx.dynamicAdmission?.mutate({ operation: 'CREATE', namespace: ns, name: obj.metadata.name ?? '', object: obj, options: createOptions(ctx) });
  if (mutated) obj = reAdmitted(core, mutated, obj);
  const generated = !obj.metadata.name && !!obj.metadata.generateName;
  if (!obj.metadata.name) {
    if (!obj.metadata.generateName) {
      throw invalid(def, '', [{ type: 'FieldValueRequired', field: 'metadata.name', detail: 'Required value: name or generateName is required' }]);
    }
    obj.metadata.name = generateName(obj.metadata.generateName);
  }
  core.validate(obj);
  await strategy.validateAdmission?.(obj, undefined, ctx, core);
  await ctx.dynamicAdmission?.validate({ operation: 'CREATE', namespace: ns, name: obj.metadata.name, object: obj, options: createOptions(ctx) });
  await strategy.lastAdmission?.(obj, undefined, ctx, core);
  await strategy.allocate?.(obj, ctx);
  if (!opts.managedFieldsDone) trackManagedFields(def, ctx, obj, undefined);

  for (let attempt = 1; ; attempt++) {
    const key = core.key(ns, obj.metadata.name);
    if (ctx.dryRun) {
      // A dry run still reports the collision a real create would hit.
      if (await core.store.get(key)) throw alreadyExists(def, obj.metadata.name);
      return obj;
    }
    try {
      const text = encodeObject(obj, core.def);
      await core.storeWritten(key, text, obj, () => core.store.create(key, text));
      return obj;
    } catch (err) {
      if (!(err instanceof StoreError) || err.code !== 'AlreadyExists') throw err;
      if (!generated || attempt >= GENERATE_NAME_ATTEMPTS) throw alreadyExists(def, obj.metadata.name);
      obj.metadata.name = generateName(obj.metadata.generateName!);
    }
  }
}

/** CreateOptions as webhooks receive them (AdmissionRequest.options). */
export function createOptions(ctx: RequestContext): KubeObject {
  return { apiVersion: 'meta.k8s.io/v1', kind: 'CreateOptions', metadata: {}, ...(ctx.dryRun ? { dryRun: ['All'] } : {}), ...(ctx.fieldManager ? { fieldManager: ctx.fieldManager } : {}) };
}

/**
 * A webhook's patched object keeps what the server owns (type, namespace), loses the fields its
 * schema does not declare and is defaulted again, as upstream's mutating dispatcher decodes the
 * patched object into the internal type (a custom resource pruned by its schema) with defaults.
 */
export function reAdmitted(core: StorageCore, mutated: KubeObject, before: KubeObject): KubeObject {
  mutated.apiVersion = before.apiVersion;
  mutated.kind = before.kind;
  mutated.metadata ??= {};
  if (core.def.namespaced) mutated.metadata.namespace = before.metadata.namespace;
  const holders: [Record<string, unknown>, string][] = [];
  core.def.unknownFields(mutated, holders);
  for (const [holder, key] of holders) delete holder[key];
  core.def.applyDefaults(mutated);
  return mutated;
}

/** The body's namespace must match the URL's (an empty one takes the URL's); cluster-scoped kinds have none. */
export function settleNamespace(core: StorageCore, obj: KubeObject, namespace: string | undefined): string | undefined {
  if (!core.def.namespaced) {
    delete obj.metadata.namespace;
    return undefined;
  }
  const ns = namespace || obj.metadata.namespace;
  if (!ns) throw errors.badRequest('the namespace of the object is required');
  if (obj.metadata.namespace && obj.metadata.namespace !== ns) {
    throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  obj.metadata.namespace = ns;
  return ns;
}
