/**
 * A CRD schema node as the CEL type its rules see, with the bounds the cost estimator uses, as
 * k8s.io/apiserver/pkg/cel/common/schemas.go's SchemaDeclType builds it: lists and maps bounded by
 * maxItems / maxProperties, else by how many of their smallest elements fit in a 3 MiB request
 * (estimateMaxArrayItemsFromMinSize, estimateMaxAdditionalPropertiesFromMinSize); strings by
 * maxLength × 4 (bytes per rune), else the longest enum value, else the request size; formats
 * date/date-time/duration by their JSON length. `minSize` is the smallest JSON a value can have.
 * Also apiextensions' cardinality rules: how often a rule can run per object (extractMaxElements,
 * maxCardinality).
 */
import { simple, type DeclType } from '../cel/estimate-types.js';
import { mapValues, type JSONSchemaProps } from './structural.js';

/** celconfig.MaxRequestSizeBytes (apiserver/pkg/cel/limits.go). */
export const MAX_REQUEST_SIZE_BYTES = 3 * 1024 * 1024;
const MAX_DURATION_JSON = 32;
const MAX_DATETIME_JSON = 32;
const MIN_DURATION_JSON = 3;
const JSON_DATE = 12;
const MIN_DATETIME_JSON = 21;
const MIN_STRING = 2;
const MIN_BOOL = 4;
const MIN_NUMBER = 1;

const zeroIfNegative = (n: number): number => Math.max(0, n);

function maxStringLength(s: JSONSchemaProps): number {
  if (s['x-kubernetes-int-or-string']) return MAX_REQUEST_SIZE_BYTES - 2;
  switch (s.format) {
    case 'duration': return MAX_DURATION_JSON;
    case 'date': return JSON_DATE;
    case 'date-time': return MAX_DATETIME_JSON;
    default: return MAX_REQUEST_SIZE_BYTES - 2;
  }
}

const sized = (t: DeclType, maxElements: number): DeclType => ({ ...t, maxElements });

function stringType(s: JSONSchemaProps): DeclType {
  switch (s.format) {
    case 'byte': return sized(simple('bytes', MIN_STRING), s.maxLength !== undefined ? zeroIfNegative(s.maxLength) : maxStringLength(s));
    case 'duration': return sized(simple('duration', MIN_DURATION_JSON), maxStringLength(s));
    case 'date': return sized(simple('timestamp', JSON_DATE), maxStringLength(s));
    case 'date-time': return sized(simple('timestamp', MIN_DATETIME_JSON), maxStringLength(s));
  }
  let max = maxStringLength(s);
  if (s.maxLength !== undefined) max = zeroIfNegative(s.maxLength) * 4;
  else if (s.enum && s.enum.length > 0) max = Math.max(0, ...s.enum.map((v) => (typeof v === 'string' ? v.length : 0)));
  return sized(simple('string', MIN_STRING), max);
}

/** CEL's reserved words: a property of that name is `__name__` in a rule (apiserver/pkg/cel/escaping.go). */
const RESERVED = new Set(['true', 'false', 'null', 'in', 'as', 'break', 'const', 'continue', 'else', 'for', 'function', 'if',
  'import', 'let', 'loop', 'package', 'namespace', 'return', 'var', 'void', 'while']);
const ESCAPES: Record<string, string> = { __: '__underscores__', '.': '__dot__', '-': '__dash__', '/': '__slash__' };

/** Escape: a property name as a CEL field name, or undefined where it cannot be one. */
export function escapeName(name: string): string | undefined {
  if (name === '' || /^[0-9]/.test(name)) return undefined;
  if (RESERVED.has(name)) return `__${name}__`;
  let ok = true;
  const out = name.replace(/__|[-./]|[^a-zA-Z0-9\-./_]/g, (m) => ESCAPES[m] ?? ((ok = false), ''));
  return ok ? out : undefined;
}

/** WithTypeAndObjectMeta: kind, apiVersion and metadata.name/generateName are always there at a resource's root. */
function withTypeAndObjectMeta(s: JSONSchemaProps): JSONSchemaProps {
  const str: JSONSchemaProps = { type: 'string' };
  const p = s.properties;
  if (p?.kind?.type === 'string' && p.apiVersion?.type === 'string' && p.metadata?.type === 'object'
    && p.metadata.properties?.name?.type === 'string' && p.metadata.properties.generateName?.type === 'string') return s;
  return { ...s, properties: { ...p, kind: str, apiVersion: str, metadata: { type: 'object', properties: { name: str, generateName: str } } } };
}

/** SchemaDeclType: undefined where the schema is not exposed to CEL. */
export function schemaDeclType(s: JSONSchemaProps | undefined, resourceRoot: boolean): DeclType | undefined {
  if (!s || typeof s !== 'object') return undefined;
  if (s['x-kubernetes-int-or-string']) {
    return sized(simple('dyn', 1), s.maxLength !== undefined ? zeroIfNegative(s.maxLength) * 4 : maxStringLength(s));
  }
  if (resourceRoot) s = withTypeAndObjectMeta(s);
  switch (s.type) {
    case 'array': {
      const items = schemaDeclType(s.items, s.items?.['x-kubernetes-embedded-resource'] === true);
      if (!items) return undefined;
      const max = s.maxItems !== undefined ? zeroIfNegative(s.maxItems) : Math.floor((MAX_REQUEST_SIZE_BYTES - 2) / (items.minSize + 1));
      return { kind: 'list', elem: items, maxElements: max, minSize: 2 };
    }
    case 'object': {
      const mv = mapValues(s);
      if (mv) {
        const values = schemaDeclType(mv, mv['x-kubernetes-embedded-resource'] === true);
        if (!values) return undefined;
        const max = s.maxProperties !== undefined ? zeroIfNegative(s.maxProperties) : Math.floor((MAX_REQUEST_SIZE_BYTES - 2) / (values.minSize + 6));
        return { kind: 'map', key: simple('string', MIN_STRING), elem: values, maxElements: max, minSize: 2 };
      }
      const fields = new Map<string, DeclType>();
      const required = new Set(s.required ?? []);
      let minSize = 2;
      for (const [name, prop] of Object.entries(s.properties ?? {})) {
        const t = schemaDeclType(prop, prop['x-kubernetes-embedded-resource'] === true);
        if (!t) continue;
        const field = escapeName(name);
        if (field !== undefined) fields.set(field, t);
        if (required.has(name) && prop.default === undefined) minSize += name.length + t.minSize + 4;
      }
      return { kind: 'object', fields, maxElements: 0, minSize };
    }
    case 'string': return stringType(s);
    case 'boolean': return simple('bool', MIN_BOOL);
    case 'number': return simple('double', MIN_NUMBER);
    case 'integer': return simple('int', MIN_NUMBER);
    default: return undefined;
  }
}

/**
 * The estimator's size lookup from `root` (sizeEstimator.EstimateSize): the path's first element is
 * the variable (`self`/`oldSelf`), then fields, `@items`, `@values` and `@keys`; [0, MaxElements].
 */
export function pathSizer(root: DeclType): (path: readonly string[]) => { min: number; max: number } | undefined {
  return (path) => {
    let t: DeclType | undefined = root;
    for (const name of path.slice(1)) {
      if (name === '@items' || name === '@values') t = t.elem;
      else if (name === '@keys') t = t.key;
      else t = t.fields?.get(name);
      if (!t) return undefined;
    }
    return { min: 0, max: t.maxElements };
  };
}

/** maxCardinality: how many values of `minSize` bytes fit in one request (rules under unbounded lists and maps). */
export const maxCardinality = (minSize: number): number => Math.floor(MAX_REQUEST_SIZE_BYTES / (minSize + 1));

/** extractMaxElements: the factor by which a node multiplies its children's count; undefined if unbounded. */
export function extractMaxElements(s: JSONSchemaProps): number | undefined {
  if (s.type === 'object') return s.additionalProperties !== undefined && s.additionalProperties !== false ? (s.maxProperties !== undefined ? zeroIfNegative(s.maxProperties) : undefined) : 1;
  if (s.type === 'array') return s.maxItems !== undefined ? zeroIfNegative(s.maxItems) : undefined;
  return 1;
}
