/**
 * What a write changed (structured-merge-diff's TypedValue.Compare): leaves added, modified or
 * removed, plus the non-leaf nodes that appeared or disappeared as a whole. Upstream marks a
 * struct that appears too, but a Go object always carries its non-pointer structs, so those never
 * show in real managedFields; not knowing Go pointer-ness, we mark only list items, lists and
 * granular maps (labels, annotations), which is what kube-apiserver shows for them.
 */
import { deepEqual, isObject } from '../json-value.js';
import { FieldSet } from './fieldset.js';
import { indexItems, nodeKind, type NodeKind, type SchemaCursor } from './schema.js';

/** Every caller wants added and modified together, so they are gathered in one set. */
export interface Comparison {
  /** Leaves added or modified (and nodes that appeared). */
  changed: FieldSet;
  removed: FieldSet;
}

export function compare(lhs: unknown, rhs: unknown, cursor: SchemaCursor): Comparison {
  const c: Comparison = { changed: new FieldSet(), removed: new FieldSet() };
  walk(lhs, rhs, cursor, [], false, c);
  return c;
}

function isEmptyContainer(v: unknown): boolean {
  if (v === undefined) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (!isObject(v)) return false;
  for (const _ in v) return false;
  return true;
}

function isLeafKind(k: NodeKind): boolean {
  return k.kind === 'scalar' || k.kind === 'atomic' || k.kind === 'atomicList';
}

// `path` is one stack shared by the whole walk (pushed and popped around each child): a write
// compares every node of the object, so no path is copied unless it is inserted.
function walk(l: unknown, r: unknown, cur: SchemaCursor, path: string[], isItem: boolean, c: Comparison): void {
  const info = cur.info();
  const lk = l === undefined ? undefined : nodeKind(info, l);
  const rk = r === undefined ? undefined : nodeKind(info, r);
  const k = (rk ?? lk)!;
  const leaf = isLeafKind(k) || (lk && rk && lk.kind !== rk.kind) || (isEmptyContainer(l) && isEmptyContainer(r));
  if (leaf) {
    if (path.length === 0) return;
    if (l === undefined) c.changed.insert(path);
    else if (r === undefined) c.removed.insert(path);
    else if (!deepEqual(l, r)) c.changed.insert(path);
    return;
  }
  if (k.kind === 'map') {
    const lo = isObject(l) ? l : EMPTY;
    const ro = isObject(r) ? r : EMPTY;
    for (const key in ro) {
      const rv = ro[key];
      const lv = lo[key];
      if (lv === undefined && rv === undefined) continue;
      // Equal subtrees yield nothing: a field the write left alone (the spec under a status
      // write, the labels and owner references beside a finalizer patch) is compared with one
      // cheap pass (free when it is the same object) instead of walked with its schema.
      if (lv !== undefined && deepEqual(lv, rv)) continue;
      const sub = cur.field(key);
      path.push(sub.element);
      walk(lv, rv, sub, path, false, c);
      path.pop();
    }
    for (const key in lo) {
      if (Object.prototype.hasOwnProperty.call(ro, key) || lo[key] === undefined) continue;
      const sub = cur.field(key);
      path.push(sub.element);
      walk(lo[key], undefined, sub, path, false, c);
      path.pop();
    }
  } else {
    const li = indexItems(k, Array.isArray(l) ? l : []);
    const ri = indexItems(k, Array.isArray(r) ? r : []);
    const els = new Set([...li.order, ...ri.order]);
    for (const el of els) {
      const lv = li.items.get(el);
      const rv = ri.items.get(el);
      if (lv !== undefined && deepEqual(lv, rv)) continue;
      path.push(el);
      walk(lv, rv, cur, path, true, c);
      path.pop();
    }
  }
  if (path.length === 0) return;
  const ownsSelf = isItem || k.kind !== 'map' || k.granularMap;
  if (!ownsSelf) return;
  if (l === undefined) c.changed.insert(path);
  else if (r === undefined) c.removed.insert(path);
}

const EMPTY: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>;
