/**
 * Where kube-apiserver's JSON patch library (gopkg.in/evanphx/json-patch.v4, the one its patch
 * handler applies with) departs from RFC 6902, which the library under applyJsonPatch follows:
 * - `replace` of a key an object lacks adds it (v4's partialDoc.get finds no error for a missing
 *   key; its RFC check landed in v5 only), so `replace /metadata/labels/new` works on a real
 *   cluster where the RFC wants a failure;
 * - `test` of a key an object lacks, with value null, passes (v4 compares a missing value as null);
 * - array indices may be negative, counting from the end (SupportNegativeIndices, true by
 *   default): -1 is the last element, and for `add` the slot after it (the array grows first).
 * Each op is rewritten against the document before it is applied: to `add`, dropped, or with its
 * indices made plain. Paths that do not resolve are left alone to fail as before. A `move`'s
 * destination is resolved after its source is removed, so its indices are left as written.
 */
import { isObject, type JsonObject } from './json-value.js';

/** `op` as v4 would apply it to `doc`; undefined when it has nothing to do (a passing null test). */
export function asV4Operation(doc: unknown, op: JsonObject): JsonObject | undefined {
  let out = op;
  if (typeof op.from === 'string' && (op.op === 'move' || op.op === 'copy')) {
    const from = resolve(doc, op.from, false);
    if (from) out = { ...out, from: from.path };
  }
  if (typeof op.path !== 'string' || op.op === 'move') return out;
  const target = resolve(doc, op.path, op.op === 'add');
  if (!target) return out;
  out = { ...out, path: target.path };
  if (!isObject(target.parent) || Object.hasOwn(target.parent, target.key)) return out;
  if (op.op === 'replace') return { ...out, op: 'add' };
  if (op.op === 'test' && op.value === null) return undefined;
  return out;
}

interface Resolved {
  /** The pointer with every array index made a plain non-negative one. */
  path: string;
  /** The container of the last segment, and that segment (unescaped). */
  parent: unknown;
  key: string;
}

/**
 * Walks `pointer` in `doc` as v4's findObject does (every segment but the last must exist),
 * normalizing array indices; `growing`: the last segment indexes an array about to get one more
 * element (an `add`). Undefined when the pointer is the root or its parent does not resolve.
 */
function resolve(doc: unknown, pointer: string, growing: boolean): Resolved | undefined {
  if (!pointer.startsWith('/')) return undefined;
  const segments = pointer.slice(1).split('/').map(unescape);
  const plain: string[] = [];
  let cur = doc;
  for (let i = 0; i < segments.length; i++) {
    const last = i === segments.length - 1;
    let seg = segments[i]!;
    if (Array.isArray(cur)) seg = arrayIndex(seg, cur.length + (last && growing ? 1 : 0));
    plain.push(seg);
    if (last) return { path: `/${plain.map(escape).join('/')}`, parent: cur, key: seg };
    if (Array.isArray(cur)) cur = cur[Number(seg)];
    else if (isObject(cur) && Object.hasOwn(cur, seg)) cur = cur[seg];
    else return undefined;
    if (cur === null || typeof cur !== 'object') return undefined;
  }
  return undefined;
}

/** An index strconv.Atoi reads, negative ones counted from `length`, if in range; else unchanged. */
function arrayIndex(seg: string, length: number): string {
  if (!/^[+-]?\d+$/.test(seg)) return seg;
  let n = Number(seg);
  if (n < 0) n += length;
  return n >= 0 && n < length ? String(n) : seg;
}

function unescape(s: string): string {
  return s.replace(/~1/g, '/').replace(/~0/g, '~');
}

function escape(s: string): string {
  return s.replace(/~/g, '~0').replace(/\//g, '~1');
}
