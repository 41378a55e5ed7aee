/**
 * Removal of fields an applier stopped applying (structured-merge-diff's Updater.prune): a path of
 * the applier's previous set is removed from the object when no manager (the applier's new set
 * included) owns it or anything under it. List items and struct fields go as a whole, defaulted
 * content included; map entries go one by one. A granular map or list left empty by the removal
 * goes too unless someone owns it. Key fields of a list item that stays are never removed.
 */
import { isObject, type JsonObject } from '../json-value.js';
import type { FieldSet } from './fieldset.js';
import { indexItems, itemElement, nodeKind, type SchemaCursor } from './schema.js';

export function prune(obj: JsonObject, last: FieldSet, owned: FieldSet, cur: SchemaCursor): JsonObject {
  pruneNode(obj, last, owned, cur, new Set());
  return obj;
}

/** Prunes inside `v` in place; returns whether something was removed. */
function pruneNode(v: unknown, last: FieldSet, owned: FieldSet | undefined, cur: SchemaCursor, protectedFields: Set<string>): boolean {
  const kind = nodeKind(cur.info(), v);
  let removed = false;
  const els = new Set([...last.members, ...last.children.keys()]);
  if (kind.kind === 'map' && isObject(v)) {
    for (const el of els) {
      if (!el.startsWith('f:')) continue;
      const name = el.slice(2);
      if (!(name in v) || protectedFields.has(name)) continue;
      const sub = cur.field(name);
      const ownedChild = owned?.children.get(el);
      const kept = owned?.members.has(el) || (ownedChild && !ownedChild.isEmpty());
      const isStructField = !kind.granularMap && isObject(v[name]) && nodeKind(sub.info(), v[name]).kind === 'map';
      if (!kept && (last.members.has(el) || isStructField)) {
        delete v[name];
        removed = true;
        continue;
      }
      const lastChild = last.children.get(el);
      if (lastChild && pruneNode(v[name], lastChild, ownedChild, sub, new Set())) {
        removed = true;
        const child = v[name];
        const empty = (Array.isArray(child) && child.length === 0) || (isObject(child) && Object.keys(child).length === 0);
        const childKind = nodeKind(sub.info(), child);
        const container = childKind.kind !== 'map' || childKind.granularMap;
        if (empty && container && !owned?.members.has(el)) delete v[name];
      }
    }
    return removed;
  }
  if ((kind.kind === 'mapList' || kind.kind === 'setList') && Array.isArray(v)) {
    const { items } = indexItems(kind, v);
    const drop = new Set<string>();
    for (const el of els) {
      const item = items.get(el);
      if (item === undefined) continue;
      const ownedChild = owned?.children.get(el);
      const kept = owned?.members.has(el) || (ownedChild && !ownedChild.isEmpty());
      if (!kept && last.members.has(el)) {
        drop.add(el);
        continue;
      }
      const lastChild = last.children.get(el);
      const keys = kind.kind === 'mapList' ? new Set(kind.keys) : new Set<string>();
      if (lastChild && pruneNode(item, lastChild, ownedChild, cur, keys)) removed = true;
    }
    if (drop.size > 0) {
      const kept = v.filter((item, i) => !drop.has(itemElement(kind, item, i)));
      v.splice(0, v.length, ...kept);
      removed = true;
    }
  }
  return removed;
}
