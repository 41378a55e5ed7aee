/**
 * apimachinery's capManagersManager: an object keeps at most 10 Update entries; beyond that the
 * oldest are merged, per apiVersion, into an `ancient-changes` entry, so managedFields stays
 * bounded however many distinct clients write an object.
 */
import { managerKey, type ManagerEntry, type Managers } from './managed-fields.js';

export const MAX_UPDATE_MANAGERS = 10;
export const ANCIENT_CHANGES = 'ancient-changes';

const seconds = (t: string | undefined) => (t ? Math.floor(Date.parse(t) / 1000) : 0);

export function capUpdateManagers(managers: Managers, max = MAX_UPDATE_MANAGERS): Managers {
  const updaters = [...managers.entries()].filter(([, e]) => e.operation === 'Update');
  if (updaters.length <= max) return managers;
  updaters.sort(([ka, a], [kb, b]) => seconds(a.time) - seconds(b.time) || (ka < kb ? -1 : ka > kb ? 1 : 0));
  const firstOfVersion = new Map<string, string>();
  let count = updaters.length;
  for (const [key, e] of updaters) {
    if (count <= max) break;
    const first = firstOfVersion.get(e.apiVersion);
    if (first === undefined) {
      firstOfVersion.set(e.apiVersion, key);
      continue;
    }
    const bucketKey = managerKey({ manager: ANCIENT_CHANGES, operation: 'Update', apiVersion: e.apiVersion });
    let bucket = managers.get(bucketKey);
    if (!bucket) {
      const seed = managers.get(first)!;
      managers.delete(first);
      bucket = { ...seed, manager: ANCIENT_CHANGES, subresource: undefined } satisfies ManagerEntry;
      managers.set(bucketKey, bucket);
    }
    bucket.set = e.set.union(bucket.set);
    bucket.time = e.time;
    managers.delete(key);
    count--;
  }
  return managers;
}
