/**
 * The structural-schema invariants a CRD version's schema must hold, as apiextensions-apiserver 1.32's
 * pkg/apiserver/schema/validation.go (ValidateStructural's validateStructuralInvariants) words and
 * places them: types at every specified node (worded per level: root, array items, object fields),
 * x-kubernetes-embedded-resource objects, x-kubernetes-int-or-string exclusions, the root metadata
 * restriction to name and generateName, and what a value validation (allOf, anyOf, oneOf, not) may not
 * carry. The result is sorted by error string, as ValidateStructuralWithOptions sorts it.
 * validateStructuralCompleteness (fields under value validations also specified outside) is not checked.
 */
import { fe } from '../schema/errors.js';
import type { FieldError } from '../status.js';
import { goRegExp } from './go-regexp.js';
import type { JSONSchemaProps } from './structural.js';

type Level = 'root' | 'item' | 'field';

const EMPTY_TYPE: Record<Level, string> = {
  root: 'must not be empty at the root',
  item: 'must not be empty for specified array items',
  field: 'must not be empty for specified object fields',
};

const text = (e: FieldError): string => `${e.field}: ${e.detail}`;

/** ValidateStructural: the invariants of `s` at `path` (the openAPIV3Schema), sorted as upstream. */
export function validateStructural(s: JSONSchemaProps, path: string): FieldError[] {
  return invariants(s, 'root', path).sort((a, b) => (text(a) < text(b) ? -1 : text(a) > text(b) ? 1 : 0));
}

function invariants(s: JSONSchemaProps | undefined, lvl: Level, path: string): FieldError[] {
  if (!s || typeof s !== 'object') return [];
  const errs: FieldError[] = [];
  if (s.type === 'array' && !s.items) errs.push(fe.required(`${path}.items`, 'must be specified'));
  errs.push(...invariants(s.items, 'item', `${path}.items`));
  for (const [k, p] of Object.entries(s.properties ?? {})) errs.push(...invariants(p, 'field', `${path}.properties[${k}]`));
  if (s.additionalProperties !== undefined) {
    if (lvl === 'root') errs.push(fe.forbidden(`${path}.additionalProperties`, 'must not be used at the root'));
    if (typeof s.additionalProperties === 'object') errs.push(...invariants(s.additionalProperties, 'field', `${path}.additionalProperties`));
  }
  const intOrString = !!s['x-kubernetes-int-or-string'];
  const embedded = !!s['x-kubernetes-embedded-resource'];
  const preserve = !!s['x-kubernetes-preserve-unknown-fields'];
  if (intOrString && preserve) errs.push(fe.invalid(`${path}.x-kubernetes-preserve-unknown-fields`, true, 'must be false if x-kubernetes-int-or-string is true'));
  if (intOrString && embedded) errs.push(fe.invalid(`${path}.x-kubernetes-embedded-resource`, true, 'must be false if x-kubernetes-int-or-string is true'));
  errs.push(...valueValidation(s, isIntOrStringAnyOf(s.anyOf), isIntOrStringAnyOf(s.allOf?.[0]?.anyOf), lvl, path));
  const checkMetadata = lvl === 'root' || embedded;
  if (embedded && s.type !== 'object') {
    if (!s.type) errs.push(fe.required(`${path}.type`, 'must be object if x-kubernetes-embedded-resource is true'));
    else errs.push(fe.invalid(`${path}.type`, s.type, 'must be object if x-kubernetes-embedded-resource is true'));
  } else if (!s.type && !intOrString && !preserve) {
    errs.push(fe.required(`${path}.type`, EMPTY_TYPE[lvl]));
  }
  if (embedded && s.additionalProperties !== undefined) errs.push(fe.forbidden(`${path}.additionalProperties`, 'must not be used if x-kubernetes-embedded-resource is set'));
  if (lvl === 'root' && s.type && s.type !== 'object') errs.push(fe.invalid(`${path}.type`, s.type, 'must be object at the root'));
  for (const k of ['kind', 'apiVersion']) {
    const p = s.properties?.[k];
    if (p && checkMetadata && p.type !== 'string') errs.push(fe.invalid(`${path}.properties[${k}].type`, p.type ?? '', 'must be string'));
  }
  const metadata = s.properties?.metadata;
  if (metadata) errs.push(...metadataInvariants(metadata, checkMetadata, lvl, `${path}.properties[metadata]`));
  if (embedded && !preserve && Object.keys(s.properties ?? {}).length === 0) {
    errs.push(fe.required(`${path}.properties`, 'must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields'));
  }
  return errs;
}

/** validateStructuralMetadataInvariants: at the root, metadata may only restrict name and generateName (and say it is an object). */
function metadataInvariants(s: JSONSchemaProps, checkMetadata: boolean, lvl: Level, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (checkMetadata && s.type !== 'object') errs.push(fe.invalid(`${path}.type`, s.type ?? '', 'must be object'));
  if (lvl !== 'root') return errs;
  const props = Object.keys(s.properties ?? {});
  const onlyNames = props.length > 0 && props.length <= 2 && props.every((p) => p === 'name' || p === 'generateName');
  // what remains once type, default and the name/generateName properties are set aside must be nothing
  const rest = Object.entries(s).filter(([k, v]) => isSet(v) && k !== 'type' && k !== 'default' && !(k === 'properties' && (onlyNames || props.length === 0)));
  if (rest.length > 0) errs.push(fe.forbidden(path, 'must not specify anything other than name and generateName, but metadata is implicitly specified'));
  return errs;
}

/** Whether a schema keyword holds more than Go's zero value (false, "", an empty list are unset there). */
function isSet(x: unknown): boolean {
  if (Array.isArray(x)) return x.length > 0;
  return x !== undefined && x !== null && x !== false && x !== '';
}

/** The int-or-string pattern upstream lets a value validation carry: anyOf [{type: integer}, {type: string}]. */
function isIntOrStringAnyOf(anyOf: JSONSchemaProps[] | undefined): boolean {
  return !!anyOf && anyOf.length === 2 && JSON.stringify(anyOf[0]) === '{"type":"integer"}' && JSON.stringify(anyOf[1]) === '{"type":"string"}';
}

/** validateValueValidation: the junctors under a node, and its pattern. */
function valueValidation(v: JSONSchemaProps, skipAnyOf: boolean, skipFirstAllOfAnyOf: boolean, lvl: Level, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!skipAnyOf) v.anyOf?.forEach((n, i) => errs.push(...nested(n, false, lvl, `${path}.anyOf[${i}]`)));
  v.allOf?.forEach((n, i) => errs.push(...nested(n, skipFirstAllOfAnyOf && i === 0, lvl, `${path}.allOf[${i}]`)));
  v.oneOf?.forEach((n, i) => errs.push(...nested(n, false, lvl, `${path}.oneOf[${i}]`)));
  if (v.not) errs.push(...nested(v.not, false, lvl, `${path}.not`));
  if (v.pattern !== undefined) {
    try {
      goRegExp(v.pattern);
    } catch (err) {
      // upstream appends Go's regexp error here; ours is the translation's or the JavaScript engine's
      errs.push(fe.invalid(`${path}.pattern`, v.pattern, `must be a valid regular expression, but isn't: ${(err as Error).message}`));
    }
  }
  return errs;
}

/** What a value validation may not specify (ForbiddenGenerics, ForbiddenExtensions, nested x-kubernetes-validations, metadata). */
const FORBIDDEN: [keyof JSONSchemaProps | 'title' | 'externalDocs', string][] = [
  ['default', 'must be undefined to be structural'],
  ['title', 'must be empty to be structural'],
  ['description', 'must be empty to be structural'],
  ['nullable', 'must be false to be structural'],
  ['externalDocs', 'must be undefined to be structural'],
  ['x-kubernetes-preserve-unknown-fields', 'must be false to be structural'],
  ['x-kubernetes-embedded-resource', 'must be false to be structural'],
  ['x-kubernetes-int-or-string', 'must be false to be structural'],
  ['x-kubernetes-list-map-keys', 'must be empty to be structural'],
  ['x-kubernetes-list-type', 'must be undefined to be structural'],
  ['x-kubernetes-map-type', 'must be undefined to be structural'],
  ['x-kubernetes-validations', 'must be empty to be structural'],
];

function nested(v: JSONSchemaProps | undefined, skipAnyOf: boolean, lvl: Level, path: string): FieldError[] {
  if (!v || typeof v !== 'object') return [];
  const errs = valueValidation(v, skipAnyOf, false, lvl, path);
  if (v.items) errs.push(...nested(v.items, false, lvl, `${path}.items`));
  for (const [k, p] of Object.entries(v.properties ?? {})) errs.push(...nested(p, false, 'field', `${path}.properties[${k}]`));
  if (v.type) errs.push(fe.forbidden(`${path}.type`, 'must be empty to be structural'));
  if (v.additionalProperties !== undefined) errs.push(fe.forbidden(`${path}.additionalProperties`, 'must be undefined to be structural'));
  const raw = v as Record<string, unknown>;
  for (const [k, msg] of FORBIDDEN) {
    if (isSet(raw[k])) errs.push(fe.forbidden(`${path}.${k}`, msg));
  }
  if (v.properties?.metadata) errs.push(fe.forbidden(`${path}.properties[metadata]`, 'must not be specified in a nested context'));
  return errs;
}
