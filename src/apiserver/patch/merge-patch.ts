/** RFC 7386 JSON merge patch (application/merge-patch+json). */
import { badPatch, patchedNotAnObject } from './patch-errors.js';
import { clone, isObject, isUnsafeKey, type JsonObject } from './json-value.js';

/**
 * Apply a merge patch to a copy of `obj`: objects merge key by key, `null` deletes, anything else
 * (arrays included) replaces. A patch that is not an object replaces the whole document, which for
 * an API object means kube-apiserver fails to decode it: 422 on field `patch`. `undefined` (no body)
 * is 400. The input is never modified.
 * `share`: copy on write instead of a deep copy first. The result is new along the paths the patch
 * names (each object on them a shallow copy, each value it sets its own) and shares every other
 * subtree with `obj`: for a caller that owns `obj` and writes only where the patch did, or
 * replaces what it writes.
 */
export function applyMergePatch(obj: JsonObject, patch: unknown, share = false): JsonObject {
  if (patch === undefined) throw badPatch('invalid JSON Document');
  const out = mergeValue(share ? obj : clone(obj), patch);
  if (!isObject(out)) throw patchedNotAnObject(out, 'json: cannot unmarshal into Go value of type map[string]interface {}');
  return out;
}

function mergeValue(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return stripNulls(clone(patch));
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (isUnsafeKey(k)) continue;
    if (v === null) delete out[k];
    else out[k] = mergeValue(out[k], v);
  }
  return out;
}

/** RFC 7386: nulls inside a replacing object value are dropped too (they mean "absent"). */
function stripNulls(v: unknown): unknown {
  if (isObject(v)) {
    for (const [k, x] of Object.entries(v)) {
      if (x === null) delete v[k];
      else stripNulls(x);
    }
  } else if (Array.isArray(v)) v.forEach(stripNulls);
  return v;
}
