/**
 * Bridge to src/apiserver/patch: computing a patched object and maintaining managedFields with
 * the field manager (server-side apply, and ownership tracking for ordinary writes).
 */
import type { KubeObject } from '../../api/meta.js';
import type { FieldInfo, ResourceDefinition } from '../../api/resource.js';
import { errors, failure } from '../../api/status.js';
import { exceedsDepth, MAX_JSON_DEPTH } from '../../api/json-depth.js';
import { apply, trackUpdate } from '../patch/apply/apply.js';
import { checkDeclaredFields, checkDuplicateKeys } from '../patch/apply/strict-apply.js';
import { SCALE_API_VERSION, toParentEntries, toScaleEntries } from '../patch/apply/scale-fields.js';
import { applyJsonPatch } from '../patch/json-patch.js';
import type { JsonObject } from '../patch/json-value.js';
import { applyMergePatch } from '../patch/merge-patch.js';
import { applyStrategicMergePatch } from '../patch/strategic/strategic-merge.js';
import { applyScale, checkScaleName, toScale } from './scale.js';
import type { PatchRequest, RequestContext } from './types.js';
import { apiVersionOf, versionConverter } from './version-converter.js';

const noFieldInfo = (): FieldInfo | undefined => undefined;

/**
 * json, merge or strategic patch of `current` (never modified); without a definition strategic acts
 * as merge. A JSON patch whose result nests deeper than MAX_JSON_DEPTH is refused (400): op after op
 * and patch after patch could otherwise nest an object deeper than any body may. A merge or
 * strategic patch takes each value of its result from `current` or from the body at the same path,
 * so it nests no deeper than the stored object or the body (checked when decoded).
 * `owned`: `current` is the caller's private copy, which a merge patch's result may share (copy on
 * write: applyMergePatch's `share`); its top level and metadata are the result's own either way,
 * as the update pipeline writes there.
 */
export function patchObject(def: ResourceDefinition | undefined, current: KubeObject, patch: PatchRequest, owned = false): KubeObject {
  if (owned && patch.type === 'merge') {
    const out = applyMergePatch(current as unknown as JsonObject, patch.body, true) as unknown as KubeObject;
    if (out.metadata === current.metadata && out.metadata) out.metadata = { ...out.metadata };
    return checkPatchedName(out, current);
  }
  const out = applyPatch(def, current as unknown as JsonObject, patch) as unknown as KubeObject;
  if (patch.type === 'json' && exceedsDepth(out)) throw errors.badRequest(`the patched object is not valid: exceeded max depth of ${MAX_JSON_DEPTH}`);
  return checkPatchedName(out, current);
}

/**
 * The patch handler's checkName on the patched object (before the update's own checks): it must
 * still name the object of the URL, and no other namespace. A metadata or name that is not
 * a string is left to the update's checks.
 */
function checkPatchedName(out: KubeObject, current: KubeObject): KubeObject {
  const md = out?.metadata as Record<string, unknown> | undefined;
  if (md === null || typeof md !== 'object' || Array.isArray(md)) return out;
  const { name, namespace } = current.metadata;
  if (md.name === undefined || md.name === null || md.name === '') {
    throw errors.badRequest(`the name of the object (${name} based on URL) was undeterminable: name must be provided`);
  }
  if (typeof md.name === 'string' && md.name !== name) throw errors.badRequest(`the name of the object (${md.name}) does not match the name on the URL (${name})`);
  if (namespace && typeof md.namespace === 'string' && md.namespace && md.namespace !== namespace) {
    throw errors.badRequest(`the namespace of the object (${md.namespace}) does not match the namespace on the request (${namespace})`);
  }
  return out;
}

function applyPatch(def: ResourceDefinition | undefined, doc: JsonObject, patch: PatchRequest): JsonObject {
  switch (patch.type) {
    case 'json': return applyJsonPatch(doc, patch.body);
    case 'merge': return applyMergePatch(doc, patch.body);
    case 'strategic': return applyStrategicMergePatch(doc, patch.body, def ? (p) => def.fieldInfo(p) : noFieldInfo);
    case 'apply': throw new Error('apply patches go through serverSideApply');
  }
}

/**
 * Fields a write through `subresource` does not own (kube-apiserver's reset fields): status on
 * the main resource of kinds with a status subresource, spec on /status.
 */
function ignoredFields(def: ResourceDefinition, subresource?: string): string[][] | undefined {
  if (subresource === 'status') return [['spec']];
  if (!subresource && def.hasStatusSubresource) return [['status']];
  return undefined;
}

function manager(ctx: RequestContext): string {
  return ctx.fieldManager || 'unknown';
}

/**
 * Server-side apply of `body` onto `live` (undefined: create). Returns the merged object with its
 * managedFields; 409 on conflicts unless forced; 422 without a fieldManager, as upstream.
 */
export function serverSideApply(
  def: ResourceDefinition, ctx: RequestContext, live: KubeObject | undefined, body: unknown, force: boolean, subresource?: string,
): { object: KubeObject } {
  const fieldManager = requireApplyManager(ctx);
  if (body !== null && typeof body === 'object' && !Array.isArray(body)) checkDeclaredFields(body as Record<string, unknown>, def.unknownFields(body as KubeObject, []));
  const res = apply(live as unknown as JsonObject | undefined, body as JsonObject, {
    manager: fieldManager, apiVersion: apiVersionOf(def), fieldInfo: def.fieldInfo, now: new Date(),
    force, subresource, ignoredFields: ignoredFields(def, subresource), convert: versionConverter(def, (d) => ignoredFields(d, subresource)),
  });
  checkDuplicateKeys(body, ctx.fieldValidation, ctx.warnings);
  return { object: res.object as unknown as KubeObject };
}

function requireApplyManager(ctx: RequestContext): string {
  if (!ctx.fieldManager) {
    throw failure(422, 'Invalid', 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch', {
      group: 'meta.k8s.io', kind: 'PatchOptions', causes: [{ reason: 'FieldValueRequired', message: 'Required value: is required for apply patch', field: 'fieldManager' }],
    });
  }
  return ctx.fieldManager;
}

/**
 * Server-side apply to /scale (the parent `live` exists): the apply runs on the Scale with the
 * Scale's managedFields (ScaleHandler), so it conflicts with whoever owns the replicas, and the
 * parent gets the replicas and the ownership mapped back. Only spec.replicas reaches the parent.
 */
export function scaleServerSideApply(def: ResourceDefinition, ctx: RequestContext, live: KubeObject, name: string, body: unknown, force: boolean): KubeObject {
  const fieldManager = requireApplyManager(ctx);
  const info = def.scale!;
  const replicasPath = info.specReplicasPath.split('.').map((f) => `f:${f}`);
  const scale = toScale(info, live) as KubeObject;
  scale.metadata.managedFields = toScaleEntries(live.metadata.managedFields, replicasPath);
  const res = apply(scale as unknown as JsonObject, body as JsonObject, {
    manager: fieldManager, apiVersion: SCALE_API_VERSION, fieldInfo: noFieldInfo, now: new Date(), force, subresource: 'scale', ignoredFields: [['status']],
  });
  const applied = res.object as unknown as KubeObject;
  checkScaleName(applied, name);
  const next = applyScale(info, live, applied);
  const entries = toParentEntries(live.metadata.managedFields, res.managedFields, replicasPath, apiVersionOf(def));
  if (entries.length > 0) next.metadata.managedFields = entries;
  else delete next.metadata.managedFields;
  return next;
}

/** Record the field ownership of a create/update/patch by ctx.fieldManager in newObj.metadata.managedFields. */
export function trackManagedFields(def: ResourceDefinition, ctx: RequestContext, newObj: KubeObject, old: KubeObject | undefined, subresource?: string): void {
  const res = trackUpdate(old as unknown as JsonObject | undefined, newObj as unknown as JsonObject, {
    manager: manager(ctx), apiVersion: apiVersionOf(def), fieldInfo: def.fieldInfo, now: new Date(),
    subresource, ignoredFields: ignoredFields(def, subresource), convert: versionConverter(def, (d) => ignoredFields(d, subresource)),
  });
  if (res.managedFields.length > 0) newObj.metadata.managedFields = res.managedFields;
  else delete newObj.metadata.managedFields;
}
