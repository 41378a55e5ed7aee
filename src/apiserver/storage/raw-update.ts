/**
 * A read-modify-write of the stored object that bypasses the update pipeline (no strategy, no
 * validation), retried on store conflicts: what upstream's subresource REST handlers such as
 * pods/binding do with GuaranteedUpdate for server-owned changes.
 */
import type { KubeObject } from '../../api/meta.js';
import { StoreError } from '../../store/types.js';
import { encodeObject } from './codec.js';
import { jsonEqual } from './deep-equal.js';
import { fromStoreError, notFound } from './errors.js';
import { checkPreconditions, type StoragePreconditions } from './preconditions.js';
import type { StorageCore } from './storage-core.js';

/** Store conflicts mean another writer made progress, so retrying terminates; the cap only guards bugs. */
const MAX_ATTEMPTS = 1000;

/**
 * `mutate` changes the object in place (or throws); nothing is written when it changed nothing.
 * `preconditions` are checked on each read of the stored object before `mutate` runs.
 */
export async function mutateStored(
  core: StorageCore, namespace: string | undefined, name: string, dryRun: boolean, mutate: (obj: KubeObject) => void | Promise<void>,
  preconditions?: StoragePreconditions,
): Promise<KubeObject> {
  const key = core.key(core.scope(namespace), name);
  for (let attempt = 1; ; attempt++) {
    const kv = await core.store.get(key);
    if (!kv) throw notFound(core.def, name);
    const before = core.readOnly(kv);
    checkPreconditions(core.def, key, name, before, preconditions);
    const obj = core.decode(kv);
    await mutate(obj);
    if (dryRun || jsonEqual(before, obj)) return obj;
    try {
      const text = encodeObject(obj, core.def);
      await core.storeWritten(key, text, obj, () => core.store.update(key, text, kv.modRevision));
      return obj;
    } catch (err) {
      if (err instanceof StoreError && err.code === 'Conflict' && attempt < MAX_ATTEMPTS) continue;
      throw fromStoreError(core.def, name, err);
    }
  }
}
