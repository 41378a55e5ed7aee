/**
 * x-kubernetes-list-type set and map uniqueness of custom objects, as apiextensions' schema/listtype
 * (ValidateListSetsAndMaps): items (sets) or their key fields (maps) compared as Go compares them
 * (objects by their JSON with sorted keys, so key order does not matter), each repeated value reported
 * once, at its first repeat, as `Duplicate value: ...` with the value printed as Go's %#v prints the
 * unstructured value (a map key set is `map[string]interface {}{"port":1, "proto":"TCP"}`).
 */
import { index } from '../schema/errors.js';
import type { FieldError } from '../status.js';
import type { JSONSchemaProps } from './structural.js';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Go's json.Marshal of an unstructured value: map keys sorted. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isObject(v)) return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}

/** Go's %#v of an unstructured value inside a map or slice (and of a map or slice itself). */
export function goSharpV(v: unknown): string {
  if (v === null || v === undefined) return 'interface {}(nil)';
  if (Array.isArray(v)) return `[]interface {}{${v.map(goSharpV).join(', ')}}`;
  if (isObject(v)) return `map[string]interface {}{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${goSharpV(v[k])}`).join(', ')}}`;
  return JSON.stringify(v);
}

/** field.Duplicate's body: scalars as ErrorBody prints them (strings quoted), compounds as %#v. */
function duplicate(field: string, v: unknown): FieldError {
  const shown = typeof v === 'string' ? JSON.stringify(v) : v === null ? '"null"' : goSharpV(v);
  return { type: 'FieldValueDuplicate', field, detail: `Duplicate value: ${shown}` };
}

/** The Duplicate errors of list `v` under `s` (nothing unless its list type is set or map). */
export function listTypeDuplicates(s: JSONSchemaProps, v: unknown[], path: string): FieldError[] {
  const t = s['x-kubernetes-list-type'];
  if ((t !== 'set' && t !== 'map') || v.length <= 1) return [];
  const keys = s['x-kubernetes-list-map-keys'] ?? [];
  if (t === 'map' && (keys.length === 0 || v.some((x) => x !== null && !isObject(x)))) return [];
  // a map list's identity: its key fields that are present (one key: the bare value)
  const identity = (item: unknown): unknown => {
    if (t === 'set') return item;
    const o = isObject(item) ? item : {};
    if (keys.length === 1) return keys[0]! in o ? { [keys[0]!]: o[keys[0]!] } : {};
    return Object.fromEntries(keys.filter((k) => k in o).map((k) => [k, o[k]]));
  };
  const times = new Map<string, number>();
  const errs: FieldError[] = [];
  v.forEach((item, i) => {
    const id = identity(item);
    const key = canonical(id);
    const n = times.get(key) ?? 0;
    if (n === 1) errs.push(duplicate(index(path, i), id));
    times.set(key, n + 1);
  });
  return errs;
}
