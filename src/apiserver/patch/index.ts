/**
 * Patching and field management for the API server, as pure functions over plain JSON objects.
 * Nothing here does I/O, defaulting or validation: the generic storage runs those around these.
 *
 * - {@link applyJsonPatch}, {@link applyMergePatch}, {@link applyStrategicMergePatch}: PATCH bodies
 *   of application/json-patch+json, merge-patch+json and strategic-merge-patch+json.
 * - {@link apply}: application/apply-patch+yaml (server-side apply), with conflicts and pruning.
 * - {@link trackUpdate}: managedFields bookkeeping for every other write (create, update, patch).
 *
 * Every failure is a StatusError with kube-apiserver's code and reason.
 * Schema facts come from a {@link FieldInfoLookup}: pass `def.fieldInfo.bind(def)`.
 */
import { applyJsonPatch } from './json-patch.js';
import { applyMergePatch } from './merge-patch.js';
import { applyStrategicMergePatch } from './strategic/strategic-merge.js';
import type { FieldInfoLookup, JsonObject } from './json-value.js';

export { applyJsonPatch, MAX_JSON_PATCH_OPERATIONS } from './json-patch.js';
export { applyMergePatch } from './merge-patch.js';
export { applyStrategicMergePatch } from './strategic/strategic-merge.js';
export { apply, trackUpdate } from './apply/apply.js';
export type { ApplyOptions, UpdateOptions, FieldManagerOptions, FieldManagerResult } from './apply/apply.js';
export { FieldSet } from './apply/fieldset.js';
export { pathString } from './apply/path-element.js';
export { decodeManagedFields, encodeManagedFields } from './apply/managed-fields.js';
export { REJECTED_MESSAGE } from './patch-errors.js';
export type { FieldInfoLookup, JsonObject } from './json-value.js';

/**
 * Apply a non-apply PATCH body of the given type to a copy of `obj` (never modified).
 * `body` is the parsed request body: an operations array for `json`, an object otherwise.
 * Server-side apply is separate ({@link apply}) because it also needs the field manager.
 */
export function patchObject(type: 'json' | 'merge' | 'strategic', obj: JsonObject, body: unknown, fieldInfo: FieldInfoLookup): JsonObject {
  switch (type) {
    case 'json': return applyJsonPatch(obj, body);
    case 'merge': return applyMergePatch(obj, body);
    case 'strategic': return applyStrategicMergePatch(obj, body, fieldInfo);
  }
}
