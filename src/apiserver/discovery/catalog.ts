/**
 * The served API as one index: every resource's definition and storage by group, version and plural,
 * plus the action subresources (binding, eviction, finalize) and streaming subresources (log, exec,
 * portforward) registered beside them. Discovery, OpenAPI and routing all read this one index, so what
 * is listed is exactly what is served.
 *
 * Built-in kinds are added at construction; custom resources (src/apiserver/crd) are added and
 * removed at run time with `add`/`remove`, and every change is announced to `onChange` listeners
 * (the OpenAPI documents are rebuilt after one). Requests resolve their resource on each call, so a
 * resource added here is served by the next request.
 */
import type { ResourceDefinition } from '../../api/resource.js';
import type { ActionSubresource, ResourceStorage } from '../storage/types.js';

export interface CatalogEntry {
  def: ResourceDefinition;
  storage: ResourceStorage;
}

export interface GroupVersion {
  group: string;
  version: string;
}

export class ApiCatalog {
  private readonly byKey = new Map<string, CatalogEntry>();
  private readonly actions = new Map<string, ActionSubresource>();
  /** Extra subresource names per plural (streaming handlers), for discovery. */
  private readonly extraSubs = new Map<string, Set<string>>();
  private readonly listeners = new Set<() => void>();

  constructor(storages: Iterable<ResourceStorage>, actions: Iterable<ActionSubresource> = []) {
    for (const s of storages) this.byKey.set(key(s.def.group, s.def.version, s.def.plural), { def: s.def, storage: s });
    for (const a of actions) this.addAction(a);
  }

  /** Serves one more resource (or replaces the storage of the same group/version/plural). */
  add(storage: ResourceStorage): void {
    this.byKey.set(key(storage.def.group, storage.def.version, storage.def.plural), { def: storage.def, storage });
    this.changed();
  }

  /** Stops serving a resource added with `add`; returns whether it was served. */
  remove(group: string, version: string, plural: string): boolean {
    const had = this.byKey.delete(key(group, version, plural));
    if (had) this.changed();
    return had;
  }

  /** Calls `fn` after every add or remove; returns the unsubscribe function. */
  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private changed(): void {
    for (const fn of this.listeners) fn();
  }

  addAction(a: ActionSubresource): void {
    this.actions.set(`${a.resource}/${a.subresource}`, a);
    this.noteSubresource(a.resource, a.subresource);
  }

  /** Records that `resource/sub` is served (by a streaming handler) so discovery lists it. */
  noteSubresource(resource: string, sub: string): void {
    let s = this.extraSubs.get(resource);
    if (!s) this.extraSubs.set(resource, (s = new Set()));
    s.add(sub);
  }

  resolve(group: string, version: string, plural: string): CatalogEntry | undefined {
    return this.byKey.get(key(group, version, plural));
  }

  action(resource: string, sub: string): ActionSubresource | undefined {
    return this.actions.get(`${resource}/${sub}`);
  }

  entries(): CatalogEntry[] {
    return [...this.byKey.values()];
  }

  /** Subresource names of a resource: its definition's plus registered actions and streams. */
  subresourcesOf(def: ResourceDefinition): string[] {
    const subs = new Set<string>(def.subresources);
    for (const s of this.extraSubs.get(def.plural) ?? []) subs.add(s);
    return [...subs].sort();
  }

  /** Groups in serving order: core first, then by name; versions in definition order. */
  groupVersions(): GroupVersion[] {
    const seen = new Map<string, GroupVersion>();
    for (const e of this.entries()) seen.set(`${e.def.group}/${e.def.version}`, { group: e.def.group, version: e.def.version });
    return [...seen.values()].sort((a, b) => (a.group === b.group ? 0 : a.group === '' ? -1 : b.group === '' ? 1 : a.group.localeCompare(b.group)));
  }

  entriesOf(gv: GroupVersion): CatalogEntry[] {
    return this.entries().filter((e) => e.def.group === gv.group && e.def.version === gv.version).sort((a, b) => a.def.plural.localeCompare(b.def.plural));
  }

  hasGroupVersion(group: string, version: string): boolean {
    return this.entries().some((e) => e.def.group === group && e.def.version === version);
  }

  /** Groups (non-core) with their versions. */
  groups(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const gv of this.groupVersions()) {
      if (gv.group === '') continue;
      const vs = out.get(gv.group) ?? [];
      if (!vs.includes(gv.version)) vs.push(gv.version);
      out.set(gv.group, vs);
    }
    return out;
  }
}

const key = (g: string, v: string, p: string): string => `${g}/${v}/${p}`;
