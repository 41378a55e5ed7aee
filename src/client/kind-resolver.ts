/**
 * Turning (apiVersion, kind) into the resource that serves it, as a RESTMapper does. First the
 * static resolver (the registry of kinds, when the caller provides it), then the server's discovery
 * documents (`/api/v1`, `/apis/<group>/<version>`), cached per group-version for the client's life.
 */
import { parseApiVersion, type ResourceRef } from './resource-ref.js';

/** Resolve a kind without I/O; undefined when unknown. */
export type StaticKindResolver = (group: string, version: string, kind: string) => ResourceRef | undefined;

interface DiscoveryResource { name: string; kind: string; namespaced: boolean }

export class KindResolver {
  private readonly discovered = new Map<string, Promise<DiscoveryResource[]>>();

  constructor(
    private readonly fetchJson: (path: string) => Promise<unknown>,
    private readonly staticResolver?: StaticKindResolver,
  ) {}

  /** The resource serving `kind` in `apiVersion`; throws when neither the registry nor discovery knows it. */
  async resolve(apiVersion: string, kind: string): Promise<ResourceRef> {
    const { group, version } = parseApiVersion(apiVersion);
    const known = this.staticResolver?.(group, version, kind);
    if (known) return known;
    const gv = group ? `/apis/${group}/${version}` : `/api/${version}`;
    let list = this.discovered.get(gv);
    if (!list) {
      list = this.fetchJson(gv).then((doc) => ((doc as { resources?: DiscoveryResource[] }).resources ?? []));
      list.catch(() => this.discovered.delete(gv));
      this.discovered.set(gv, list);
    }
    const hit = (await list).find((r) => r.kind === kind && !r.name.includes('/'));
    if (!hit) throw new Error(`no resource serves kind ${kind} in ${apiVersion}`);
    return { group, version, resource: hit.name, namespaced: hit.namespaced, kind };
  }
}
