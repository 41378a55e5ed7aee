/**
 * RFC 6902 JSON patch (application/json-patch+json) with kube-apiserver's error mapping, and
 * evanphx/json-patch v4's departures from the RFC that clients rely on (json-patch-v4.ts).
 */
import jsonpatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { failure } from '../../api/status.js';
import { badPatch, patchNotApplicable, patchedNotAnObject } from './patch-errors.js';
import { asV4Operation } from './json-patch-v4.js';
import { clone, isObject, type JsonObject } from './json-value.js';

/** kube-apiserver's maxJSONPatchOperations. */
export const MAX_JSON_PATCH_OPERATIONS = 10000;

/**
 * evanphx/json-patch's AccumulatedCopySizeLimit as kube-apiserver arms it (JSONPatchMaxCopyBytes =
 * MaxRequestBodyBytes = 3 MiB): the bytes all `copy` ops of one patch may add, so a small patch
 * cannot multiply an object's size.
 */
export const MAX_JSON_PATCH_COPY_BYTES = 3 * 1024 * 1024;

const OPS = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);

/**
 * Apply a JSON patch to a copy of `obj`.
 * Throws 400 when `ops` is not an array of operation objects (jsonpatch.DecodePatch), 413 above
 * 10000 operations, and 422 when an operation does not apply (failed test, missing path, unknown
 * op), exactly as kube-apiserver does. The input is never modified.
 */
export function applyJsonPatch(obj: JsonObject, ops: unknown): JsonObject {
  checkJsonPatchShape(ops);
  if (ops.length > MAX_JSON_PATCH_OPERATIONS) {
    throw failure(413, 'RequestEntityTooLarge',
      `The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${ops.length}`);
  }
  let doc: unknown = clone(obj);
  let copied = 0;
  for (const given of ops as JsonObject[]) {
    // evanphx/json-patch rejects an unknown op at apply time (422), not at decode time.
    if (typeof given.op !== 'string' || !OPS.has(given.op)) throw patchNotApplicable();
    const op = asV4Operation(doc, given);
    if (!op) continue;
    if (op.op === 'copy' && typeof op.from === 'string') {
      copied += copySize(doc, op.from);
      if (copied > MAX_JSON_PATCH_COPY_BYTES) {
        throw patchNotApplicable(`Unable to complete the copy, the accumulated size increase of copy is ${copied}, exceeding the limit ${MAX_JSON_PATCH_COPY_BYTES}`);
      }
    }
    try {
      doc = jsonpatch.applyOperation(doc, op as unknown as Operation, validate, true, true).newDocument;
    } catch {
      throw patchNotApplicable();
    }
  }
  if (!isObject(doc)) throw patchedNotAnObject(doc, 'json: cannot unmarshal into Go value of type map[string]interface {}');
  return doc;
}

/** 400 as jsonpatch.DecodePatch words it unless `ops` is an array of operation objects. */
function checkJsonPatchShape(ops: unknown): asserts ops is JsonObject[] {
  if (!Array.isArray(ops)) {
    throw badPatch(`json: cannot unmarshal ${describe(ops)} into Go value of type jsonpatch.Patch`);
  }
  for (const op of ops) {
    if (!isObject(op)) throw badPatch(`json: cannot unmarshal ${describe(op)} into Go value of type jsonpatch.Operation`);
  }
}

/** Bytes of the JSON value at `from` (0 when it does not resolve: the op then fails on its own). */
function copySize(doc: unknown, from: string): number {
  const v = fromValue(doc, from);
  return v === undefined ? 0 : Buffer.byteLength(JSON.stringify(v));
}

/**
 * fast-json-patch's validator, except that for move and copy it checks `from` itself: the stock
 * check deep-clones the whole document for each such op, so 10000 of them on a large object cost
 * minutes of CPU (a denial of service in one request).
 */
const validate = (op: Operation, index: number, document: unknown, existing: string): void => {
  if (op.op === 'move' || op.op === 'copy') {
    jsonpatch.validator(op, index);
    if (fromValue(document, op.from) === undefined) throw new Error('from does not resolve');
    // RFC 6902 4.4: a location cannot be moved into one of its children (it would contain itself).
    if (op.op === 'move' && typeof op.path === 'string' && op.path !== op.from && (op.from === '' || op.path.startsWith(`${op.from}/`))) {
      throw new Error('cannot move a location into one of its children');
    }
    return;
  }
  jsonpatch.validator(op, index, document, existing);
};

function fromValue(doc: unknown, from: string): unknown {
  try {
    return jsonpatch.getValueByPointer(doc, from);
  } catch {
    return undefined;
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v === 'object' ? 'object' : typeof v === 'string' ? 'string' : typeof v;
}
