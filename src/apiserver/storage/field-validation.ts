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
  const unknown = def.unknownFields(obj);
  if (unknown.length === 0) return;
  if (ctx.fieldValidation === 'Strict') {
    throw errors.badRequest(`strict decoding error: ${unknown.map((p) => `unknown field "${p}"`).join(', ')}`);
  }
  if (ctx.fieldValidation === 'Warn') for (const p of unknown) ctx.warnings.push(`unknown field "${p}"`);
  for (const p of unknown) deletePath(obj, parsePath(p));
}

/** `spec.containers[0].imagee` -> ['spec', 'containers', 0, 'imagee']; `metadata.labels[app]` keeps `app` as a key. */
export function parsePath(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  const re = /([^.[\]]+)|\[([^\]]*)\]/g;
  for (const m of path.matchAll(re)) {
    if (m[1] !== undefined) out.push(m[1]);
    else out.push(/^\d+$/.test(m[2]) ? Number(m[2]) : m[2]);
  }
  return out;
}

function deletePath(obj: unknown, path: (string | number)[]): void {
  let cur: unknown = obj;
  for (let i = 0; i < path.length - 1; i++) {
    if (cur === null || typeof cur !== 'object') return;
    cur = (cur as Record<string | number, unknown>)[path[i]];
  }
  if (cur !== null && typeof cur === 'object' && !Array.isArray(cur)) delete (cur as Record<string, unknown>)[String(path[path.length - 1])];
}
