/** RFC 6902 JSON patch (application/json-patch+json) with kube-apiserver's error mapping. */
import jsonpatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { failure } from '../../api/status.js';
import { badPatch, patchNotApplicable, patchedNotAnObject } from './patch-errors.js';
import { clone, isObject, type JsonObject } from './json-value.js';

/** kube-apiserver's maxJSONPatchOperations. */
export const MAX_JSON_PATCH_OPERATIONS = 10000;

const OPS = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);

/**
 * Apply a JSON patch to a copy of `obj`.
 * Throws 400 when `ops` is not an array of operation objects (jsonpatch.DecodePatch), 413 above
 * 10000 operations, and 422 when an operation does not apply (failed test, missing path, unknown
 * op), exactly as kube-apiserver does. The input is never modified.
 */
export function applyJsonPatch(obj: JsonObject, ops: unknown): JsonObject {
  if (!Array.isArray(ops)) {
    throw badPatch(`json: cannot unmarshal ${describe(ops)} into Go value of type jsonpatch.Patch`);
  }
  for (const op of ops) {
    if (!isObject(op)) throw badPatch(`json: cannot unmarshal ${describe(op)} into Go value of type jsonpatch.Operation`);
  }
  if (ops.length > MAX_JSON_PATCH_OPERATIONS) {
    throw failure(413, 'RequestEntityTooLarge',
      `The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${ops.length}`);
  }
  let doc: unknown = clone(obj);
  for (const op of ops as JsonObject[]) {
    // evanphx/json-patch rejects an unknown op at apply time (422), not at decode time.
    if (typeof op.op !== 'string' || !OPS.has(op.op)) throw patchNotApplicable();
    try {
      doc = jsonpatch.applyOperation(doc, op as unknown as Operation, true, true, true).newDocument;
    } catch {
      throw patchNotApplicable();
    }
  }
  if (!isObject(doc)) throw patchedNotAnObject(doc, 'json: cannot unmarshal into Go value of type map[string]interface {}');
  return doc;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v === 'object' ? 'object' : typeof v === 'string' ? 'string' : typeof v;
}
