/**
 * Server-side field validation (the fieldValidation query parameter): fields the schema does not
 * define are an error under Strict, a warning under Warn, and silently dropped under Ignore. In
 * every mode they are removed before anything is stored, as decoding drops them upstream.
 */
import type { KubeObject } from '../../api/meta.js';
import type { ResourceDefinition } from '../../api/resource.js';
import { errors } from '../../api/status.js';
import type { RequestContext } from './types.js';

export function checkUnknownFields(def: ResourceDefinition, obj: KubeObject, ctx: RequestContext): void {
  const holders: [Record<string, unknown>, string][] = [];
  const unknown = def.unknownFields(obj, holders);
  if (unknown.length === 0) return;
  if (ctx.fieldValidation === 'Strict') {
    throw errors.badRequest(`strict decoding error: ${unknown.map((p) => `unknown field "${p}"`).join(', ')}`);
  }
  if (ctx.fieldValidation === 'Warn') for (const p of unknown) ctx.warnings.push(`unknown field "${p}"`);
  // Deleted by holder and key, not by parsing the path back: a key that is empty or contains `.`
  // would name another field (an unknown `metadata[""]` used to delete `metadata` itself).
  for (const [holder, key] of holders) delete holder[key];
}
