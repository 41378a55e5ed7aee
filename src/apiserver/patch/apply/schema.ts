/**
 * How server-side apply treats each value, from `fieldInfo` (structured-merge-diff's schema):
 * lists are atomic, sets, or maps keyed by `listMapKeys`; maps/objects are granular unless
 * `mapType: atomic`. Lists a kind describes only by its strategic-merge tags follow k8s.io/api:
 * a merge list with a merge key is a map list, a merge list of scalars is a set, others atomic.
 */
import type { FieldInfo } from '../../../api/resource.js';
import { isObject, type FieldInfoLookup } from '../json-value.js';

export type NodeKind =
  | { kind: 'scalar' }
  | { kind: 'atomic' }
  | { kind: 'map'; granularMap: boolean }
  | { kind: 'setList' }
  | { kind: 'mapList'; keys: string[] }
  | { kind: 'atomicList' };

/**
 * Key fields whose value the API server defaults, so an applied item that omits them still
 * names the same item as the live one (structured-merge-diff reads these defaults from the
 * OpenAPI schema; FieldInfo does not carry them). `protocol` is the only such key in k8s.io/api.
 */
const KEY_DEFAULTS: Record<string, unknown> = { protocol: 'TCP' };

/** The value a missing list-map key field takes, if the server defaults it. */
export function keyDefault(key: string): unknown {
  return KEY_DEFAULTS[key];
}

export function nodeKind(info: FieldInfo | undefined, value: unknown): NodeKind {
  if (Array.isArray(value)) {
    const listType = info?.listType ?? inferListType(info);
    if (listType === 'map') {
      const keys = info?.listMapKeys?.length ? info.listMapKeys : info?.patchMergeKey ? [info.patchMergeKey] : [];
      if (keys.length > 0 && value.every(isObject)) return { kind: 'mapList', keys };
      return { kind: 'atomicList' };
    }
    if (listType === 'set' && value.every((v) => !isObject(v) && !Array.isArray(v))) return { kind: 'setList' };
    return { kind: 'atomicList' };
  }
  if (isObject(value)) {
    if (info?.mapType === 'atomic') return { kind: 'atomic' };
    return { kind: 'map', granularMap: info?.type === 'map' };
  }
  return { kind: 'scalar' };
}

function inferListType(info: FieldInfo | undefined): 'map' | 'set' | 'atomic' {
  const merge = (info?.patchStrategy ?? '').split(',').includes('merge');
  if (!merge) return 'atomic';
  return info?.patchMergeKey ? 'map' : 'set';
}

/** The FieldsV1 path element naming one list item. */
export function itemElement(kind: NodeKind, item: unknown, index: number): string {
  if (kind.kind === 'mapList' && isObject(item)) {
    const key: Record<string, unknown> = {};
    for (const k of [...kind.keys].sort()) {
      const v = item[k] ?? KEY_DEFAULTS[k];
      if (v !== undefined) key[k] = v;
    }
    return `k:${JSON.stringify(key)}`;
  }
  if (kind.kind === 'setList') return `v:${JSON.stringify(item)}`;
  return `i:${index}`;
}

/**
 * Walks a value with its schema: the lookup path is field names only, list indices dropped.
 * Cursors are shared per lookup function and remember their children and field facts, so a
 * write asks the schema about each path once rather than once per node per write. Children under
 * user keys (labels, annotations) are remembered only up to a bound per node.
 */
export class SchemaCursor {
  private kids?: Map<string, SchemaCursor>;
  private known = false;
  private facts: FieldInfo | undefined;

  constructor(readonly fieldInfo: FieldInfoLookup, readonly names: string[] = []) {}

  /** The shared root cursor of `fieldInfo` (pass a stable function, such as `def.fieldInfo`). */
  static root(fieldInfo: FieldInfoLookup): SchemaCursor {
    let r = roots.get(fieldInfo);
    if (!r) roots.set(fieldInfo, (r = new SchemaCursor(fieldInfo)));
    return r;
  }

  field(name: string): SchemaCursor {
    const kids = (this.kids ??= new Map());
    let c = kids.get(name);
    if (!c) {
      c = new SchemaCursor(this.fieldInfo, [...this.names, name]);
      if (kids.size < MAX_REMEMBERED_CHILDREN) kids.set(name, c);
    }
    return c;
  }

  info(): FieldInfo | undefined {
    if (!this.known) {
      this.facts = this.names.length === 0 ? { type: 'object' } : this.fieldInfo(this.names);
      this.known = true;
    }
    return this.facts;
  }
}

const MAX_REMEMBERED_CHILDREN = 256;
const roots = new WeakMap<FieldInfoLookup, SchemaCursor>();

/** Items of a granular list by element, first occurrence wins (as structured-merge-diff). */
export function indexItems(kind: NodeKind, list: unknown[]): { order: string[]; items: Map<string, unknown> } {
  const items = new Map<string, unknown>();
  const order: string[] = [];
  list.forEach((item, i) => {
    const el = itemElement(kind, item, i);
    if (items.has(el)) return;
    items.set(el, item);
    order.push(el);
  });
  return { order, items };
}
