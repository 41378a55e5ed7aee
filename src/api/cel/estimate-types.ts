/**
 * The arithmetic and types of cel-go's static cost estimator (checker/cost.go): size and cost ranges
 * in uint64 that saturate instead of overflowing, and the declared types the estimator looks sizes
 * up in (k8s.io/apiserver/pkg/cel's DeclType: a schema node with its MaxElements and
 * MinSerializedSize). Numbers are JavaScript doubles: exact to 2^53, far past any limit we compare.
 */

/** math.MaxUint64, the saturation value (2^64 as a double). */
export const MAX_U64 = 2 ** 64;
/** common.StringTraversalCostFactor and common.RegexStringLengthCostFactor. */
export const STRING_TRAVERSAL = 0.1;
export const REGEX_LENGTH = 0.25;

export interface Range {
  min: number;
  max: number;
}
export type Size = Range;
export type Cost = Range;

export const fixed = (n: number): Range => ({ min: n, max: n });
export const UNKNOWN: Range = { min: 0, max: MAX_U64 };

const sat = (n: number): number => (n >= MAX_U64 ? MAX_U64 : n);
const addU = (x: number, y: number): number => sat(x + y);
const mulU = (x: number, y: number): number => (x === 0 || y === 0 ? 0 : sat(x * y));
/** multiplyByCostFactor: the product rounded up, saturating. */
const factorU = (x: number, f: number): number => sat(Math.ceil(x * f));

export const add = (a: Range, b: Range): Range => ({ min: addU(a.min, b.min), max: addU(a.max, b.max) });
export const mul = (a: Range, b: Range): Range => ({ min: mulU(a.min, b.min), max: mulU(a.max, b.max) });
export const factor = (a: Range, f: number): Range => ({ min: factorU(a.min, f), max: factorU(a.max, f) });
export const union = (a: Range, b: Range): Range => ({ min: Math.min(a.min, b.min), max: Math.max(a.max, b.max) });
export const sum = (rs: readonly Range[]): Range => rs.reduce(add, fixed(0));

export type Kind =
  | 'object' | 'list' | 'map' | 'string' | 'bytes' | 'int' | 'uint' | 'double' | 'bool' | 'null'
  | 'duration' | 'timestamp' | 'dyn' | 'optional' | 'type' | 'opaque';

/**
 * A declared type as apiserver's DeclType: `maxElements` bounds the size of values of this type
 * (characters, bytes, items, entries), `minSize` is the smallest JSON serialization of one.
 * `name` names an opaque library type (quantity, url, ip, cidr, ...).
 */
export interface DeclType {
  kind: Kind;
  fields?: ReadonlyMap<string, DeclType>;
  elem?: DeclType;
  key?: DeclType;
  maxElements: number;
  minSize: number;
  name?: string;
}

export const simple = (kind: Kind, minSize = 1, name?: string): DeclType => ({ kind, maxElements: 0, minSize, ...(name ? { name } : {}) });
export const DYN = simple('dyn');

/** cel-go's isScalar: types whose values have a size of 1 known at compile time. */
export function isScalar(t: DeclType | undefined): boolean {
  if (!t) return false;
  switch (t.kind) {
    case 'bool': case 'double': case 'duration': case 'int': case 'timestamp': case 'uint': return true;
    case 'optional': return isScalar(t.elem);
    default: return false;
  }
}

const SCALARS: Record<string, Kind> = {
  string: 'string', bytes: 'bytes', int: 'int', uint: 'uint', double: 'double', bool: 'bool',
  null: 'null', null_type: 'null', dyn: 'dyn', type: 'type',
  'google.protobuf.Timestamp': 'timestamp', 'google.protobuf.Duration': 'duration',
};

/** Splits `a, map<b, c>` at its top-level commas. */
function params(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '<') depth++;
    else if (s[i] === '>') depth--;
    else if (s[i] === ',' && depth === 0) {
      out.push(s.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(s.slice(start).trim());
  return out;
}

/** A cel-js checked type's name (`list<int>`, `map<string, dyn>`, `optional<T>`, ...) as a DeclType. */
export function fromTypeName(name: string | undefined): DeclType {
  if (!name) return DYN;
  const m = /^(\w+)<(.*)>$/.exec(name);
  if (m) {
    const ps = params(m[2]!).map(fromTypeName);
    if (m[1] === 'list') return { ...simple('list', 2), elem: ps[0] ?? DYN };
    if (m[1] === 'map') return { ...simple('map', 2), key: ps[0] ?? DYN, elem: ps[1] ?? DYN };
    if (m[1] === 'optional') return { ...simple('optional'), elem: ps[0] ?? DYN };
    if (m[1] === 'type') return simple('type');
  }
  const k = SCALARS[name];
  if (k) return simple(k);
  // a type parameter (`T`, `A`) is as good as dyn here
  return /^[A-Z]$/.test(name) ? DYN : simple('opaque', 1, name);
}

/** A cel-js AST node as the estimator reads it. */
export interface Node {
  op: string;
  args: unknown;
  checkedType?: { name?: string };
  meta?: { macro?: unknown; alternate?: { op: string } };
}
/** Sizes of a literal list's or map's entries (cel-go's entrySizeEstimate). */
export interface Entry {
  list: boolean;
  key: Size;
  val: Size;
}
/** A comprehension's or cel.bind's variable: its path, type and sizes. */
export interface Local {
  path: readonly string[];
  type: DeclType;
  size?: Size;
  entry?: Entry;
}
/** What the estimator knows of a node: its type, field path and size. */
export interface Facts {
  type: DeclType;
  path?: readonly string[];
  size?: Size;
  entry?: Entry;
}

/** The union of two entry sizes; unknown if either is. */
export const entryUnion = (a?: Entry, b?: Entry): Entry | undefined =>
  a && b ? { list: a.list, key: union(a.key, b.key), val: union(a.val, b.val) } : undefined;

/** computeExprSize: the size of a literal string, bytes, scalar, list or map. */
export function literalSize(n: Node): Size | undefined {
  if (n.op === 'list') return fixed((n.args as unknown[]).length);
  if (n.op === 'map') return fixed((n.args as unknown[]).length);
  if (n.op !== 'value') return undefined;
  const v = n.args;
  if (typeof v === 'string') return fixed([...v].length);
  if (v instanceof Uint8Array) return fixed(v.length);
  return fixed(1);
}
