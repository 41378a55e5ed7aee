/**
 * The fields an applied configuration sets (structured-merge-diff's TypedValue.ToFieldSet):
 * every scalar and atomic value, every list item (`.` of `k:`/`v:` elements) and every entry of a
 * granular map (`f:labels` children); struct fields are only present through their leaves.
 */
import { errors } from '../../../api/status.js';
import { isObject } from '../json-value.js';
import { FieldSet } from './fieldset.js';
import { pathString } from './path-element.js';
import { indexItems, itemElement, keyDefault, nodeKind, type SchemaCursor } from './schema.js';

/**
 * With `typedAs` (an applied configuration, named as objectGVKNN does: `ns/name; group/version,
 * Kind=Kind`), a map-list item missing a key field or a repeated item is 400, with
 * kube-apiserver's "failed to create typed patch object (<typedAs>): <path>: <why>".
 */
export function toFieldSet(value: unknown, cursor: SchemaCursor, typedAs?: string): FieldSet {
  const set = new FieldSet();
  walk(value, cursor, [], set, typedAs);
  return set;
}

function invalid(typedAs: string, path: string[], why: string): Error {
  return errors.badRequest(`failed to create typed patch object (${typedAs}): ${pathString(path) || '.'}: ${why}`);
}

function checkItems(v: unknown[], k: ReturnType<typeof nodeKind>, path: string[], typedAs: string): void {
  const seen = new Set<string>();
  v.forEach((item, i) => {
    if (k.kind === 'mapList' && isObject(item)) {
      for (const key of k.keys) {
        if (item[key] === undefined && keyDefault(key) === undefined) {
          throw invalid(typedAs, path, `element ${i}: associative list with keys has an element that omits key field ${JSON.stringify(key)} (and doesn't have default value)`);
        }
      }
    }
    const el = itemElement(k, item, i);
    if (seen.has(el)) throw invalid(typedAs, path, `duplicate entries for key ${pathString([el])}`);
    seen.add(el);
  });
}

function walk(v: unknown, cur: SchemaCursor, path: string[], set: FieldSet, typedAs: string | undefined): void {
  const k = nodeKind(cur.info(), v);
  switch (k.kind) {
    case 'map':
      if (!isObject(v)) return;
      for (const [key, val] of Object.entries(v)) {
        if (val === undefined) continue;
        const p = [...path, `f:${key}`];
        walk(val, cur.field(key), p, set, typedAs);
        if (k.granularMap) set.insert(p);
      }
      return;
    case 'mapList':
    case 'setList': {
      if (typedAs !== undefined) checkItems(v as unknown[], k, path, typedAs);
      const { order, items } = indexItems(k, v as unknown[]);
      for (const el of order) {
        const p = [...path, el];
        walk(items.get(el), cur, p, set, typedAs);
        set.insert(p);
      }
      return;
    }
    default:
      set.insert(path);
  }
}
