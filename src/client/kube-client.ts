/**
 * `KubeClient`: the one way Bosun components talk to the API server. Generic verbs on any resource
 * (addressed by a `ResourceRef`), subresources, streaming watch, and resource-bound helpers such as
 * `client.pods('default')`. Every non-2xx answer rejects with `StatusError`.
 */
import type { KubeList, KubeObject, WatchEvent } from '../api/meta.js';
import type { ConfigMap, Deployment, Endpoints, Event, Lease, Namespace, Node, Pod, ReplicaSet, Secret, Service } from '../api/kinds/index.js';
import type { Status } from '../api/status.js';
import { loadKubeconfig, type ConnectionConfig } from './kubeconfig.js';
import { KindResolver, type StaticKindResolver } from './kind-resolver.js';
import {
  patchContentType, writeQuery,
  type DeleteOptions, type GetOptions, type ListOptions, type PatchOptions, type PatchType, type WatchOptions, type WriteOptions,
} from './options.js';
import { resourcePath, resources, withQuery, type ResourceRef } from './resource-ref.js';
import { registryKindResolver } from './registry-resolver.js';
import { ResourceClient } from './resource-client.js';
import { Transport, type RawRequest, type TransportOptions } from './transport.js';
import { Watch } from './watch.js';

export interface ClientOptions extends TransportOptions {
  /** Resolves kinds without I/O; default: the registry of built-in kinds. Discovery is the fallback. */
  kindResolver?: StaticKindResolver;
  /** Sent as User-Agent; the server derives the default fieldManager from it. */
  userAgent?: string;
}

export class KubeClient {
  readonly transport: Transport;
  private readonly kinds: KindResolver;

  constructor(readonly config: ConnectionConfig, opts: ClientOptions = {}) {
    this.transport = new Transport({ ...config, userAgent: opts.userAgent ?? config.userAgent ?? 'bosun' }, opts);
    this.kinds = new KindResolver((p) => this.raw('GET', p), opts.kindResolver ?? registryKindResolver);
  }

  /** A client for the kubeconfig's current (or given) context. */
  static fromKubeconfig(path: string, opts: ClientOptions & { context?: string } = {}): KubeClient {
    return new KubeClient(loadKubeconfig(path, opts.context), opts);
  }

  /** Uses a renewed client certificate for new connections (see Transport.setClientCertificate). */
  setClientCertificate(cert: string, key: string): void {
    this.transport.setClientCertificate(cert, key);
  }

  /** Release pooled connections. Watches end through their own `stop()`. */
  close(): void {
    this.transport.close();
  }

  /** The resource that serves `kind` in `apiVersion` (registry, then discovery; see KindResolver for how long that is cached). */
  resolve(apiVersion: string, kind: string): Promise<ResourceRef> {
    return this.kinds.resolve(apiVersion, kind);
  }

  /**
   * Forget the discovery documents `resolve` cached (upstream's RESTMapper Reset), for a caller that
   * saw the served resources change (a CRD added, removed or serving other versions).
   */
  invalidateDiscovery(): void {
    this.kinds.invalidate();
  }

  /** Verbs for the resource serving `obj`'s apiVersion and kind, in its namespace. */
  async forObject<T extends KubeObject = KubeObject>(obj: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>): Promise<ResourceClient<T>> {
    if (!obj.apiVersion || !obj.kind) throw new Error('object needs apiVersion and kind');
    const ref = await this.resolve(obj.apiVersion, obj.kind);
    return this.resource<T>(ref, ref.namespaced === false ? undefined : obj.metadata.namespace);
  }

  /**
   * Verbs bound to one resource and namespace, typed as the ref's kind (`resources.pods` gives Pods).
   * A type argument still narrows an untyped ref (one resolved at run time).
   */
  resource<T extends KubeObject = KubeObject>(ref: ResourceRef<T> | ResourceRef, namespace?: string): ResourceClient<T> {
    return new ResourceClient<T>(this, ref, namespace);
  }

  // Shortcuts for the resources components use most, typed as the kind (as `client.resource(resources.pods)`);
  // a type argument still narrows or widens where a caller needs it.
  pods<T extends KubeObject = Pod>(namespace?: string) { return this.resource<T>(resources.pods, namespace); }
  services<T extends KubeObject = Service>(namespace?: string) { return this.resource<T>(resources.services, namespace); }
  endpoints<T extends KubeObject = Endpoints>(namespace?: string) { return this.resource<T>(resources.endpoints, namespace); }
  configMaps<T extends KubeObject = ConfigMap>(namespace?: string) { return this.resource<T>(resources.configmaps, namespace); }
  secrets<T extends KubeObject = Secret>(namespace?: string) { return this.resource<T>(resources.secrets, namespace); }
  events<T extends KubeObject = Event>(namespace?: string) { return this.resource<T>(resources.events, namespace); }
  deployments<T extends KubeObject = Deployment>(namespace?: string) { return this.resource<T>(resources.deployments, namespace); }
  replicaSets<T extends KubeObject = ReplicaSet>(namespace?: string) { return this.resource<T>(resources.replicasets, namespace); }
  leases<T extends KubeObject = Lease>(namespace?: string) { return this.resource<T>(resources.leases, namespace); }
  nodes<T extends KubeObject = Node>() { return this.resource<T>(resources.nodes); }
  namespaces<T extends KubeObject = Namespace>() { return this.resource<T>(resources.namespaces); }

  async get<T extends KubeObject = KubeObject>(ref: ResourceRef, namespace: string | undefined, name: string, opts: GetOptions = {}): Promise<T> {
    return this.call('GET', withQuery(resourcePath(ref, namespace, name), { resourceVersion: opts.resourceVersion }), undefined, opts);
  }

  async list<T extends KubeObject = KubeObject>(ref: ResourceRef, namespace: string | undefined, opts: ListOptions = {}): Promise<KubeList<T>> {
    return this.call('GET', withQuery(resourcePath(ref, namespace), listQuery(opts)), undefined, opts);
  }

  /** Every page of a list, concatenated; the result carries the first page's resourceVersion. */
  async listAll<T extends KubeObject = KubeObject>(ref: ResourceRef, namespace: string | undefined, opts: ListOptions = {}): Promise<KubeList<T>> {
    const first = await this.list<T>(ref, namespace, opts);
    let cont = first.metadata.continue;
    while (cont) {
      const page = await this.list<T>(ref, namespace, { ...opts, continue: cont, resourceVersion: undefined });
      first.items.push(...page.items);
      cont = page.metadata.continue;
    }
    delete first.metadata.continue;
    return first;
  }

  async create<T extends KubeObject = KubeObject>(ref: ResourceRef, namespace: string | undefined, obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.call('POST', withQuery(resourcePath(ref, namespace), writeQuery(opts)), obj, opts);
  }

  /** PUT of the whole object; `metadata.resourceVersion` makes it conditional (409 when stale). */
  async update<T extends KubeObject = KubeObject>(ref: ResourceRef, namespace: string | undefined, obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.call('PUT', withQuery(resourcePath(ref, namespace, nameOf(obj)), writeQuery(opts)), obj, opts);
  }

  /** PUT to the status subresource: only `status` changes. */
  async updateStatus<T extends KubeObject = KubeObject>(ref: ResourceRef, namespace: string | undefined, obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.call('PUT', withQuery(resourcePath(ref, namespace, nameOf(obj), 'status'), writeQuery(opts)), obj, opts);
  }

  /**
   * PATCH in one of the four flavours. `apply` needs `fieldManager` and creates a missing object.
   * `subresource` targets e.g. `status` or `scale`.
   */
  async patch<T extends KubeObject = KubeObject>(
    ref: ResourceRef, namespace: string | undefined, name: string, type: PatchType, body: unknown,
    opts: PatchOptions & { subresource?: string } = {},
  ): Promise<T> {
    if (type === 'apply' && !opts.fieldManager) throw new Error('apply patches need a fieldManager');
    const path = withQuery(resourcePath(ref, namespace, name, opts.subresource), writeQuery({ ...opts, force: type === 'apply' ? opts.force : undefined }));
    return this.call('PATCH', path, body, opts, patchContentType[type]);
  }

  /**
   * As `patch`, for a caller that does not read the answer: the object the server returns is not
   * decoded (client-go's `Do(ctx).Error()`), which a status or finalizer patch of a large pod
   * otherwise pays for in full. Failures still reject with StatusError.
   */
  async patchNoResult(
    ref: ResourceRef, namespace: string | undefined, name: string, type: Exclude<PatchType, 'apply'>, body: unknown,
    opts: PatchOptions & { subresource?: string } = {},
  ): Promise<void> {
    const path = withQuery(resourcePath(ref, namespace, name, opts.subresource), writeQuery(opts));
    await this.transport.request({ method: 'PATCH', path, signal: opts.signal, body: JSON.stringify(body), contentType: patchContentType[type] });
  }

  /** DELETE; resolves with the object (still present while finalizers run, or as deleted) or a Status. */
  async delete<T extends KubeObject = KubeObject>(ref: ResourceRef, namespace: string | undefined, name: string, opts: DeleteOptions = {}): Promise<T | Status> {
    return this.call('DELETE', withQuery(resourcePath(ref, namespace, name), { dryRun: opts.dryRun ? 'All' : undefined }), deleteBody(opts), opts);
  }

  /** DELETE on the collection: every object matching the selectors. */
  async deleteCollection<T extends KubeObject = KubeObject>(
    ref: ResourceRef, namespace: string | undefined, selectors: ListOptions = {}, opts: DeleteOptions = {},
  ): Promise<KubeList<T> | Status> {
    const q = { ...listQuery(selectors), dryRun: opts.dryRun ? 'All' : undefined };
    return this.call('DELETE', withQuery(resourcePath(ref, namespace), q), deleteBody(opts), opts);
  }

  /** Open a watch. Resolves once the server accepted it; iterate the result for events. */
  async watch<T extends KubeObject = KubeObject>(ref: ResourceRef, namespace: string | undefined, opts: WatchOptions = {}): Promise<Watch<T>> {
    const abort = new AbortController();
    if (opts.signal?.aborted) abort.abort();
    const onOuterAbort = () => abort.abort();
    opts.signal?.addEventListener('abort', onOuterAbort, { once: true });
    const path = withQuery(resourcePath(ref, namespace), {
      watch: 'true',
      resourceVersion: opts.resourceVersion,
      labelSelector: opts.labelSelector,
      fieldSelector: opts.fieldSelector,
      allowWatchBookmarks: opts.allowWatchBookmarks,
      timeoutSeconds: opts.timeoutSeconds,
      sendInitialEvents: opts.sendInitialEvents,
      // The API server takes sendInitialEvents only with NotOlderThan (validateWatchOptions).
      resourceVersionMatch: opts.sendInitialEvents !== undefined ? 'NotOlderThan' : undefined,
    });
    try {
      const res = await this.transport.stream({ method: 'GET', path, signal: abort.signal });
      res.on('close', () => opts.signal?.removeEventListener('abort', onOuterAbort));
      return new Watch<T>(res, abort);
    } catch (err) {
      opts.signal?.removeEventListener('abort', onOuterAbort);
      throw err;
    }
  }

  /**
   * Callback-style watch: calls `onEvent` for each event until the stream ends. The promise settles
   * when it ends (rejecting on ERROR events or connection failure; resolving on stop or server close).
   */
  async watchEach<T extends KubeObject = KubeObject>(
    ref: ResourceRef, namespace: string | undefined, opts: WatchOptions,
    onEvent: (ev: WatchEvent<T>) => void | Promise<void>,
  ): Promise<void> {
    const w = await this.watch<T>(ref, namespace, opts);
    for await (const ev of w) await onEvent(ev);
  }

  /** GET a subresource (e.g. `scale`, `status`). */
  async getSubresource<R = KubeObject>(ref: ResourceRef, namespace: string | undefined, name: string, sub: string, opts: GetOptions = {}): Promise<R> {
    return this.call('GET', resourcePath(ref, namespace, name, sub), undefined, opts);
  }

  /** POST to an action subresource (`pods/binding`, `pods/eviction`). */
  async createSubresource<R = KubeObject>(ref: ResourceRef, namespace: string | undefined, name: string, sub: string, body: unknown, opts: WriteOptions = {}): Promise<R> {
    return this.call('POST', withQuery(resourcePath(ref, namespace, name, sub), writeQuery(opts)), body, opts);
  }

  /** PUT a subresource (e.g. `scale`). */
  async updateSubresource<R = KubeObject>(ref: ResourceRef, namespace: string | undefined, name: string, sub: string, body: unknown, opts: WriteOptions = {}): Promise<R> {
    return this.call('PUT', withQuery(resourcePath(ref, namespace, name, sub), writeQuery(opts)), body, opts);
  }

  /** Any request to any path (discovery, /version, /healthz), the answer parsed as JSON. */
  async raw<R = unknown>(method: RawRequest['method'], path: string, body?: unknown, opts: { signal?: AbortSignal; contentType?: string } = {}): Promise<R> {
    return this.call(method, path, body, opts, opts.contentType);
  }

  private async call<R>(method: RawRequest['method'], path: string, body: unknown, opts: { signal?: AbortSignal }, contentType?: string): Promise<R> {
    const res = await this.transport.request({
      method, path, signal: opts.signal,
      body: body === undefined ? undefined : JSON.stringify(body),
      contentType,
    });
    return (res.body ? JSON.parse(res.body) : undefined) as R;
  }
}

function nameOf(obj: KubeObject): string {
  const name = obj.metadata?.name;
  if (!name) throw new Error('object has no metadata.name');
  return name;
}

function listQuery(o: ListOptions): Record<string, string | number | undefined> {
  return {
    labelSelector: o.labelSelector, fieldSelector: o.fieldSelector, limit: o.limit || undefined,
    continue: o.continue, resourceVersion: o.resourceVersion, resourceVersionMatch: o.resourceVersionMatch,
  };
}

/**
 * The DeleteOptions body, or none when only dryRun (sent in the query) is set. A body carries dryRun
 * too: the API server (kube-apiserver as Bosun's) reads the query only when there is no body.
 */
function deleteBody(o: DeleteOptions): Record<string, unknown> | undefined {
  const { signal: _s, dryRun, ...rest } = o;
  if (Object.keys(rest).length === 0) return undefined;
  return { kind: 'DeleteOptions', apiVersion: 'v1', ...rest, ...(dryRun ? { dryRun: ['All'] } : {}) };
}
