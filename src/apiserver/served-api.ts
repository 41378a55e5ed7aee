/**
 * What `bosun server` serves by default: every kind in the registry, each with the generic storage,
 * plus the action subresources the storage set provides (pods/binding, pods/eviction,
 * namespaces/finalize).
 */
import { bodies, registry } from '../api/registry.js';
import type { Store } from '../store/index.js';
import { createStorages } from './storage/index.js';
import type { StorageOptions } from './storage/storage-core.js';
import type { ServedApi } from './server.js';

export function createServedApi(store: Store, options: StorageOptions = {}): ServedApi {
  const set = createStorages(store, registry, options);
  const schemas: Record<string, unknown> = {};
  for (const b of Object.values(bodies)) Object.assign(schemas, b.openapi.schemas);
  return { storages: set.all(), actions: set.allActions(), schemas };
}
