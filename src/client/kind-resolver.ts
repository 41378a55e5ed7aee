/**
 * Turning (apiVersion, kind) into the resource that serves it, as a RESTMapper does. First the
 * static resolver (the registry of kinds, when the caller provides it), then the server's discovery
 * documents (`/api/v1`, `/apis/<group>/<version>`), cached per group-version.
 *
 * Custom kinds come and go with their CRDs, so the cache forgets as upstream's
 * DeferredDiscoveryRESTMapper over a memory-cached discovery client does:
 * - a kind missing from a cached document refetches that document once and looks again (upstream's
 *   RESTMapping: Reset and retry when the cache is not fresh), so a second CRD in a group-version
 *   already seen, or a version added to it, is found. At most one such refetch per group-version per
 *   `missRefreshMs`: a kind nobody serves (a stale ownerReference retried by the garbage collector)
 *   costs one discovery request a second at most, not one per lookup;
 * - a document older than `maxAgeMs` is refetched on its next use (kube-controller-manager resets
 *   its RESTMapper every 30 s), so a deleted CRD or one that stopped serving a version stops
 *   resolving;
 * - `invalidate()` drops every document (upstream's Reset), for a caller that saw discovery change.
 * A group-version the server does not serve (404) is cached as serving nothing, under the same rules;
 * other failures are not cached.
 */
import { isNotFound } from './errors.js';
import { parseApiVersion, type ResourceRef } from './resource-ref.js';

/** Resolve a kind without I/O; undefined when unknown. */
export type StaticKindResolver = (group: string, version: string, kind: string) => ResourceRef | undefined;

export interface KindResolverOptions {
  /** Minimum time between two refetches of one group-version caused by a missing kind. Default 1000 ms. */
  missRefreshMs?: number;
  /** A discovery document older than this is refetched on its next use. Default 30 000 ms. */
  maxAgeMs?: number;
  /** Milliseconds; default Date.now. */
  now?: () => number;
}

interface DiscoveryResource { name: string; kind: string; namespaced: boolean }
/** One group-version's discovery document, fetched (or being fetched) since `at`. */
interface Entry { at: number; list: Promise<DiscoveryResource[]> }

export class KindResolver {
  private readonly discovered = new Map<string, Entry>();
  private readonly missRefreshMs: number;
  private readonly maxAgeMs: number;
  private readonly now: () => number;

  constructor(
    private readonly fetchJson: (path: string) => Promise<unknown>,
    private readonly staticResolver?: StaticKindResolver,
    opts: KindResolverOptions = {},
  ) {
    this.missRefreshMs = opts.missRefreshMs ?? 1000;
    this.maxAgeMs = opts.maxAgeMs ?? 30_000;
    this.now = opts.now ?? Date.now;
  }

  /** The resource serving `kind` in `apiVersion`; throws when neither the registry nor discovery knows it. */
  async resolve(apiVersion: string, kind: string): Promise<ResourceRef> {
    const { group, version } = parseApiVersion(apiVersion);
    const known = this.staticResolver?.(group, version, kind);
    if (known) return known;
    const gv = group ? `/apis/${group}/${version}` : `/api/${version}`;
    let entry = this.discovered.get(gv);
    if (!entry || this.now() - entry.at >= this.maxAgeMs) entry = this.fetch(gv);
    let hit = find(await entry.list, kind);
    if (!hit && this.now() - entry.at >= this.missRefreshMs) {
      // Another lookup may have refetched (or be refetching) meanwhile: share its answer.
      const latest = this.discovered.get(gv);
      hit = find(await (latest && latest !== entry ? latest : this.fetch(gv)).list, kind);
    }
    if (!hit) throw new Error(`no resource serves kind ${kind} in ${apiVersion}`);
    return { group, version, resource: hit.name, namespaced: hit.namespaced, kind };
  }

  /** Forget every discovery document: the next lookup of each group-version asks the server. */
  invalidate(): void {
    this.discovered.clear();
  }

  private fetch(gv: string): Entry {
    const list = this.fetchJson(gv).then(
      (doc) => (doc as { resources?: DiscoveryResource[] }).resources ?? [],
      (err: unknown) => {
        if (isNotFound(err)) return [];
        throw err;
      },
    );
    const entry: Entry = { at: this.now(), list };
    list.catch(() => {
      if (this.discovered.get(gv) === entry) this.discovered.delete(gv);
    });
    this.discovered.set(gv, entry);
    return entry;
  }
}

function find(list: DiscoveryResource[], kind: string): DiscoveryResource | undefined {
  return list.find((r) => r.kind === kind && !r.name.includes('/'));
}
