/**
 * Field errors worded as apimachinery's field.Error.ErrorBody() words them, so that messages read
 * exactly like kube-apiserver's (`Invalid value: "Foo": ...`, `Unsupported value: ...`).
 */
import type { FieldError } from '../status.js';

/** Go's rendering of a bad value: strings quoted (%q), numbers and booleans bare, null as null. */
export function goValue(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

function withDetail(head: string, detail?: string): string {
  return detail ? `${head}: ${detail}` : head;
}

export const fe = {
  required: (field: string, detail?: string): FieldError => ({ type: 'FieldValueRequired', field, detail: withDetail('Required value', detail) }),
  invalid: (field: string, value: unknown, detail?: string): FieldError => ({
    type: 'FieldValueInvalid', field, detail: withDetail(`Invalid value: ${goValue(value)}`, detail),
  }),
  typeInvalid: (field: string, value: unknown, detail: string): FieldError => ({
    type: 'FieldValueTypeInvalid', field, detail: withDetail(`Invalid value: ${goValue(value)}`, detail),
  }),
  notSupported: (field: string, value: unknown, supported: readonly string[]): FieldError => ({
    type: 'FieldValueNotSupported', field,
    detail: withDetail(`Unsupported value: ${goValue(value)}`, supported.length ? `supported values: ${supported.map((x) => JSON.stringify(x)).join(', ')}` : undefined),
  }),
  duplicate: (field: string, value: unknown): FieldError => ({ type: 'FieldValueDuplicate', field, detail: `Duplicate value: ${goValue(value)}` }),
  forbidden: (field: string, detail: string): FieldError => ({ type: 'FieldValueForbidden', field, detail: withDetail('Forbidden', detail) }),
  tooLong: (field: string, max: number): FieldError => ({ type: 'FieldValueTooLong', field, detail: `Too long: may not be more than ${max} bytes` }),
  tooMany: (field: string, actual: number, max: number): FieldError => ({
    type: 'FieldValueTooMany', field, detail: `Too many: ${actual}: must have at most ${max} items`,
  }),
};

/** Joins a child onto a Kubernetes field path: `spec` + `containers` → `spec.containers`. */
export function child(path: string, name: string): string {
  return path ? `${path}.${name}` : name;
}

/** `spec.containers` + 0 → `spec.containers[0]`; map keys the same way (`metadata.labels[app]`). */
export function index(path: string, i: number | string): string {
  return `${path}[${i}]`;
}

/** Go's %#v of a map[string]string, as upstream prints label maps in messages. */
export function goStringMap(m: Record<string, string> | undefined): string {
  if (!m) return 'map[string]string(nil)';
  const body = Object.keys(m).sort().map((k) => `${JSON.stringify(k)}:${JSON.stringify(m[k])}`).join(', ');
  return `map[string]string{${body}}`;
}

/** An Invalid error whose bad value is already rendered (Go structs and maps print unquoted). */
export function invalidRendered(field: string, rendered: string, detail: string): import('../status.js').FieldError {
  return { type: 'FieldValueInvalid', field, detail: `Invalid value: ${rendered}: ${detail}` };
}
