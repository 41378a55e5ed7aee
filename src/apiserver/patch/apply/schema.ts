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

// Kinds are shared constants (a write asks for one per node of the object): read-only.
const SCALAR: NodeKind = Object.freeze({ kind: 'scalar' });
const ATOMIC: NodeKind = Object.freeze({ kind: 'atomic' });
const GRANULAR_MAP: NodeKind = Object.freeze({ kind: 'map', granularMap: true });
const STRUCT: NodeKind = Object.freeze({ kind: 'map', granularMap: false });
const SET_LIST: NodeKind = Object.freeze({ kind: 'setList' });
const ATOMIC_LIST: NodeKind = Object.freeze({ kind: 'atomicList' });
/** Map-list kinds by their field facts (memoized and frozen by the definition's fieldInfo). */
const mapLists = new WeakMap<FieldInfo, NodeKind>();

function mapListKind(info: FieldInfo, keys: string[]): NodeKind {
  let k = mapLists.get(info);
  if (!k) mapLists.set(info, (k = Object.freeze({ kind: 'mapList', keys: Object.freeze([...keys]) as string[] })));
  return k;
}

export function nodeKind(info: FieldInfo | undefined, value: unknown): NodeKind {
  if (Array.isArray(value)) {
    const listType = info?.listType ?? inferListType(info);
    if (listType === 'map') {
      const keys = info?.listMapKeys?.length ? info.listMapKeys : info?.patchMergeKey ? [info.patchMergeKey] : [];
      if (keys.length > 0 && value.every(isObject)) return mapListKind(info!, keys);
      return ATOMIC_LIST;
    }
    if (listType === 'set' && value.every((v) => !isObject(v) && !Array.isArray(v))) return SET_LIST;
    return ATOMIC_LIST;
  }
  if (isObject(value)) {
    if (info?.mapType === 'atomic') return ATOMIC;
    return info?.type === 'map' ? GRANULAR_MAP : STRUCT;
  }
  return SCALAR;
}

function inferListType(info: FieldInfo | undefined): 'map' | 'set' | 'atomic' {
  const merge = (info?.patchStrategy ?? '').split(',').includes('merge');
  if (!merge) return 'atomic';
  return info?.patchMergeKey ? 'map' : 'set';
}

/** The FieldsV1 path element naming one list item. */
export function itemElement(kind: NodeKind, item: unknown, index: number): string {
  if (kind.kind === 'mapList' && isObject(item)) {
    // JSON of the key fields in sorted order, written directly (the same text as stringifying
    // an object of them): one per item of every keyed list a write compares.
    let out = 'k:{';
    let first = true;
    for (const k of sortedKeys(kind.keys)) {
      const v = item[k] ?? KEY_DEFAULTS[k];
      if (v === undefined) continue;
      const json = JSON.stringify(v);
      if (json === undefined) continue;
      out += `${first ? '' : ','}${JSON.stringify(k)}:${json}`;
      first = false;
    }
    return `${out}}`;
  }
  if (kind.kind === 'setList') return `v:${JSON.stringify(item)}`;
  return `i:${index}`;
}

const sortedKeyLists = new WeakMap<string[], string[]>();

function sortedKeys(keys: string[]): string[] {
  let sorted = sortedKeyLists.get(keys);
  if (!sorted) sortedKeyLists.set(keys, (sorted = [...keys].sort()));
  return sorted;
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
  /** The FieldsV1 element of this field (`f:<name>`), made once per remembered cursor. */
  readonly element: string;

  constructor(readonly fieldInfo: FieldInfoLookup, readonly names: string[] = []) {
    this.element = names.length === 0 ? '' : `f:${names[names.length - 1]!}`;
  }

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
