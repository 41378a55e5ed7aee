/**
 * Plain-JSON helpers shared by every patch flavour. Objects handled here are parsed JSON
 * (no Dates, no undefined inside arrays), so structural equality and cloning stay simple.
 */
import type { FieldInfo } from '../../api/resource.js';
import { cloneJson } from '../../api/json-clone.js';

/** Schema facts by path of field names (list indices dropped), as `ResourceDefinition.fieldInfo`. */
export type FieldInfoLookup = (path: string[]) => FieldInfo | undefined;

export type JsonObject = Record<string, unknown>;

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  // Own keys counted in place, no key arrays: managed fields compare every field a write left
  // alone this way before walking what it changed.
  const ao = a as JsonObject;
  const bo = b as JsonObject;
  let n = 0;
  for (const k in ao) {
    if (!Object.prototype.hasOwnProperty.call(ao, k)) continue;
    if (!Object.prototype.hasOwnProperty.call(bo, k) || !deepEqual(ao[k], bo[k])) return false;
    n++;
  }
  for (const k in bo) if (Object.prototype.hasOwnProperty.call(bo, k)) n--;
  return n === 0;
}

export function clone<T>(v: T): T {
  return v === undefined ? v : cloneJson(v);
}

/**
 * Keys a merge must never assign with `obj[key] = v` (that would replace the object's prototype).
 * No Kubernetes field, label or annotation key can be `__proto__`, so mergers drop it.
 */
export function isUnsafeKey(key: string): boolean {
  return key === '__proto__';
}
