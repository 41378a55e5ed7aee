/**
 * `$setElementOrder/<list>`: after merging, items named by the patch take the patch's order and
 * server-only items keep their place relative to the live list (apimachinery's
 * normalizeElementOrder + mergeSortedSlice). Items are identified by merge key (maps) or value.
 */
import { isObject } from '../json-value.js';

export type ItemKey = (item: unknown) => string;

/** An identity for list items: the merge key's value for maps, the value itself otherwise. */
export function itemKeyFor(mergeKey: string | undefined): ItemKey {
  return (item) => JSON.stringify(mergeKey && isObject(item) ? item[mergeKey] : item);
}

function indexOf(list: unknown[], key: ItemKey): Map<string, number> {
  const m = new Map<string, number>();
  list.forEach((item, i) => {
    const k = key(item);
    if (!m.has(k)) m.set(k, i);
  });
  return m;
}

function sortBy(items: unknown[], order: Map<string, number>, key: ItemKey): unknown[] {
  return items
    .map((item, i) => ({ item, i, o: order.get(key(item)) ?? -1 }))
    .sort((a, b) => a.o - b.o || a.i - b.i)
    .map((x) => x.item);
}

/**
 * Order `merged` by `setOrder` (the directive's list) and `serverOrder` (the live list): items
 * present in `setOrder` follow it; the rest keep their live relative order, each inserted before
 * the first patch item that came after it in the live list.
 */
export function normalizeElementOrder(merged: unknown[], setOrder: unknown[], serverOrder: unknown[], key: ItemKey): unknown[] {
  const setIdx = indexOf(setOrder, key);
  const patchItems: unknown[] = [];
  const serverOnly: unknown[] = [];
  for (const item of merged) (setIdx.has(key(item)) ? patchItems : serverOnly).push(item);
  const right = sortBy(patchItems, setIdx, key);
  const serverIdx = indexOf(serverOrder, key);
  const left = sortBy(serverOnly, serverIdx, key);
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]);
    else if (j >= right.length) out.push(left[i++]);
    else {
      const li = serverIdx.get(key(left[i]));
      const ri = serverIdx.get(key(right[j]));
      if (li !== undefined && ri !== undefined && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}

/**
 * apimachinery's validatePatchWithSetOrderList: the patch's items (less `$patch: delete` ones) must
 * appear in the directive's list, in the same relative order.
 */
export function patchFollowsOrder(patchList: unknown[], setOrder: unknown[], key: ItemKey): boolean {
  if (patchList.length === 0 || setOrder.length === 0) return true;
  const items = patchList.filter((p) => !(isObject(p) && p['$patch'] === 'delete'));
  let p = 0;
  for (let s = 0; p < items.length && s < setOrder.length; s++) {
    if (key(items[p]) === key(setOrder[s])) p++;
  }
  return p >= items.length;
}
