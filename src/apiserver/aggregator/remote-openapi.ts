/**
 * Extension API servers' OpenAPI in this server's documents, as kube-aggregator's openapi (v2) and
 * openapiv3 controllers: when a remote APIService passes its availability check for the first time,
 * after its spec changed, and then at most once a minute (upstream's resync), its /openapi/v2 and
 * /openapi/v3 (the index, then the document of its own group/version) are downloaded as
 * system:kube-aggregator; an APIService that fails its check or is deleted drops out at once.
 * `merge` gives the documents /openapi/* serve: the server's own, unchanged (the same object, no
 * extra cost) while no extension contributed anything; else a copy with each extension's v3
 * group/version document (listed in the index under its own hash) and its v2 definitions
 * (openapi-v2-merge.ts), extensions taken by APIService priority as upstream's sortByPriority.
 * Differences: upstream proxies v3 documents at request time and lists the whole v3 index of an
 * extension; here the document is served from the download and only `apis/<group>/<version>` of the
 * APIService is listed. An extension without /openapi/v3 contributes no v3 document (upstream
 * converts its v2 document).
 */
import type { APIService, APIServiceSpec } from '../../api/kinds/apiregistration/api-service.js';
import { openApiHash, type OpenApiDocs } from '../openapi/documents.js';
import { encodeOpenApiV2 } from '../openapi/v2-protobuf.js';
import type { RequestContext } from '../storage/types.js';
import { definitionsUnderApis, mergeDefinitions, type Definitions, type SwaggerDocument } from './openapi-v2-merge.js';
import { remoteGet, type RemoteAgents } from './remote-transport.js';
import { resolveService, type ServiceStorages } from './service-resolver.js';

/** What one extension contributes. */
interface ExtensionSpec {
  spec: APIServiceSpec;
  specJson: string;
  fetchedAt: number;
  v2?: Definitions;
  v3?: { key: string; doc: object; hash: string };
}

const DOWNLOAD_TIMEOUT_MS = 60_000;
const CTX = (): RequestContext => ({ user: 'system:kube-aggregator', groups: ['system:masters'], dryRun: false, fieldValidation: 'Ignore', warnings: [] });

export interface RemoteOpenApiOptions extends ServiceStorages {
  agents: RemoteAgents;
  log: (msg: string, err?: unknown) => void;
  /** How old a download may get before the next passed check fetches it again (default 60 s). */
  refreshMs?: number;
  now?: () => number;
}

export class RemoteOpenApi {
  private readonly specs = new Map<string, ExtensionSpec>();
  /** APIServices whose last check passed, with the spec that was checked: a download lands only if it still matches. */
  private readonly available = new Map<string, string>();
  private readonly fetching = new Set<string>();
  private readonly listeners = new Set<() => void>();

  constructor(private readonly o: RemoteOpenApiOptions) {}

  /** Told the outcome of each availability check (a deleted APIService: `a` undefined, not available). */
  observe(name: string, a: APIService | undefined, available: boolean): void {
    if (!available || !a?.spec?.service) {
      this.available.delete(name);
      if (this.specs.delete(name)) this.changed();
      return;
    }
    const specJson = JSON.stringify(a.spec);
    this.available.set(name, specJson);
    const have = this.specs.get(name);
    const now = (this.o.now ?? Date.now)();
    if (have && have.specJson === specJson && now - have.fetchedAt < (this.o.refreshMs ?? 60_000)) return;
    if (this.fetching.has(name)) return;
    this.fetching.add(name);
    void this.download(a.spec).then((got) => {
      if (this.available.get(name) !== specJson) return;
      const before = this.specs.get(name);
      this.specs.set(name, { spec: a.spec!, specJson, fetchedAt: now, ...got });
      if (!before || JSON.stringify([before.v2, before.v3?.hash]) !== JSON.stringify([got.v2, got.v3?.hash])) this.changed();
    }, (err: unknown) => {
      // Tried again after refreshMs, not at every check; the last download, if any, kept (upstream's cached.LastSuccess).
      if (this.available.get(name) === specJson) this.specs.set(name, { ...this.specs.get(name), spec: a.spec!, specJson, fetchedAt: now });
      this.o.log(`apiservice ${name}: OpenAPI download failed (tried again in a minute)`, err);
    }).finally(() => this.fetching.delete(name));
  }

  /** Calls `fn` whenever what the extensions contribute changed; returns the unsubscribe function. */
  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private changed(): void {
    for (const fn of this.listeners) fn();
  }

  /** Downloads what an extension serves; a 404 (no such document) contributes nothing. */
  private async download(spec: APIServiceSpec): Promise<Pick<ExtensionSpec, 'v2' | 'v3'>> {
    const ep = await resolveService(this.o, CTX(), spec.service!);
    const agent = this.o.agents.agentFor(spec);
    const getJson = async (path: string): Promise<unknown> => {
      const r = await remoteGet(ep, path, agent, DOWNLOAD_TIMEOUT_MS);
      if (r.status === 404) return undefined;
      if (r.status < 200 || r.status >= 300) throw new Error(`GET ${path}: status ${r.status}`);
      return JSON.parse(r.body) as unknown;
    };
    const out: Pick<ExtensionSpec, 'v2' | 'v3'> = {};
    const v2 = await getJson('/openapi/v2') as SwaggerDocument | undefined;
    if (v2) out.v2 = definitionsUnderApis(v2);
    const key = `apis/${spec.group ?? ''}/${spec.version ?? ''}`;
    const index = await getJson('/openapi/v3') as { paths?: Record<string, unknown> } | undefined;
    if (index?.paths?.[key] !== undefined) {
      const doc = await getJson(`/openapi/v3/${key}`) as object | undefined;
      if (doc) out.v3 = { key, doc, hash: openApiHash(doc) };
    }
    return out;
  }

  /** This server's documents with the extensions' merged in (`local` itself when none contributes). */
  merge(local: OpenApiDocs): OpenApiDocs {
    const contributing = [...this.specs].filter(([, s]) => s.v2 || s.v3);
    if (contributing.length === 0) return local;
    contributing.sort(([an, a], [bn, b]) => (b.spec.groupPriorityMinimum - a.spec.groupPriorityMinimum) || (b.spec.versionPriority - a.spec.versionPriority) || an.localeCompare(bn));
    const groupVersion = new Map(local.groupVersion);
    const paths = { ...local.index.paths };
    const localV2 = local.v2 as { definitions?: Definitions };
    const definitions: Definitions = { ...localV2.definitions };
    for (const [, s] of contributing) {
      if (s.v3) {
        groupVersion.set(s.v3.key, s.v3.doc);
        paths[s.v3.key] = { serverRelativeURL: `/openapi/v3/${s.v3.key}?hash=${s.v3.hash}` };
      }
      if (s.v2) mergeDefinitions(definitions, s.v2);
    }
    const v2 = { ...localV2, definitions };
    let v2Protobuf: Buffer | undefined;
    return {
      index: { paths }, groupVersion, v2,
      get v2Protobuf() {
        v2Protobuf ??= encodeOpenApiV2(v2);
        return v2Protobuf;
      },
    };
  }
}
