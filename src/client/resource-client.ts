/**
 * Verbs bound to one resource and namespace: `client.resource(resources.pods, 'default').get('web')`.
 * Subresource helpers (scale, binding, eviction, status) live here because they read best bound.
 */
import type { KubeList, KubeObject, WatchEvent } from '../api/meta.js';
import type { Status } from '../api/status.js';
import type { KubeClient } from './kube-client.js';
import type {
  DeleteOptions, GetOptions, ListOptions, PatchOptions, PatchType, WatchOptions, WriteOptions,
} from './options.js';
import type { ResourceRef } from './resource-ref.js';
import type { Watch } from './watch.js';

/** autoscaling/v1 Scale. */
export interface Scale extends KubeObject {
  spec: { replicas?: number };
  status?: { replicas: number; selector?: string };
}

export class ResourceClient<T extends KubeObject = KubeObject> {
  constructor(readonly client: KubeClient, readonly ref: ResourceRef<T> | ResourceRef, readonly namespace?: string) {}

  get(name: string, opts?: GetOptions): Promise<T> {
    return this.client.get<T>(this.ref, this.namespace, name, opts);
  }
  list(opts?: ListOptions): Promise<KubeList<T>> {
    return this.client.list<T>(this.ref, this.namespace, opts);
  }
  listAll(opts?: ListOptions): Promise<KubeList<T>> {
    return this.client.listAll<T>(this.ref, this.namespace, opts);
  }
  create(obj: T, opts?: WriteOptions): Promise<T> {
    return this.client.create<T>(this.ref, this.namespace ?? obj.metadata.namespace, obj, opts);
  }
  update(obj: T, opts?: WriteOptions): Promise<T> {
    return this.client.update<T>(this.ref, this.namespace ?? obj.metadata.namespace, obj, opts);
  }
  updateStatus(obj: T, opts?: WriteOptions): Promise<T> {
    return this.client.updateStatus<T>(this.ref, this.namespace ?? obj.metadata.namespace, obj, opts);
  }
  patch(name: string, type: PatchType, body: unknown, opts?: PatchOptions & { subresource?: string }): Promise<T> {
    return this.client.patch<T>(this.ref, this.namespace, name, type, body, opts);
  }
  /** Server-side apply of `obj` (its name is the target). */
  apply(obj: T, fieldManager: string, opts: Omit<PatchOptions, 'fieldManager'> = {}): Promise<T> {
    if (!obj.metadata.name) throw new Error('apply needs metadata.name');
    return this.client.patch<T>(this.ref, this.namespace ?? obj.metadata.namespace, obj.metadata.name, 'apply', obj, { ...opts, fieldManager });
  }
  patchStatus(name: string, type: PatchType, body: unknown, opts?: PatchOptions): Promise<T> {
    return this.client.patch<T>(this.ref, this.namespace, name, type, body, { ...opts, subresource: 'status' });
  }
  /** A patch whose answer the caller does not read (not decoded: KubeClient.patchNoResult). */
  patchNoResult(name: string, type: Exclude<PatchType, 'apply'>, body: unknown, opts?: PatchOptions & { subresource?: string }): Promise<void> {
    return this.client.patchNoResult(this.ref, this.namespace, name, type, body, opts);
  }
  /** A status patch whose answer the caller does not read. */
  patchStatusNoResult(name: string, type: Exclude<PatchType, 'apply'>, body: unknown, opts?: PatchOptions): Promise<void> {
    return this.client.patchNoResult(this.ref, this.namespace, name, type, body, { ...opts, subresource: 'status' });
  }
  delete(name: string, opts?: DeleteOptions): Promise<T | Status> {
    return this.client.delete<T>(this.ref, this.namespace, name, opts);
  }
  deleteCollection(selectors?: ListOptions, opts?: DeleteOptions): Promise<KubeList<T> | Status> {
    return this.client.deleteCollection<T>(this.ref, this.namespace, selectors, opts);
  }
  watch(opts?: WatchOptions): Promise<Watch<T>> {
    return this.client.watch<T>(this.ref, this.namespace, opts);
  }
  watchEach(opts: WatchOptions, onEvent: (ev: WatchEvent<T>) => void | Promise<void>): Promise<void> {
    return this.client.watchEach<T>(this.ref, this.namespace, opts, onEvent);
  }

  /** GET the scale subresource (autoscaling/v1 Scale). */
  getScale(name: string): Promise<Scale> {
    return this.client.getSubresource<Scale>(this.ref, this.namespace, name, 'scale');
  }
  /** Set replicas through the scale subresource, as `kubectl scale` does (merge patch). */
  patchScale(name: string, replicas: number, opts?: WriteOptions): Promise<Scale> {
    return this.client.patch(this.ref, this.namespace, name, 'merge', { spec: { replicas } }, { ...opts, subresource: 'scale' }) as Promise<Scale>;
  }

  /** pods/binding: assign a pod to a node (what the scheduler does). */
  bind(podName: string, nodeName: string, opts?: WriteOptions & { podUID?: string }): Promise<Status | KubeObject> {
    const body = {
      apiVersion: 'v1', kind: 'Binding',
      metadata: { name: podName, namespace: this.namespace, ...(opts?.podUID ? { uid: opts.podUID } : {}) },
      target: { apiVersion: 'v1', kind: 'Node', name: nodeName },
    };
    return this.client.createSubresource(this.ref, this.namespace, podName, 'binding', body, opts);
  }

  /** pods/eviction: evict a pod, honouring PodDisruptionBudgets (429 when one forbids it). */
  evict(podName: string, deleteOptions?: Omit<DeleteOptions, 'signal' | 'dryRun'>, opts?: WriteOptions): Promise<Status | KubeObject> {
    const body = {
      apiVersion: 'policy/v1', kind: 'Eviction',
      metadata: { name: podName, namespace: this.namespace },
      ...(deleteOptions ? { deleteOptions: { kind: 'DeleteOptions', apiVersion: 'v1', ...deleteOptions } } : {}),
    };
    return this.client.createSubresource(this.ref, this.namespace, podName, 'eviction', body, opts);
  }
}
