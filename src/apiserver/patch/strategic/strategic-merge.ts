/**
 * Strategic merge patch (application/strategic-merge-patch+json), as apimachinery's
 * strategicpatch.StrategicMergeMapPatchUsingLookupPatchMeta applies it on the server:
 * maps merge key by key and `null` deletes; lists whose patchStrategy is `merge` merge by
 * patchMergeKey (maps) or as sets (primitives); every other list is replaced. Directives:
 * `$patch: replace|delete` (maps and list items), `$retainKeys`, `$setElementOrder/<list>`,
 * `$deleteFromPrimitiveList/<list>`.
 */
import { badPatch } from '../patch-errors.js';
import { clone, deepEqual, isObject, isUnsafeKey, type FieldInfoLookup, type JsonObject } from '../json-value.js';
import {
  DELETE_FROM_PRIMITIVE_LIST, PATCH_DIRECTIVE, RETAIN_KEYS, SET_ELEMENT_ORDER, smpErrors, strategies,
} from './directives.js';
import { itemKeyFor, normalizeElementOrder, patchFollowsOrder } from './element-order.js';

/**
 * Apply a strategic merge patch to a copy of `obj`, with merge keys and strategies from
 * `fieldInfo`. Throws a StatusError with kube-apiserver's code for malformed patches.
 */
export function applyStrategicMergePatch(obj: JsonObject, patch: unknown, fieldInfo: FieldInfoLookup): JsonObject {
  if (!isObject(patch)) {
    throw badPatch(`json: cannot unmarshal ${Array.isArray(patch) ? 'array' : typeof patch} into Go value of type map[string]interface {}`);
  }
  return new StrategicMerger(fieldInfo).mergeMap(clone(obj), clone(patch), []);
}

class StrategicMerger {
  constructor(private readonly fieldInfo: FieldInfoLookup) {}

  mergeMap(original: JsonObject, patch: JsonObject, path: string[]): JsonObject {
    if (PATCH_DIRECTIVE in patch) {
      const d = patch[PATCH_DIRECTIVE];
      if (d === 'replace') {
        delete patch[PATCH_DIRECTIVE];
        return this.mergeMap({}, patch, path);
      }
      if (d === 'delete') return {};
      throw smpErrors.badPatchType(d, patch);
    }
    this.retainKeys(original, patch);
    this.setElementOrders(original, patch, path);
    for (const [k, v] of Object.entries(patch)) {
      if (k.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
        const name = k.slice(DELETE_FROM_PRIMITIVE_LIST.length);
        if (!Array.isArray(v)) throw smpErrors.badPrimitiveList();
        const cur = original[name];
        if (Array.isArray(cur)) original[name] = cur.filter((x) => !v.some((d) => deepEqual(d, x)));
        continue;
      }
      if (k.startsWith('$') || isUnsafeKey(k)) continue;
      if (v === null) {
        delete original[k];
        continue;
      }
      const sub = [...path, k];
      const cur = original[k];
      if (cur === undefined) original[k] = this.fresh(v, sub);
      else if (isObject(cur) && isObject(v)) {
        original[k] = strategies(this.fieldInfo(sub)).has('replace') ? this.fresh(v, sub) : this.mergeMap(cur, v, sub);
      } else if (Array.isArray(cur) && Array.isArray(v)) original[k] = this.mergeList(cur, v, sub);
      else original[k] = this.fresh(v, sub);
    }
    return original;
  }

  /** A patch value landing where nothing was: directives are resolved against an empty value. */
  private fresh(v: unknown, path: string[]): unknown {
    if (isObject(v)) return this.mergeMap({}, v, path);
    if (Array.isArray(v)) return this.mergeList([], v, path);
    return v;
  }

  private retainKeys(original: JsonObject, patch: JsonObject): void {
    if (!(RETAIN_KEYS in patch)) return;
    const keep = patch[RETAIN_KEYS];
    delete patch[RETAIN_KEYS];
    if (!Array.isArray(keep) || keep.some((k) => typeof k !== 'string')) throw smpErrors.badRetainKeys();
    const set = new Set(keep as string[]);
    for (const k of Object.keys(patch)) {
      if (!k.startsWith('$') && !set.has(k)) throw smpErrors.retainKeysMismatch();
    }
    for (const k of Object.keys(original)) if (!set.has(k)) delete original[k];
  }

  /** apimachinery's mergePatchIntoOriginal: merge each ordered list, then fix its order. */
  private setElementOrders(original: JsonObject, patch: JsonObject, path: string[]): void {
    for (const k of Object.keys(patch)) {
      if (!k.startsWith(SET_ELEMENT_ORDER)) continue;
      const order = patch[k];
      delete patch[k];
      const name = k.slice(SET_ELEMENT_ORDER.length);
      const origV = original[name];
      const patchV = patch[name];
      if (!Array.isArray(order) || (patchV !== undefined && patchV !== null && !Array.isArray(patchV))) {
        throw smpErrors.badSetElementOrder();
      }
      const origList = Array.isArray(origV) ? origV : [];
      const patchList = Array.isArray(patchV) ? patchV : [];
      const sub = [...path, name];
      const mergeKey = this.fieldInfo(sub)?.patchMergeKey;
      const key = itemKeyFor(mergeKey);
      if (!patchFollowsOrder(patchList, order, key)) throw smpErrors.orderMismatch();
      if (origList.length === 0 && patchList.length === 0) continue;
      const merged = patchList.length === 0 ? origList : this.mergeList(origList, patchList, sub);
      original[name] = normalizeElementOrder(merged, order, origList, key);
      delete patch[name];
    }
  }

  mergeList(original: unknown[], patch: unknown[], path: string[]): unknown[] {
    const info = this.fieldInfo(path);
    if (!strategies(info).has('merge')) return patch.map((v) => this.fresh(v, path));
    if (original.length === 0 && patch.length === 0) return original;
    if ([...original, ...patch].some(Array.isArray)) throw smpErrors.noListOfLists();
    const sample = patch.find((v) => v !== null) ?? original.find((v) => v !== null);
    if (!isObject(sample)) {
      // Scalars: a set union, then the patch's own order (mergeSlice's "enforce the order").
      return normalizeElementOrder(dedupe([...original, ...patch]), patch, original, itemKeyFor(undefined));
    }
    const mergeKey = info?.patchMergeKey;
    if (!mergeKey) throw smpErrors.noMergeKeyDeclared(path);
    return this.mergeMapList(original, patch, path, mergeKey);
  }

  /** apimachinery's mergeSliceWithSpecialElements + mergeSliceWithoutSpecialElements + order. */
  private mergeMapList(original: unknown[], patch: unknown[], path: string[], mergeKey: string): unknown[] {
    let server = [...original];
    const plain: JsonObject[] = [];
    let replace = false;
    for (const item of patch) {
      if (!isObject(item)) continue;
      if (!(PATCH_DIRECTIVE in item)) {
        plain.push(item);
        continue;
      }
      const d = item[PATCH_DIRECTIVE];
      if (d === 'delete') {
        if (!(mergeKey in item)) throw smpErrors.noMergeKey(item, mergeKey);
        server = server.filter((o) => !(isObject(o) && deepEqual(o[mergeKey], item[mergeKey])));
      } else if (d === 'replace') replace = true;
      else if (d === 'merge') throw smpErrors.listMergeUnsupported();
      else throw smpErrors.badPatchType(d, item);
    }
    if (replace) return plain.map((v) => this.fresh(v, path));
    const merged = [...server];
    for (const item of plain) {
      if (!(mergeKey in item)) throw smpErrors.noMergeKey(item, mergeKey);
      const i = merged.findIndex((o) => isObject(o) && deepEqual(o[mergeKey], item[mergeKey]));
      if (i >= 0) merged[i] = this.mergeMap(merged[i] as JsonObject, item, path);
      else merged.push(this.fresh(item, path));
    }
    return normalizeElementOrder(merged, plain, server, itemKeyFor(mergeKey));
  }
}

function dedupe(list: unknown[]): unknown[] {
  const seen = new Set<string>();
  return list.filter((v) => {
    const k = JSON.stringify(v);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
