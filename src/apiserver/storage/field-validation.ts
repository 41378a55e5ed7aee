/**
 * Server-side field validation (the fieldValidation query parameter): fields the schema does not
 * define are an error under Strict, a warning under Warn, and silently dropped under Ignore. In
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
import { errors, failure } from '../../api/status.js';
import type { PatchRequest, RequestContext } from './types.js';

export function checkUnknownFields(def: ResourceDefinition, obj: KubeObject, ctx: RequestContext, patch?: PatchRequest): void {
  const holders: [Record<string, unknown>, string][] = [];
  const unknown = def.unknownFields(obj, holders);
  if (unknown.length === 0) return;
  if (ctx.fieldValidation === 'Strict') {
    const strict = `strict decoding error: ${unknown.map((p) => `unknown field "${p}"`).join(', ')}`;
    if (patch) {
      const value = patch.type === 'strategic' ? goFormat(patch.body) : JSON.stringify(obj);
      const detail = `Invalid value: ${JSON.stringify(value)}: ${strict}`;
      throw failure(422, 'Invalid', ` "" is invalid: patch: ${detail}`, { name: '', group: '', kind: '', causes: [{ reason: 'FieldValueInvalid', message: detail, field: 'patch' }] });
    }
    const kind = typeof obj.kind === 'string' && obj.kind ? obj.kind : def.kind;
    const version = typeof obj.apiVersion === 'string' && obj.apiVersion ? obj.apiVersion.slice(obj.apiVersion.indexOf('/') + 1) : def.version;
    throw errors.badRequest(`${kind} in version "${version}" cannot be handled as a ${kind}: ${strict}`);
  }
  if (ctx.fieldValidation === 'Warn') for (const p of unknown) ctx.warnings.push(`unknown field "${p}"`);
  // Deleted by holder and key, not by parsing the path back: a key that is empty or contains `.`
  // would name another field (an unknown `metadata[""]` used to delete `metadata` itself).
  for (const [holder, key] of holders) delete holder[key];
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
