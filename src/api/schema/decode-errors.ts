/**
 * Upstream decodes a built-in kind's body into its Go types before anything else looks at it, so a
 * value of the wrong JSON type fails there (custom resources are not decoded into types: their
 * wrong types are the schema validation's 422). This walk finds what that decoding finds:
 * - Go's encoding/json as sigs.k8s.io/json forks it (internal/golang/encoding/json/decode.go): a
 *   mismatch is an UnmarshalTypeError saved while decoding goes on (the first one is reported),
 *   worded `json: cannot unmarshal <value> into Go struct field <Struct>.<a.b.c> of type <T>`, where
 *   Struct is the innermost struct holding the field and a.b.c the JSON field names from the root
 *   (list indices and map keys are not in it); `byte` fields that are not base64 are saved the same way;
 * - an Unmarshaler's error (intstr.IntOrString, resource.Quantity, metav1.Time) stops decoding at
 *   once and wins over a saved one; IntOrString and Time re-decode into int32 / string, whose type
 *   error gets the field's context; Quantity's parse error (`"abc"`, `""`, an object) is printed as it is.
 * One walk in document order that allocates nothing while all is well (every create and PUT pays it).
 * Named string types (v1.RestartPolicy...) are not recorded in Bosun's schema: they print as `string`;
 * loosely typed subtrees without a Go name print their struct as `struct {}`.
 */
import { Quantity, QuantityError } from '../quantity/quantity.js';
import { base64Error } from './byte-fields.js';
import type { Node, ObjectNode } from './types.js';
import { isPlainObject } from './walk.js';

/** One decoding failure, with what both wordings (the decoder's, the unstructured converter's) need. */
export interface DecodeFailure {
  /** The offending JS value. */
  readonly raw: unknown;
  /** The schema node it was decoded into. */
  readonly node: Node;
  /** Go type the decoder names (`[]v1.Container`, `int32`). */
  readonly goType: string;
  /** An Unmarshaler's error: decoding stops, it wins over an earlier saved one. */
  readonly hard: boolean;
  /** A message printed without context (base64, quantity). */
  readonly plain?: string;
  /** Innermost struct holding the field (`PodSpec`), set on the way back up. */
  struct?: string;
  /** JSON field names from the root, built on the way back up. */
  readonly fields: string[];
}

const QUANTITY_FORMAT = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
/** The quantities almost every body carries (`500m`, `1.5Gi`, `2`): valid without a full parse. */
const PLAIN_QUANTITY = /^[+-]?[0-9]+(?:\.[0-9]+)?(?:[numkMGTPE]|[KMGTPE]i)?$/;
const INT32_MAX = 2147483647;
const INT64_MAX = 9223372036854775807;

/** The first decoding failure of `value` (an object of `root`'s kind), or undefined. apiVersion and kind are checked elsewhere. */
export function firstDecodeFailure(root: ObjectNode<any, any>, value: unknown): DecodeFailure | undefined {
  return walkObject(root, value, true);
}

function walk(node: Node, v: unknown): DecodeFailure | undefined {
  if (v === null || v === undefined) return undefined;
  switch (node.type) {
    case 'string':
      if (typeof v === 'string') return node.format === 'byte' ? base64Failure(node, v) : undefined;
      if (node.format === 'date-time') return fail(node, v, 'string', true); // metav1.Time re-decodes into a string
      if (node.format === 'byte' && Array.isArray(v)) return bytesArray(node, v);
      return fail(node, v, node.format === 'byte' ? '[]uint8' : 'string');
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v) && Math.abs(v) <= (node.format === 'int64' ? INT64_MAX : INT32_MAX)
        ? undefined : fail(node, v, node.format === 'int64' ? 'int64' : 'int32');
    case 'number':
      return typeof v === 'number' ? undefined : fail(node, v, 'float64');
    case 'boolean':
      return typeof v === 'boolean' ? undefined : fail(node, v, 'bool');
    case 'int-or-string':
      // IntOrString.UnmarshalJSON: a string is the string, anything else is decoded into the int32.
      return typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v) && Math.abs(v) <= INT32_MAX) ? undefined : fail(node, v, 'int32', true);
    case 'quantity':
      if (typeof v === 'number') return undefined;
      if (typeof v !== 'string') return quantityFailure(node, v, QUANTITY_FORMAT);
      return PLAIN_QUANTITY.test(v) ? undefined : quantityStringFailure(node, v);
    case 'any':
      return undefined;
    case 'array': {
      if (!Array.isArray(v)) return fail(node, v, goType(node));
      let saved: DecodeFailure | undefined;
      for (const item of v) {
        const f = walk(node.items, item);
        if (f?.hard) return f;
        saved ??= f;
      }
      return saved;
    }
    case 'map': {
      if (!isPlainObject(v)) return fail(node, v, goType(node));
      let saved: DecodeFailure | undefined;
      for (const k in v) {
        const f = walk(node.values, v[k]);
        if (f?.hard) return f;
        saved ??= f;
      }
      return saved;
    }
    case 'object':
      return walkObject(node, v, false);
  }
}

function walkObject(node: ObjectNode<any, any>, v: unknown, root: boolean): DecodeFailure | undefined {
  if (!isPlainObject(v)) return fail(node, v, goType(node));
  const props = node.props as Record<string, Node>;
  let saved: DecodeFailure | undefined;
  for (const k in v) {
    const p = props[k];
    if (!p || (root && (k === 'apiVersion' || k === 'kind'))) continue;
    const f = walk(p, v[k]);
    if (!f) continue;
    // Go's errorContext: every struct field on the way down is in the path; the innermost struct names it.
    if (!f.plain) {
      f.fields.unshift(k);
      f.struct ??= structName(node);
    }
    if (f.hard) return f;
    saved ??= f;
  }
  return saved;
}

function quantityFailure(node: Node, raw: unknown, why: string): DecodeFailure {
  return { raw, node, goType: 'resource.Quantity', hard: true, plain: why, fields: [] };
}

/** Quantity.UnmarshalJSON: ParseQuantity of the trimmed string; its error as it is. */
function quantityStringFailure(node: Node, v: string): DecodeFailure | undefined {
  try {
    Quantity.parse(v.trim());
    return undefined;
  } catch (e) {
    if (!(e instanceof QuantityError)) throw e;
    return quantityFailure(node, v, e.message.slice(`invalid quantity "${e.value}": `.length));
  }
}

function fail(node: Node, raw: unknown, type: string, hard = false): DecodeFailure {
  return { raw, node, goType: type, hard, fields: [] };
}

function base64Failure(node: Node, s: string): DecodeFailure | undefined {
  const e = base64Error(s);
  return e ? { raw: s, node, goType: '[]uint8', hard: false, plain: e, fields: [] } : undefined;
}

/** A list of numbers is a valid []byte for Go's decoder (each a uint8). */
function bytesArray(node: Node, v: unknown[]): DecodeFailure | undefined {
  for (const b of v) if (b !== null && !(typeof b === 'number' && Number.isInteger(b) && b >= 0 && b <= 255)) return fail(node, b, 'uint8');
  return undefined;
}

/** `io.k8s.api.core.v1.Container` -> `Container`; an unnamed (loosely typed) object has no name. */
function structName(node: ObjectNode<any, any>): string {
  return node.name ? node.name.slice(node.name.lastIndexOf('.') + 1) : '';
}

/** The Go type's String(): `v1.Container`, `[]string`, `map[string]string`, `v1.ResourceList`. */
export function goType(node: Node): string {
  switch (node.type) {
    case 'string':
      return node.format === 'byte' ? '[]uint8' : node.format === 'date-time' ? 'v1.Time' : 'string';
    case 'integer':
      return node.format === 'int64' ? 'int64' : 'int32';
    case 'number':
      return 'float64';
    case 'boolean':
      return 'bool';
    case 'int-or-string':
      return 'intstr.IntOrString';
    case 'quantity':
      return 'resource.Quantity';
    case 'any':
      return 'interface {}';
    case 'array':
      return `[]${goType(node.items)}`;
    case 'map':
      // core/v1's ResourceList is the one named map of quantities the built-in kinds use.
      return node.values.type === 'quantity' ? 'v1.ResourceList' : `map[string]${goType(node.values)}`;
    case 'object': {
      if (!node.name) return 'struct {}';
      const parts = node.name.split('.');
      return `${parts[parts.length - 2]}.${parts[parts.length - 1]}`;
    }
  }
}

/** The JSON value's kind as UnmarshalTypeError words it: `string`, `number`, `number 1.5` (into a number type), `bool`, `array`, `object`. */
function jsonValue(f: DecodeFailure): string {
  const v = f.raw;
  if (typeof v === 'number') return f.goType === 'int32' || f.goType === 'int64' || f.goType === 'uint8' ? `number ${String(v)}` : 'number';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'string') return 'string';
  return Array.isArray(v) ? 'array' : 'object';
}

/** The decoder's error text (a create or PUT body, a JSON or merge patch's result). */
export function decoderMessage(f: DecodeFailure): string {
  if (f.plain) return f.plain;
  return `json: cannot unmarshal ${jsonValue(f)} into Go struct field ${f.struct ?? ''}.${f.fields.join('.')} of type ${f.goType}`;
}

/**
 * The unstructured converter's error text (runtime/converter.go fromUnstructured), which decodes a
 * strategic merge patch's result: numbers are int64 or float64 there, lists `slice`, objects `map`.
 */
export function converterMessage(f: DecodeFailure): string {
  const v = f.raw;
  if (f.plain) return f.node.type === 'string' && f.node.format === 'byte' ? `error decoding from json: ${f.plain}` : f.plain;
  if (f.hard) return `json: cannot unmarshal ${jsonValue(f)} into Go value of type ${f.goType}`;
  const kind = typeof v === 'number' ? (Number.isInteger(v) ? 'int64' : 'float64') : typeof v === 'boolean' ? 'bool' : typeof v === 'string' ? 'string' : Array.isArray(v) ? 'slice' : 'map';
  if (f.goType === '[]uint8') return `cannot restore slice from ${kind}`;
  switch (f.node.type) {
    case 'object':
      return `cannot restore struct from: ${kind}`;
    case 'array':
      return `cannot restore slice from ${kind}`;
    case 'map':
      return `cannot restore map from ${kind}`;
    default:
      // Go converts between numbers, and an integer to a string type, but the converter takes only the first.
      if (kind === 'int64' || kind === 'float64') {
        if (f.goType !== 'string' && f.goType !== 'bool') return `cannot convert ${kind} to ${f.goType}`;
        if (f.goType === 'string' && kind === 'int64') return 'cannot convert int64 to string';
      }
      return `unrecognized type: ${f.goType}`;
  }
}
