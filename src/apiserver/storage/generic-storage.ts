/**
 * ResourceStorage for one resource over the revisioned store: every verb and the status and scale
 * subresources. The verbs live in their own files; this class routes between them.
 */
import type { KubeList, KubeObject } from '../../api/meta.js';
import type { ResourceDefinition } from '../../api/resource.js';
import { errors } from '../../api/status.js';
import type { Store } from '../../store/types.js';
import { createObject } from './create.js';
import { deleteObject } from './delete.js';
import { patchObject, scaleServerSideApply, serverSideApply } from './patch-adapter.js';
import { getObject, listObjects } from './read.js';
import { ephemeralContainersUpdate } from './ephemeral-containers.js';
import { applyScale, checkScaleName, checkScaleUid, scaleAdmission, toScale } from './scale.js';
import { StorageCore, type StorageOptions } from './storage-core.js';
import type { Strategy } from './strategies/types.js';
import { putPreconditions } from './preconditions.js';
import { updateObject, type Produce, type UpdateOptions } from './update.js';
import { watchObjects } from './watch.js';
import type {
  DeleteOptions, ListQuery, PatchRequest, RequestContext, ResourceStorage, StorageSubresource, WatchQuery, WatchSink, WatchStream,
} from './types.js';
import { cloneJson } from '../../api/json-clone.js';

export class GenericStorage implements ResourceStorage {
  readonly core: StorageCore;

  constructor(store: Store, readonly def: ResourceDefinition, strategy: Strategy = {}, options: StorageOptions = {}) {
    this.core = new StorageCore(store, def, strategy, options);
  }

  create(ctx: RequestContext, namespace: string | undefined, obj: KubeObject): Promise<KubeObject> {
    return createObject(this.core, ctx, this.def.namespaced ? namespace : undefined, obj);
  }

  async get(_ctx: RequestContext, namespace: string | undefined, name: string, sub?: StorageSubresource): Promise<KubeObject> {
    this.checkSub(sub);
    const { obj } = await getObject(this.core, namespace, name);
    return sub === 'scale' ? toScale(this.def.scale!, obj) : obj;
  }

  list(ctx: RequestContext, namespace: string | undefined, q: ListQuery): Promise<KubeList> {
    return listObjects(this.core, ctx, this.def.namespaced ? namespace : undefined, q);
  }

  listEach(ctx: RequestContext, namespace: string | undefined, q: ListQuery, each: (obj: KubeObject) => void): Promise<KubeList> {
    return listObjects(this.core, ctx, this.def.namespaced ? namespace : undefined, q, each);
  }

  watch(ctx: RequestContext, namespace: string | undefined, q: WatchQuery, sink: WatchSink): Promise<WatchStream> {
    return watchObjects(this.core, ctx, this.def.namespaced ? namespace : undefined, q, sink);
  }

  async update(ctx: RequestContext, namespace: string | undefined, name: string, obj: KubeObject, sub?: StorageSubresource): Promise<KubeObject> {
    this.checkSub(sub);
    if (sub === 'scale') {
      checkScaleName(obj, name);
      const produce: Produce = (cur) => (cur ? applyScale(this.def.scale!, cur, obj) : undefined);
      const { object } = await updateObject(this.core, ctx, namespace, name, produce, {
        checkFields: false, managedFieldsSubresource: 'scale', admission: scaleAdmission(this.def.scale!), preconditions: putPreconditions(obj),
      });
      return toScale(this.def.scale!, object);
    }
    const allowCreate = !sub && this.core.strategy.allowCreateOnUpdate;
    const produce: Produce = (cur) => (cur || allowCreate ? cloneJson(obj) : undefined);
    return (await updateObject(this.core, ctx, namespace, name, produce, { ...this.subOptions(sub), freshCandidate: true, preconditions: putPreconditions(obj) })).object;
  }

  async patch(
    ctx: RequestContext, namespace: string | undefined, name: string, patch: PatchRequest, sub?: StorageSubresource,
  ): Promise<{ object: KubeObject; created: boolean }> {
    this.checkSub(sub);
    if (sub === 'scale') {
      const info = this.def.scale!;
      const apply = patch.type === 'apply';
      const produce: Produce = (cur) => {
        if (!cur) return undefined;
        if (apply) return scaleServerSideApply(this.def, ctx, cur, name, patch.body, !!patch.force);
        const patched = patchObject(undefined, toScale(info, cur), patch);
        checkScaleName(patched, name);
        const next = applyScale(info, cur, patched);
        checkScaleUid(this.def, patched, cur);
        return next;
      };
      const { object } = await updateObject(this.core, ctx, namespace, name, produce, {
        checkFields: false, managedFieldsSubresource: 'scale', managedFieldsDone: apply, admission: scaleAdmission(info),
      });
      return { object: toScale(info, object), created: false };
    }
    const opts: UpdateOptions = this.subOptions(sub);
    let produce: Produce;
    if (patch.type === 'apply') {
      opts.managedFieldsDone = true;
      // An apply creates only through the main resource: subresources never create on update (StatusREST).
      produce = (cur) => (cur || !sub ? serverSideApply(this.def, ctx, cur, patch.body, !!patch.force, sub).object : undefined);
    } else {
      // patchObject clones `cur` before patching it (json, merge and strategic alike), but for a
      // merge patch of the request's own copy (a /status write), which it patches copy on write.
      opts.freshCandidate = true;
      produce = (cur, owned) => (cur ? patchObject(this.def, cur, patch, owned) : undefined);
      opts.patch = patch;
    }
    return updateObject(this.core, ctx, namespace, name, produce, opts);
  }

  delete(ctx: RequestContext, namespace: string | undefined, name: string, opts: DeleteOptions): Promise<{ object: KubeObject; deleted: boolean }> {
    return deleteObject(this.core, ctx, namespace, name, opts);
  }

  /** Delete every object the query selects (not atomic, as upstream); returns the list as selected. */
  async deleteCollection(ctx: RequestContext, namespace: string | undefined, q: ListQuery, opts: DeleteOptions): Promise<KubeList> {
    const list = await this.list(ctx, namespace, q);
    for (const item of list.items) {
      try {
        await this.delete(ctx, item.metadata.namespace, item.metadata.name!, { ...opts, preconditions: undefined });
      } catch (err) {
        if ((err as { code?: number }).code !== 404) throw err;
      }
    }
    delete list.metadata.continue;
    delete list.metadata.remainingItemCount;
    return list;
  }

  /** Update options of a write to the main resource, /status or /ephemeralcontainers. */
  private subOptions(sub: 'status' | 'ephemeralcontainers' | undefined): UpdateOptions {
    return sub === 'ephemeralcontainers' ? ephemeralContainersUpdate(this.core) : { subresource: sub };
  }

  private checkSub(sub: StorageSubresource | undefined): void {
    if (sub === 'ephemeralcontainers' && !this.def.subresources.includes(sub)) throw errors.notFound({ kind: this.def.kind, resource: `${this.def.plural}/${sub}` });
    if (sub === 'status' && !this.def.hasStatusSubresource) throw errors.notFound({ kind: this.def.kind, resource: `${this.def.plural}/status` });
    if (sub === 'scale' && !this.def.scale) throw errors.notFound({ kind: this.def.kind, resource: `${this.def.plural}/scale` });
  }
}

