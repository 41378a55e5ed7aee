/**
 * Admission's reads of the objects a create checks against (the namespace, the pod's ServiceAccount)
 * from a watch-fed copy of their resource instead of a store read each, as upstream's admission
 * plugins read informer listers: NamespaceLifecycle, PodSecurity and ServiceAccount admission. A key
 * the copy does not hold is looked up live in the store, as upstream's plugins do on a lister miss
 * (an object created a moment ago whose event is still on its way, e.g. from another server of an
 * etcd cluster). With the SQLite and memory stores the copy is never behind this process's own
 * writes: a write's watch events are delivered before the write resolves (store/watch-hub.ts).
 *
 * With etcd the copy can be behind: a key deleted through this server (noteDeleted) is read live
 * for a while, as upstream's NamespaceLifecycle forces live lookups of a namespace it saw deleted.
 *
 * One copy per store and resource prefix, loaded on the first read (reads meanwhile go to the store);
 * if its watch ends (store closed, history compacted) the next read starts over.
 */
import type { KubeObject } from '../../api/meta.js';
import type { KeyValue, Store } from '../../store/types.js';
import { namespaceKey } from './keys.js';

export interface WatchedReads {
  /** The stored value of `key` (shared: callers must not mutate it). */
  get(key: string): Promise<KeyValue | undefined>;
  /** The value of `key` parsed, without apiVersion/kind/resourceVersion (shared and parsed once per value: callers must not mutate it). */
  parsed(key: string): Promise<KubeObject | undefined>;
  /** Read `key` from the store, not the copy, for the next FORCE_LIVE_LOOKUP_MS. */
  forceLive(key: string): void;
}

/** How long a key deleted through this server is read live (upstream lifecycle admission's forceLiveLookupTTL). */
export const FORCE_LIVE_LOOKUP_MS = 30_000;

const byStore = new WeakMap<Store, Map<string, WatchedReads>>();
const parsedValues = new WeakMap<KeyValue, KubeObject>();

/** The watched copy of every key under `prefix` (e.g. /registry/core/namespaces/) in `store`. */
export function watchedReads(store: Store, prefix: string): WatchedReads {
  let perPrefix = byStore.get(store);
  if (!perPrefix) byStore.set(store, (perPrefix = new Map()));
  let reads = perPrefix.get(prefix);
  if (!reads) perPrefix.set(prefix, (reads = createWatchedReads(store, prefix)));
  return reads;
}

/** Namespace `name` as stored (shared: callers must not mutate it), from the watched copy of namespaces. */
export function readNamespace(store: Store, name: string): Promise<KubeObject | undefined> {
  return watchedReads(store, namespaceKey('')).parsed(namespaceKey(name));
}

/**
 * A delete of `key` (marking it, as for a namespace, or removing it) goes through this server: the
 * copy's event for it may still be on its way (etcd delivers watch events after the write
 * resolves), so for a while `key` is read live, and e.g. a create in a namespace just deleted is
 * refused as Terminating, not let in because the copy still says Active.
 */
export function noteDeleted(store: Store, key: string): void {
  for (const [prefix, reads] of byStore.get(store) ?? []) if (key.startsWith(prefix)) reads.forceLive(key);
}

function createWatchedReads(store: Store, prefix: string): WatchedReads {
  let copy: Map<string, KeyValue> | undefined;
  let state: 'idle' | 'loading' | 'ready' = 'idle';
  /** Keys read live until the time noted (few: deletes of namespaces and ServiceAccounts of the last seconds). */
  const live = new Map<string, number>();
  const readLive = (key: string): boolean => {
    const until = live.get(key);
    if (until === undefined) return false;
    if (until > Date.now()) return true;
    live.delete(key);
    return false;
  };

  const load = async (): Promise<void> => {
    state = 'loading';
    try {
      const listed = await store.list(prefix);
      const fresh = new Map(listed.items.map((kv) => [kv.key, kv]));
      store.watch(prefix, listed.revision, {
        onEvents: (events) => {
          for (const ev of events) {
            if (ev.type === 'DELETE') fresh.delete(ev.kv.key);
            else fresh.set(ev.kv.key, ev.kv);
          }
        },
        onError: () => {
          copy = undefined;
          state = 'idle';
        },
      });
      copy = fresh;
      state = 'ready';
    } catch {
      state = 'idle';
    }
  };

  const get = async (key: string): Promise<KeyValue | undefined> => {
    if (state === 'idle') void load();
    return (state === 'ready' && !readLive(key) ? copy!.get(key) : undefined) ?? store.get(key);
  };
  return {
    get,
    forceLive(key) {
      const now = Date.now();
      for (const [k, until] of live) if (until <= now) live.delete(k);
      live.set(key, now + FORCE_LIVE_LOOKUP_MS);
    },
    async parsed(key) {
      const kv = await get(key);
      if (!kv) return undefined;
      let obj = parsedValues.get(kv);
      if (!obj) parsedValues.set(kv, (obj = JSON.parse(kv.value) as KubeObject));
      return obj;
    },
  };
}
