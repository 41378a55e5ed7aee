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
 * With `strict` (an applied configuration), a map-list item missing a key field or a repeated
 * item is 400, as kube-apiserver's "failed to create typed patch object".
 */
export function toFieldSet(value: unknown, cursor: SchemaCursor, strict = false): FieldSet {
  const set = new FieldSet();
  walk(value, cursor, [], set, strict);
  return set;
}

function invalid(path: string[], why: string): Error {
  return errors.badRequest(`failed to create typed patch object: ${pathString(path) || '.'}: ${why}`);
}

function checkItems(v: unknown[], k: ReturnType<typeof nodeKind>, path: string[]): void {
  const seen = new Set<string>();
  v.forEach((item, i) => {
    if (k.kind === 'mapList' && isObject(item)) {
      for (const key of k.keys) {
        if (item[key] === undefined && keyDefault(key) === undefined) {
          throw invalid(path, `element ${i}: associative list with keys has an element that omits key field ${JSON.stringify(key)} (and doesn't have default value)`);
        }
      }
    }
    const el = itemElement(k, item, i);
    if (seen.has(el)) throw invalid(path, `duplicate entries for key ${pathString([el])}`);
    seen.add(el);
  });
}

function walk(v: unknown, cur: SchemaCursor, path: string[], set: FieldSet, strict: boolean): void {
  const k = nodeKind(cur.info(), v);
  switch (k.kind) {
    case 'map':
      if (!isObject(v)) return;
      for (const [key, val] of Object.entries(v)) {
        if (val === undefined) continue;
        const p = [...path, `f:${key}`];
        walk(val, cur.field(key), p, set, strict);
        if (k.granularMap) set.insert(p);
      }
      return;
    case 'mapList':
    case 'setList': {
      if (strict) checkItems(v as unknown[], k, path);
      const { order, items } = indexItems(k, v as unknown[]);
      for (const el of order) {
        const p = [...path, el];
        walk(items.get(el), cur, p, set, strict);
        set.insert(p);
      }
      return;
    }
    default:
      set.insert(path);
  }
}
