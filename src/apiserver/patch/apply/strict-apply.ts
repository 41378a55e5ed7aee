/**
 * What server-side apply refuses in the applied configuration itself, as upstream:
 * - fields the kind's schema does not declare: the field manager cannot make a typed patch object of
 *   it (structured-merge-diff's "field not declared in schema"), whatever fieldValidation says.
 *   Upstream answers 500 for this (kubernetes#122480, #139253, a fix to 400 pending as #139255);
 *   it is the client's input, so here 400 BadRequest with upstream's message.
 * - duplicate keys in the YAML body: accepted by the lenient decode (the last one wins), then
 *   refused under fieldValidation=Strict or warned about under Warn after the apply, as upstream's
 *   applyPatcher does with yaml.UnmarshalStrict ("line 9: key \"foo\" already set in map").
 */
import { errors } from '../../../api/status.js';

/** The decoded body's duplicate keys, as yaml.v2 names them; set by the body decoder on apply patches. */
export const DUPLICATE_KEYS = Symbol('duplicate YAML keys');

export function duplicateKeysOf(body: unknown): string[] {
  return (typeof body === 'object' && body !== null ? (body as { [DUPLICATE_KEYS]?: string[] })[DUPLICATE_KEYS] : undefined) ?? [];
}

/** upstream's objectGVKNN: "namespace/name; group/version, Kind=Kind". */
export function gvknn(body: Record<string, unknown>): string {
  const meta = (body.metadata ?? {}) as { namespace?: string; name?: string };
  const apiVersion = typeof body.apiVersion === 'string' ? body.apiVersion : '';
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/', 2) : ['', apiVersion];
  return `${meta.namespace ?? ''}/${meta.name ?? ''}; ${group ? `${group}/` : '/'}${version}, Kind=${typeof body.kind === 'string' ? body.kind : ''}`;
}

/** 400 naming every undeclared field (paths as `.spec.foo`), or nothing when there is none. */
export function checkDeclaredFields(body: Record<string, unknown>, unknown: string[]): void {
  if (unknown.length === 0) return;
  const why = unknown.map((p) => `.${p}: field not declared in schema`).join('\n');
  throw errors.badRequest(`failed to create typed patch object (${gvknn(body)}): ${why}`);
}

/** After the apply: Strict refuses duplicate keys, Warn reports them. */
export function checkDuplicateKeys(body: unknown, validation: string | undefined, warnings: string[]): void {
  const dups = duplicateKeysOf(body);
  if (dups.length === 0 || validation === 'Ignore') return;
  const message = `error converting YAML to JSON: yaml: unmarshal errors:\n  ${dups.join('\n  ')}`;
  if (validation === 'Strict') throw errors.badRequest(`error strict decoding YAML: ${message}`);
  warnings.push(message);
}
