/**
 * The `bindings` collection: POST a Binding to /api/v1/namespaces/NS/bindings and the pod named by
 * its metadata.name is bound, exactly as by POST pods/NAME/binding (upstream's LegacyBindingREST
 * calls BindingREST.Create with the object's own name), admitted as a CREATE of `bindings` (no
 * subresource) as upstream's. Every other verb is refused, as the
 * collection serves create only.
 */
import type { KubeList, KubeObject } from '../../../api/meta.js';
import { bindings } from '../../../api/kinds/core/binding.js';
import { errors, type Status } from '../../../api/status.js';
import type { PodBinding } from './pod-binding.js';
import type { RequestContext, ResourceStorage, WatchStream } from '../types.js';

const notServed = (verb: string): Error => errors.methodNotAllowed(`${verb} is not supported on bindings`);

export class BindingsCollection implements ResourceStorage {
  readonly def = bindings;

  constructor(private readonly podBinding: PodBinding) {}

  /** Answers the Status pods/binding answers (201 Success); the resource handler passes it on. */
  async create(ctx: RequestContext, namespace: string | undefined, obj: KubeObject): Promise<KubeObject> {
    const name = obj.metadata?.name;
    // Upstream's pod key function refuses an empty name before anything is read.
    if (!name) throw errors.badRequest('Name parameter required.');
    return (await this.podBinding.bind(ctx, namespace, name, obj)) as Status as unknown as KubeObject;
  }

  get(): Promise<KubeObject> { return Promise.reject(notServed('get')); }
  list(): Promise<KubeList> { return Promise.reject(notServed('list')); }
  watch(): Promise<WatchStream> { return Promise.reject(notServed('watch')); }
  update(): Promise<KubeObject> { return Promise.reject(notServed('update')); }
  patch(): Promise<{ object: KubeObject; created: boolean }> { return Promise.reject(notServed('patch')); }
  delete(): Promise<{ object: KubeObject; deleted: boolean }> { return Promise.reject(notServed('delete')); }
  deleteCollection(): Promise<KubeList> { return Promise.reject(notServed('deletecollection')); }
}
