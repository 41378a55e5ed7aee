/**
 * The informer's cache: objects by key plus secondary indices (namespace always; custom ones such as
 * pods by node). Only the informer writes it. Cached objects are shared, never to be written: use
 * `structuredClone` (or `copyOf`) to get a writable copy. Under the cache mutation detector (tests)
 * they are deep-frozen on the way in, so a handler or reconciler that forgets to copy before
 * writing fails loudly instead of corrupting the cache.
 */
import type { KubeObject } from '../../api/meta.js';
import { matchesLabels, parseLabelSelector, type LabelSelector } from '../../api/selectors/index.js';
import { keyOf } from './keys.js';
import { deepFreeze, mutationDetectorEnabled } from '../../api/mutation-detector.js';

/** Index values for one object (e.g. `[pod.spec.nodeName]`); empty for none. */
export type IndexFunc<T> = (obj: T) => string[];

export const NAMESPACE_INDEX = 'namespace';

/** Common indexers. */
export const indexers = {
  namespace: (o: KubeObject): string[] => (o.metadata.namespace ? [o.metadata.namespace] : []),
  /** Pods by `spec.nodeName` (unscheduled pods are indexed under ''). */
  podsByNodeName: (o: KubeObject): string[] => [String(o.spec?.nodeName ?? '')],
  /** Objects by the uid of their controller owner. */
  byControllerUID: (o: KubeObject): string[] => o.metadata.ownerReferences?.filter((r) => r.controller).map((r) => r.uid) ?? [],
};

export class Indexer<T extends KubeObject = KubeObject> {
  private readonly items = new Map<string, Readonly<T>>();
  private readonly funcs = new Map<string, IndexFunc<T>>();
  private readonly indices = new Map<string, Map<string, Set<string>>>();

  constructor(extra: Record<string, IndexFunc<T>> = {}, private readonly freeze = cacheMutationDetectorEnabled()) {
    this.addIndexers({ [NAMESPACE_INDEX]: indexers.namespace as IndexFunc<T>, ...extra });
  }

  /** Register more indices; existing objects are indexed at once. */
  addIndexers(more: Record<string, IndexFunc<T>>): void {
    for (const [name, fn] of Object.entries(more)) {
      if (this.funcs.has(name)) throw new Error(`indexer ${name} already exists`);
      this.funcs.set(name, fn);
      const index = new Map<string, Set<string>>();
      this.indices.set(name, index);
      for (const [key, obj] of this.items) for (const v of fn(obj as T)) addTo(index, v, key);
    }
  }

  /** Insert or replace; returns the previous object, if any. */
  upsert(obj: T): Readonly<T> | undefined {
    const key = keyOf(obj);
    const old = this.items.get(key);
    const stored = this.freeze ? deepFreeze(obj) : obj;
    if (old) this.unindex(key, old);
    this.items.set(key, stored);
    this.index(key, stored);
    return old;
  }

  /** Remove by key; returns the removed object, if any. */
  remove(key: string): Readonly<T> | undefined {
    const old = this.items.get(key);
    if (!old) return undefined;
    this.unindex(key, old);
    this.items.delete(key);
    return old;
  }

  get(key: string): Readonly<T> | undefined {
    return this.items.get(key);
  }

  has(key: string): boolean {
    return this.items.has(key);
  }

  list(): Readonly<T>[] {
    return [...this.items.values()];
  }

  keys(): string[] {
    return [...this.items.keys()];
  }

  get size(): number {
    return this.items.size;
  }

  /** Objects whose index `name` contains `value`. */
  byIndex(name: string, value: string): Readonly<T>[] {
    const index = this.indices.get(name);
    if (!index) throw new Error(`no indexer named ${name}`);
    const keys = index.get(value);
    return keys ? [...keys].map((k) => this.items.get(k)!) : [];
  }

  /** Objects in one namespace (every object when `namespace` is undefined). */
  listNamespace(namespace: string | undefined): Readonly<T>[] {
    return namespace === undefined ? this.list() : this.byIndex(NAMESPACE_INDEX, namespace);
  }

  /**
   * Objects in `namespace` (all when undefined) whose labels match `selector` (a parsed selector or
   * its string form, e.g. from `formatLabelSelector`/`labelSelectorFromObject`), like a client-go lister.
   */
  select(namespace: string | undefined, selector: LabelSelector | string): Readonly<T>[] {
    const sel = typeof selector === 'string' ? parseLabelSelector(selector) : selector;
    return this.listNamespace(namespace).filter((o) => matchesLabels(sel, o.metadata.labels));
  }

  private index(key: string, obj: Readonly<T>): void {
    for (const [name, fn] of this.funcs) for (const v of fn(obj as T)) addTo(this.indices.get(name)!, v, key);
  }

  private unindex(key: string, obj: Readonly<T>): void {
    for (const [name, fn] of this.funcs) {
      const index = this.indices.get(name)!;
      for (const v of fn(obj as T)) {
        const set = index.get(v);
        set?.delete(key);
        if (set?.size === 0) index.delete(v);
      }
    }
  }
}

function addTo(index: Map<string, Set<string>>, value: string, key: string): void {
  let set = index.get(value);
  if (!set) index.set(value, (set = new Set()));
  set.add(key);
}

/**
 * Whether informer caches deep-freeze what they store: the cache mutation detector (see
 * src/api/mutation-detector.ts), on in tests. Upstream's informers hand out their cached objects as
 * they are and check nothing in production; freezing is a pass over every object delivered (~1.7% of
 * the control plane's CPU in bench/jobs.bench.ts).
 */
export const cacheMutationDetectorEnabled = mutationDetectorEnabled;
export { deepFreeze };

/** A writable deep copy of a cached object. */
export function copyOf<T>(obj: Readonly<T>): T {
  return structuredClone(obj) as T;
}
