/**
 * Entry point of the store: pick a backend. The API server is the only importer (layering rule).
 */
import type { Store } from './types.js';
import { MemoryStore } from './memory.js';
import { SqliteStore } from './sqlite.js';
import type { AutoCompactOptions } from './auto-compact.js';

export * from './types.js';
export { MemoryStore } from './memory.js';
export { SqliteStore } from './sqlite.js';

export interface OpenStoreOptions extends AutoCompactOptions {
  backend: 'sqlite' | 'memory';
  /** SQLite database file; required for the sqlite backend. */
  path?: string;
  /** SQLite only: 'NORMAL' (default) survives process crashes, 'FULL' also power loss. */
  synchronous?: 'NORMAL' | 'FULL';
}

/** Open a store. Automatic compaction runs when `compactInterval` is set. */
export function openStore(opts: OpenStoreOptions): Store {
  if (opts.backend === 'memory') return new MemoryStore(opts);
  if (!opts.path) throw new Error('openStore: the sqlite backend needs a path');
  return new SqliteStore({ ...opts, path: opts.path });
}
