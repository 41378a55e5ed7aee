/**
 * A namespace-indexed copy of every object of one kind in a store, fed by a store watch: the
 * LimitRanger and ResourceQuota plugins read their objects here on each pod create instead of
 * listing the store (upstream's plugins read informer caches the same way). Until the first list
 * finishes, readers wait for it; if the watch fails, the copy is rebuilt on the next read.
 */
import type { ResourceDefinition } from '../../api/resource.js';
import type { KubeObject } from '../../api/meta.js';
import type { KeyValue, Store } from '../../store/types.js';
import { decodeKv } from '../storage/codec.js';
import { resourcePrefix } from '../storage/keys.js';

export interface Watched<T> {
  /** The objects of `namespace` (a shared array: callers must not mutate it or its objects). */
  inNamespace(namespace: string): Promise<readonly T[]>;
}

export function watchedObjects<T extends KubeObject>(store: Store, def: ResourceDefinition<T>): Watched<T> {
  const prefix = resourcePrefix(def);
  let byKey: Map<string, T> | undefined;
  let byNs = new Map<string, T[]>();
  let ready: Promise<void> | undefined;

  const reindex = () => {
    byNs = new Map();
    for (const obj of byKey!.values()) {
      const ns = obj.metadata?.namespace ?? '';
      const list = byNs.get(ns);
      if (list) list.push(obj); else byNs.set(ns, [obj]);
    }
  };
  const decode = (kv: KeyValue): T => {
    const obj = decodeKv(def, kv);
    obj.metadata.resourceVersion = String(kv.modRevision);
    return obj;
  };
  const load = async () => {
    const listed = await store.list(prefix);
    byKey = new Map(listed.items.map((kv) => [kv.key, decode(kv)]));
    reindex();
    store.watch(prefix, listed.revision, {
      onEvents: (events) => {
        for (const ev of events) {
          if (ev.type === 'DELETE') byKey!.delete(ev.kv.key);
          else byKey!.set(ev.kv.key, decode(ev.kv));
        }
        reindex();
      },
      onError: () => { ready = undefined; },
    });
  };
  return {
    async inNamespace(namespace) {
      ready ??= load().catch((err: unknown) => { ready = undefined; throw err; });
      await ready;
      return byNs.get(namespace) ?? [];
    },
  };
}
