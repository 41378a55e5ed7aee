/** Generic REST storage of the API server: see types.ts for the contract the HTTP layer uses. */
export * from './types.js';
export { createStorages, StorageSet, type Definitions } from './storage-set.js';
export { GenericStorage } from './generic-storage.js';
export type { StorageOptions } from './storage-core.js';
export { resourcePrefix, objectKey, listPrefix, namespaceKey } from './keys.js';
export { BOOKMARK_INTERVAL_MS } from './watch.js';
