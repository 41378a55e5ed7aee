/**
 * The store the storage tests run on, chosen by BOSUN_STORAGE_TEST_BACKEND: `memory` (the default),
 * `sqlite` (in memory; the default store of a Bosun server) or `etcd` (the etcd at
 * BOSUN_STORAGE_TEST_ETCD, else a private etcd for the test file, started on first use; each store
 * under its own key prefix), so the same suite checks that the storage layer behaves the same on
 * every backend.
 */
import { randomBytes } from 'node:crypto';
import { EtcdStore } from '../../../store/etcd.js';
import { MemoryStore } from '../../../store/memory.js';
import { SqliteStore } from '../../../store/sqlite.js';
import { startEtcd, type EtcdServer } from '../../../store/testing/etcd-server.js';
import type { Store, StoreEvent } from '../../../store/types.js';

let etcd: Promise<EtcdServer> | undefined;
let open = 0;
let idleStop: NodeJS.Timeout | undefined;

/**
 * A private etcd as the storage tests want it: quiet watches hear from etcd every 100 ms (etcd's
 * default is 10 minutes), so that bookmarks advance with writes elsewhere within a test's patience
 * (store/etcd-watch.ts: progress).
 */
export function startTestEtcd(): Promise<EtcdServer> {
  return startEtcd({ progressNotifyIntervalMs: 100 });
}

/** A fresh, empty store and what releases it (for etcd: the server too, once no store is open for a moment). */
export async function openTestStore(): Promise<{ store: Store; release(): Promise<void> }> {
  const backend = process.env.BOSUN_STORAGE_TEST_BACKEND ?? 'memory';
  if (backend === 'memory') return released(new MemoryStore());
  if (backend === 'sqlite') return released(new SqliteStore({ path: ':memory:' }));
  if (backend !== 'etcd') throw new Error(`BOSUN_STORAGE_TEST_BACKEND=${backend}: expected memory, sqlite or etcd`);
  const given = process.env.BOSUN_STORAGE_TEST_ETCD;
  const prefix = `/bosun-test-${randomBytes(4).toString('hex')}`;
  if (given) {
    const store = new EtcdStore({ endpoints: [given], prefix });
    await store.ready();
    return released(store);
  }
  clearTimeout(idleStop);
  open++;
  etcd ??= startTestEtcd();
  const store = new EtcdStore({ endpoints: [(await etcd).endpoint], prefix });
  await store.ready();
  let done = false;
  return {
    store,
    async release() {
      if (done) return;
      done = true;
      await store.close();
      // The etcd child keeps the test process alive: stop it when the file's tests are done
      // (no store opened again within a second of the last close), not between two tests.
      if (--open === 0) {
        idleStop = setTimeout(() => {
          const server = etcd;
          etcd = undefined;
          void server?.then((s) => s.stop());
        }, 1000);
      }
    },
  };
}

function released(store: Store): { store: Store; release(): Promise<void> } {
  return { store, release: () => store.close() };
}

/** Records the store events handed to each watch of `store` under `under`, one list per watch in the order they open. */
export function tapStoreWatches(store: Store, under: string): StoreEvent[][] {
  const taps: StoreEvent[][] = [];
  const watch = store.watch.bind(store);
  store.watch = (prefix, afterRevision, cb) => {
    if (!prefix.startsWith(under)) return watch(prefix, afterRevision, cb);
    const seen: StoreEvent[] = [];
    taps.push(seen);
    return watch(prefix, afterRevision, { ...cb, onEvents: (evs) => (seen.push(...evs), cb.onEvents(evs)) });
  };
  return taps;
}
