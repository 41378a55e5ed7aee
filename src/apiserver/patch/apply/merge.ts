/**
 * Server-side apply's merge of an applied configuration into the live object
 * (structured-merge-diff's TypedValue.Merge): granular maps merge by key, map and set lists merge
 * by item identity keeping structured-merge-diff's interleaving order, atomic values are replaced.
 * A `null` in the configuration removes the field.
 */
import { clone, isObject, isUnsafeKey, type JsonObject } from '../json-value.js';
import { indexItems, nodeKind, type SchemaCursor } from './schema.js';

export function mergeApplied(live: unknown, config: unknown, cur: SchemaCursor): unknown {
  if (config === undefined) return live;
  if (config === null) return undefined;
  if (live === undefined || live === null) return stripNulls(clone(config));
  const lk = nodeKind(cur.info(), live);
  const rk = nodeKind(cur.info(), config);
  if (lk.kind !== rk.kind) return stripNulls(clone(config));
  if (rk.kind === 'map') {
    const out: JsonObject = { ...(live as JsonObject) };
    for (const [key, v] of Object.entries(config as JsonObject)) {
      if (isUnsafeKey(key)) continue;
      const m = mergeApplied(out[key], v, cur.field(key));
      if (m === undefined) delete out[key];
      else out[key] = m;
    }
    return out;
  }
  if (rk.kind === 'mapList' || rk.kind === 'setList') {
    return mergeList(live as unknown[], config as unknown[], (l, r) => mergeApplied(l, r, cur), rk);
  }
  return stripNulls(clone(config));
}

/** structured-merge-diff's list order: applied order for shared items, live-only items kept in place. */
function mergeList(
  lhs: unknown[], rhs: unknown[], mergeItem: (l: unknown, r: unknown) => unknown, kind: Parameters<typeof indexItems>[0],
): unknown[] {
  const L = indexItems(kind, lhs);
  const R = indexItems(kind, rhs);
  const shared = R.order.filter((el) => L.items.has(el));
  let sharedAt = 0;
  const shift = () => shared[sharedAt++];
  let next = shift();
  const out: unknown[] = [];
  const push = (v: unknown) => {
    if (v !== undefined) out.push(v);
  };
  let lI = 0;
  let rI = 0;
  while (lI < L.order.length || rI < R.order.length) {
    if (lI < L.order.length && rI < R.order.length) {
      const pe = L.order[lI]!;
      if (pe === R.order[rI]) {
        push(mergeItem(L.items.get(pe), R.items.get(pe)));
        lI++;
        rI++;
        next = shift();
        continue;
      }
      if (R.items.has(pe) && next !== undefined && next !== pe) {
        lI++;
        continue;
      }
    }
    if (lI < L.order.length) {
      const pe = L.order[lI]!;
      if (!R.items.has(pe)) {
        push(L.items.get(pe));
        lI++;
        continue;
      }
      if (rI >= R.order.length) {
        // Already taken with its applied counterpart.
        lI++;
        continue;
      }
    }
    if (rI < R.order.length) {
      const pe = R.order[rI]!;
      push(mergeItem(L.items.get(pe), R.items.get(pe)));
      rI++;
      if (next === pe) next = shift();
    }
  }
  return out;
}

function stripNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripNulls);
  if (isObject(v)) {
    for (const [k, x] of Object.entries(v)) {
      if (x === null) delete v[k];
      else v[k] = stripNulls(x);
    }
  }
  return v;
}
