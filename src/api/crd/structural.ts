/**
 * A CustomResourceDefinition version's structural schema (apiextensions JSONSchemaProps) applied to
 * custom objects as kube-apiserver does: validation worded as kube-openapi's validator and apiextensions'
 * ValidateCustomResource (`spec.replicas: Invalid value: "string": spec.replicas in body must be of type
 * integer: "string"`), and the structural check a CRD's schema must pass (apiextensions/validation).
 * Pruning and defaulting live in prune-default.ts, CEL rules in cel-rules.ts.
 */
import { child, fe, goValue, index } from '../schema/errors.js';
import type { FieldError } from '../status.js';
import { failsFormat } from './formats.js';
import { goRegExp } from './go-regexp.js';
import { listTypeDuplicates } from './list-type.js';
import { validateStructural } from './structural-invariants.js';

export interface ValidationRule {
  rule: string;
  message?: string;
  messageExpression?: string;
  reason?: 'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired' | 'FieldValueDuplicate';
  fieldPath?: string;
  optionalOldSelf?: boolean;
}

export interface JSONSchemaProps {
  type?: string;
  format?: string;
  description?: string;
  properties?: Record<string, JSONSchemaProps>;
  additionalProperties?: JSONSchemaProps | boolean;
  items?: JSONSchemaProps;
  required?: string[];
  enum?: unknown[];
  default?: unknown;
  nullable?: boolean;
  maximum?: number;
  minimum?: number;
  exclusiveMaximum?: boolean;
  exclusiveMinimum?: boolean;
  maxLength?: number;
  minLength?: number;
  maxItems?: number;
  minItems?: number;
  maxProperties?: number;
  minProperties?: number;
  multipleOf?: number;
  pattern?: string;
  allOf?: JSONSchemaProps[];
  anyOf?: JSONSchemaProps[];
  oneOf?: JSONSchemaProps[];
  not?: JSONSchemaProps;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
  'x-kubernetes-validations'?: ValidationRule[];
}

/** The schema of a map's values (additionalProperties as a schema), if the node is a map. */
export function mapValues(s: JSONSchemaProps): JSONSchemaProps | undefined {
  return typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The JSON type name of a value as kube-openapi reports it. */
function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typeOk(s: JSONSchemaProps, v: unknown): boolean {
  if (v === null) return !!s.nullable;
  if (s['x-kubernetes-int-or-string']) return typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v));
  switch (s.type) {
    case 'object': return isObject(v);
    case 'array': return Array.isArray(v);
    case 'string': return typeof v === 'string';
    case 'integer': return typeof v === 'number' && Number.isInteger(v);
    case 'number': return typeof v === 'number';
    case 'boolean': return typeof v === 'boolean';
    default: return true;
  }
}

/** kube-openapi's validation of `value` against `s`, errors pushed with upstream's wording. */
export function validateValue(s: JSONSchemaProps, v: unknown, path: string, errs: FieldError[]): void {
  const at = path || '<root>';
  if (!typeOk(s, v)) {
    if (v === null) return; // a null where no value is allowed is dropped by pruning upstream; nothing to check
    const want = s['x-kubernetes-int-or-string'] ? 'integer,string' : s.type!;
    const actual = typeName(v);
    errs.push({ type: 'FieldValueTypeInvalid', field: path, detail: `Invalid value: ${JSON.stringify(actual)}: ${at} in body must be of type ${want}: ${JSON.stringify(actual)}` });
    // kube-openapi's common validator (enum) applies whatever the value's type, so a wrong-typed value is also not supported
    checkEnum(s, v, path, errs);
    return;
  }
  if (v === null) return;
  checkEnum(s, v, path, errs);
  if (typeof v === 'number') checkNumber(s, v, path, at, errs);
  if (typeof v === 'string') checkString(s, v, path, at, errs);
  if (Array.isArray(v)) {
    if (s.maxItems !== undefined && v.length > s.maxItems) errs.push(fe.tooMany(path, v.length, s.maxItems));
    if (s.minItems !== undefined && v.length < s.minItems) errs.push(fe.invalid(path, v.length, `${at} in body should have at least ${s.minItems} items`));
    if (s.items) v.forEach((item, i) => validateValue(s.items!, item, index(path, i), errs));
    errs.push(...listTypeDuplicates(s, v, path));
  }
  if (isObject(v)) {
    const n = Object.keys(v).length;
    if (s.maxProperties !== undefined && n > s.maxProperties) errs.push(fe.tooMany(path, n, s.maxProperties));
    if (s.minProperties !== undefined && n < s.minProperties) errs.push(fe.invalid(path, n, `${at} in body should have at least ${s.minProperties} properties`));
    for (const r of s.required ?? []) if (v[r] === undefined) errs.push(fe.required(child(path, r), ''));
    if (s['x-kubernetes-embedded-resource']) errs.push(...embeddedResourceErrors(v, path));
    const values = mapValues(s);
    for (const k of Object.keys(v)) {
      const p = s.properties?.[k];
      if (p) validateValue(p, v[k], child(path, k), errs);
      else if (values) validateValue(values, v[k], index(path, k), errs);
    }
  }
  for (const sub of s.allOf ?? []) validateValue({ ...sub, type: sub.type ?? s.type }, v, path, errs);
  if (s.anyOf && !s.anyOf.some((sub) => collect(sub, v, path).length === 0)) {
    errs.push(fe.invalid(path, v, `${at} in body must be of type ${s.anyOf.map((x) => x.type ?? 'any').join(',')}`));
  }
  if (s.oneOf && s.oneOf.filter((sub) => collect(sub, v, path).length === 0).length !== 1) errs.push(fe.invalid(path, v, `${at} in body must validate one and only one schema (oneOf)`));
  if (s.not && collect(s.not, v, path).length === 0) errs.push(fe.invalid(path, v, `${at} in body should not validate the schema`));
}

/** objectmeta's validateEmbeddedResource: an embedded object names its apiVersion and kind. */
function embeddedResourceErrors(v: Record<string, unknown>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const k of ['apiVersion', 'kind']) {
    const x = v[k];
    if (x === undefined) errs.push(fe.required(child(path, k), 'must not be empty'));
    else if (typeof x !== 'string') errs.push(fe.invalid(child(path, k), x, 'must be a string'));
    else if (x === '') errs.push(fe.invalid(child(path, k), x, 'must not be empty'));
  }
  return errs;
}

function checkEnum(s: JSONSchemaProps, v: unknown, path: string, errs: FieldError[]): void {
  if (s.enum && !s.enum.some((e) => JSON.stringify(e) === JSON.stringify(v))) {
    errs.push(fe.notSupported(path, v, s.enum.map((e) => (typeof e === 'string' ? e : JSON.stringify(e)))));
  }
}

function collect(s: JSONSchemaProps, v: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  validateValue(s, v, path, errs);
  return errs;
}

function checkNumber(s: JSONSchemaProps, v: number, path: string, at: string, errs: FieldError[]): void {
  if (s.maximum !== undefined && (s.exclusiveMaximum ? v >= s.maximum : v > s.maximum)) {
    errs.push(fe.invalid(path, v, `${at} in body should be less than ${s.exclusiveMaximum ? '' : 'or equal to '}${s.maximum}`));
  }
  if (s.minimum !== undefined && (s.exclusiveMinimum ? v <= s.minimum : v < s.minimum)) {
    errs.push(fe.invalid(path, v, `${at} in body should be greater than ${s.exclusiveMinimum ? '' : 'or equal to '}${s.minimum}`));
  }
  if (s.multipleOf !== undefined && s.multipleOf > 0 && !Number.isInteger(v / s.multipleOf)) errs.push(fe.invalid(path, v, `${at} in body should be a multiple of ${s.multipleOf}`));
}

function checkString(s: JSONSchemaProps, v: string, path: string, at: string, errs: FieldError[]): void {
  const len = [...v].length;
  if (s.maxLength !== undefined && len > s.maxLength) errs.push(fe.tooLong(path, s.maxLength));
  if (s.minLength !== undefined && len < s.minLength) errs.push(fe.invalid(path, v, `${at} in body should be at least ${s.minLength} chars long`));
  if (s.pattern !== undefined && !goRegExp(s.pattern).test(v)) errs.push(fe.invalid(path, v, `${at} in body should match '${s.pattern}'`));
  if (s.format !== undefined && failsFormat(s.format, v)) errs.push(fe.typeInvalid(path, v, `${at} in body must be of type ${s.format}: ${goValue(v)}`));
}

/**
 * A CRD version's schema checks (apiextensions validation.go): the structural invariants
 * (structural-invariants.ts, sorted), then the OpenAPI schema rules of
 * validateCustomResourceDefinitionOpenAPISchema.
 */
export function checkStructural(s: JSONSchemaProps, path: string): FieldError[] {
  if (typeof s !== 'object' || s === null || Array.isArray(s)) return [fe.invalid(path, s, 'must be an object')];
  return [...validateStructural(s, path), ...schemaErrors(s, path)];
}

/**
 * validateCustomResourceDefinitionOpenAPISchema's rules on every node: uniqueItems, properties beside
 * additionalProperties, x-kubernetes-preserve-unknown-fields false, and the list and map types.
 */
const TYPES = ['array', 'boolean', 'integer', 'number', 'object', 'string'];

export function schemaErrors(s: JSONSchemaProps, path: string): FieldError[] {
  if (typeof s !== 'object' || s === null) return [];
  const errs: FieldError[] = [];
  if (s.type && !TYPES.includes(s.type)) errs.push(fe.notSupported(`${path}.type`, s.type, TYPES));
  if ((s as { uniqueItems?: boolean }).uniqueItems) errs.push(fe.forbidden(`${path}.uniqueItems`, 'uniqueItems cannot be set to true since the runtime complexity becomes quadratic'));
  if (s.additionalProperties !== undefined && Object.keys(s.properties ?? {}).length > 0 && s.additionalProperties !== true) {
    errs.push(fe.forbidden(`${path}.additionalProperties`, 'additionalProperties and properties are mutual exclusive'));
  }
  const values = mapValues(s);
  if (values) errs.push(...schemaErrors(values, `${path}.additionalProperties`));
  for (const [k, p] of Object.entries(s.properties ?? {})) errs.push(...schemaErrors(p, `${path}.properties[${k}]`));
  if (s.not) errs.push(...schemaErrors(s.not, `${path}.not`));
  for (const junctor of ['allOf', 'oneOf', 'anyOf'] as const) s[junctor]?.forEach((n, i) => errs.push(...schemaErrors(n, `${path}.${junctor}[${i}]`)));
  if (s.items) errs.push(...schemaErrors(s.items, `${path}.items`));
  if (s['x-kubernetes-preserve-unknown-fields'] === false) errs.push(fe.invalid(`${path}.x-kubernetes-preserve-unknown-fields`, false, 'must be true or undefined'));
  errs.push(...listTypeErrors(s, path), ...mapTypeErrors(s, path));
  const keys = s['x-kubernetes-list-map-keys'] ?? [];
  if (keys.length > 0 && s['x-kubernetes-list-type'] === undefined) errs.push(fe.required(`${path}.x-kubernetes-list-type`, 'must be map if x-kubernetes-list-map-keys is non-empty'));
  else if (keys.length > 0 && s['x-kubernetes-list-type'] !== 'map') errs.push(fe.invalid(`${path}.x-kubernetes-list-type`, s['x-kubernetes-list-type'], 'must be map if x-kubernetes-list-map-keys is non-empty'));
  return errs;
}

function mapTypeErrors(s: JSONSchemaProps, path: string): FieldError[] {
  const t = s['x-kubernetes-map-type'];
  if (t === undefined) return [];
  const errs: FieldError[] = [];
  if (s.type !== 'object') {
    errs.push(s.type ? fe.invalid(`${path}.type`, s.type, 'must be object if x-kubernetes-map-type is specified') : fe.required(`${path}.type`, 'must be object if x-kubernetes-map-type is specified'));
  }
  if (t !== 'atomic' && t !== 'granular') errs.push(fe.notSupported(`${path}.x-kubernetes-map-type`, t, ['atomic', 'granular']));
  return errs;
}

/** xlisttypenotnil and validateXListTypeMap (requireAtomicSetType holds for every CRD written now). */
function listTypeErrors(s: JSONSchemaProps, path: string): FieldError[] {
  const t = s['x-kubernetes-list-type'];
  if (t === undefined) return [];
  const errs: FieldError[] = [];
  if (s.type !== 'array') {
    errs.push(s.type ? fe.invalid(`${path}.type`, s.type, 'must be array if x-kubernetes-list-type is specified') : fe.required(`${path}.type`, 'must be array if x-kubernetes-list-type is specified'));
  }
  const items = s.items;
  if (s.type === 'array' && t === 'set' && items) {
    if (items.type === 'array' && items['x-kubernetes-list-type'] !== undefined && items['x-kubernetes-list-type'] !== 'atomic') {
      errs.push(fe.invalid(`${path}.items.x-kubernetes-list-type`, items['x-kubernetes-list-type'], 'must be atomic as item of a list with x-kubernetes-list-type=set'));
    }
    if (items.type === 'object' && items['x-kubernetes-map-type'] !== 'atomic') {
      // upstream reports the items' list type (nil here) as the bad value
      errs.push(fe.invalid(`${path}.items.x-kubernetes-map-type`, items['x-kubernetes-list-type'] ?? null, 'must be atomic as item of a list with x-kubernetes-list-type=set'));
    }
  }
  if (t !== 'atomic' && t !== 'set' && t !== 'map') errs.push(fe.notSupported(`${path}.x-kubernetes-list-type`, t, ['atomic', 'set', 'map']));
  if (t !== 'map') return errs;
  const keys = s['x-kubernetes-list-map-keys'] ?? [];
  if (keys.length === 0) errs.push(fe.required(`${path}.x-kubernetes-list-map-keys`, 'must not be empty if x-kubernetes-list-type is map'));
  if (!items) {
    errs.push(fe.required(`${path}.items`, 'must have a schema if x-kubernetes-list-type is map'));
    return errs;
  }
  if (items.type !== 'object') {
    errs.push(fe.invalid(`${path}.items.type`, items.type ?? '', "must be object if parent array's x-kubernetes-list-type is map"));
    return errs;
  }
  const seen = new Set<string>();
  for (const k of keys) {
    const p = items.properties?.[k];
    if (!p) errs.push(fe.invalid(`${path}.x-kubernetes-list-map-keys`, keys, 'entries must all be names of item properties'));
    // upstream reports the items' type (object) as the bad value
    else if (p.type === 'array' || p.type === 'object') errs.push(fe.invalid(`${path}.items.properties[${k}].type`, items.type, "must be a scalar type if parent array's x-kubernetes-list-type is map"));
    if (seen.has(k)) errs.push(fe.invalid(`${path}.x-kubernetes-list-map-keys`, keys, 'must not contain duplicate entries'));
    seen.add(k);
  }
  return errs;
}
