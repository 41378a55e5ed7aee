/**
 * Entry point of the store: pick a backend. The API server is the only importer (layering rule).
 */
import type { Store } from './types.js';
import { MemoryStore } from './memory.js';
import { SqliteStore } from './sqlite.js';
import { EtcdStore, type EtcdTls } from './etcd.js';
import type { AutoCompactOptions } from './auto-compact.js';

export * from './types.js';
export { MemoryStore } from './memory.js';
export { SqliteStore } from './sqlite.js';
export { EtcdStore, type EtcdStoreOptions, type EtcdTls } from './etcd.js';

export interface OpenStoreOptions extends AutoCompactOptions {
  backend: 'sqlite' | 'memory' | 'etcd';
  /** SQLite database file; required for the sqlite backend. */
  path?: string;
  /** SQLite only: 'NORMAL' (default) survives process crashes, 'FULL' also power loss. */
  synchronous?: 'NORMAL' | 'FULL';
  /** etcd client URLs (e.g. ['http://127.0.0.1:2379']); required for the etcd backend. */
  endpoints?: string[];
  /** etcd only: prefix prepended to every key, so several clusters can share one etcd. */
  prefix?: string;
  /** etcd only: CA, client certificate and key (https:// endpoints). */
  tls?: EtcdTls;
}

/** Open a store. Automatic compaction runs when `compactInterval` is set. */
export function openStore(opts: OpenStoreOptions): Store {
  if (opts.backend === 'memory') return new MemoryStore(opts);
  if (opts.backend === 'etcd') {
    // Usable at once: operations wait for the initial sync; await EtcdStore.ready() to have
    // currentRevision() and compactedRevision() reflect etcd before the first operation.
    if (!opts.endpoints?.length) throw new Error('openStore: the etcd backend needs endpoints');
    return new EtcdStore({ ...opts, endpoints: opts.endpoints });
  }
  if (!opts.path) throw new Error('openStore: the sqlite backend needs a path');
  return new SqliteStore({ ...opts, path: opts.path });
}
