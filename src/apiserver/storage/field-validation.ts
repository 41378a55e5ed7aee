/**
 * Decoding errors of a built-in kind's object (a value of the wrong JSON type, a `byte` field that is
 * not base64: src/api/schema/decode-errors.ts), whatever the fieldValidation mode: a create or PUT body
 * is a 400 as upstream's decoder, a patch's result the patcher's 422 below (server-side apply excepted);
 * then server-side field validation (the fieldValidation query parameter): fields the schema does not
 * define, and keys a JSON body repeats, are an error under Strict, a warning under Warn, and silently dropped under Ignore. In
 * every mode they are removed before anything is stored, as decoding drops them upstream.
 * Under Strict the error is upstream's for the way the object came:
 * - a request body that is an object (create, PUT) fails as the decoder does there (handlers/rest.go
 *   transformDecodeError): 400 `<Kind> in version "<v>" cannot be handled as a <Kind>: strict
 *   decoding error: unknown field "..."`;
 * - a patch's result fails as upstream's patcher (handlers/patch.go) reports it: 422 Invalid on the
 *   field `patch`, whose value is the patched object's JSON (JSON and merge patches) or the patch
 *   itself as Go prints a map (strategic merge patches); kubectl prints "The request is invalid".
 */
import type { KubeObject } from '../../api/meta.js';
import type { ResourceDefinition } from '../../api/resource.js';
import { converterMessage, decoderMessage } from '../../api/schema/decode-errors.js';
import { errors, failure } from '../../api/status.js';
import type { PatchRequest, RequestContext } from './types.js';

/** Repeated keys of a JSON request body (paths), noted on the decoded value by the HTTP layer (duplicateFieldsOf). */
export const DUPLICATE_FIELDS = Symbol('duplicate JSON fields');

export function duplicateFieldsOf(value: unknown): string[] | undefined {
  return typeof value === 'object' && value !== null ? (value as { [DUPLICATE_FIELDS]?: string[] })[DUPLICATE_FIELDS] : undefined;
}

/**
 * `stored`: the stored object an update started from. A top-level field of `obj` that is the very
 * same object as its (a subtree a copy-on-write patch left alone, the spec under a /status write)
 * is not walked: stored objects hold no unknown fields, as they are dropped before anything is stored.
 */
export function checkUnknownFields(def: ResourceDefinition, obj: KubeObject, ctx: RequestContext, patch?: PatchRequest, stored?: KubeObject): void {
  const walked = stored ? unsharedPart(obj, stored) : obj;
  // An object that does not decode into its Go type (a value of the wrong JSON type, a base64 field)
  // fails before field validation, whatever the mode. Server-side apply has its own typed merge.
  const undecodable = patch?.type === 'apply' ? undefined : def.decodeFailure?.(walked);
  if (undecodable) {
    if (!patch) throw cannotBeHandled(def, obj, decoderMessage(undecodable));
    throw invalidPatch(patch, obj, patch.type === 'strategic' ? converterMessage(undecodable) : decoderMessage(undecodable));
  }
  const holders: [Record<string, unknown>, string][] = [];
  const unknown = def.unknownFields(walked, holders);
  const dups = patch ? [] : (ctx.duplicateFields ?? []);
  if (unknown.length === 0 && dups.length === 0) return;
  for (const h of holders) if (h[0] === walked) h[0] = obj;
  // Upstream's strict decoding errors: unknown fields, then duplicate ones.
  const problems = [...unknown.map((p) => `unknown field "${p}"`), ...dups.map((p) => `duplicate field "${p}"`)];
  if (ctx.fieldValidation === 'Strict') {
    const strict = `strict decoding error: ${problems.join(', ')}`;
    if (patch) throw invalidPatch(patch, obj, strict);
    throw cannotBeHandled(def, obj, strict);
  }
  if (ctx.fieldValidation === 'Warn') ctx.warnings.push(...problems);
  // Deleted by holder and key, not by parsing the path back: a key that is empty or contains `.`
  // would name another field (an unknown `metadata[""]` used to delete `metadata` itself).
  for (const [holder, key] of holders) delete holder[key];
}

/**
 * Upstream's patcher when the patched object does not decode (handlers/patch.go): 422 Invalid on the
 * field `patch`, valued the patched JSON (JSON and merge patches) or the strategic patch as Go prints it.
 */
function invalidPatch(patch: PatchRequest, obj: KubeObject, why: string): Error {
  const value = patch.type === 'strategic' ? goFormat(patch.body) : JSON.stringify(obj);
  const detail = `Invalid value: ${JSON.stringify(value)}: ${why}`;
  return failure(422, 'Invalid', ` "" is invalid: patch: ${detail}`, { name: '', group: '', kind: '', causes: [{ reason: 'FieldValueInvalid', message: detail, field: 'patch' }] });
}

/** Upstream's decoder failure (handlers/rest.go transformDecodeError): 400 naming the body's kind and version. */
function cannotBeHandled(def: ResourceDefinition, obj: KubeObject, why: string): Error {
  const kind = typeof obj.kind === 'string' && obj.kind ? obj.kind : def.kind;
  const version = typeof obj.apiVersion === 'string' && obj.apiVersion ? obj.apiVersion.slice(obj.apiVersion.indexOf('/') + 1) : def.version;
  return errors.badRequest(`${kind} in version "${version}" cannot be handled as a ${kind}: ${why}`);
}

/** `obj` without the top-level fields that are `stored`'s own objects (a shallow view, in `obj`'s key order). */
function unsharedPart(obj: KubeObject, stored: KubeObject): KubeObject {
  const out: Record<string, unknown> = {};
  const o = obj as Record<string, unknown>;
  const s = stored as Record<string, unknown>;
  for (const k in o) {
    const v = o[k];
    if (typeof v === 'object' && v !== null && v === s[k]) continue;
    // An own "__proto__" key stays data (and unknown); assigning it would set the prototype.
    if (k === '__proto__') Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
    else out[k] = v;
  }
  return out as KubeObject;
}

/** A decoded JSON value as Go's fmt `%+v` prints it: `map[a:1 b:[x y]]`, keys sorted, nil as <nil>. */
export function goFormat(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goFormat).join(' ')}]`;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `map[${Object.keys(o).sort().map((k) => `${k}:${goFormat(o[k])}`).join(' ')}]`;
  }
  return String(v);
}
