/**
 * The objects a controller wrote last, until its informer catches up (client-go's MutationCache,
 * reduced): a sync that starts right after a status write would otherwise read the object as it was
 * before that write, and decide from a stale status (the Job controller's next write would fail with
 * a conflict and wait out the rate limiter; the StatefulSet controller would make a pod at the old
 * revision from a stale status.currentReplicas). Each write records the resourceVersions it superseded; while the cache still
 * shows one of those, the written object is the truth. Anything else (a newer version, someone
 * else's write) means the cache caught up, and the record is dropped.
 */
import type { ObjectMeta } from '../../api/meta.js';

interface Obj { metadata: ObjectMeta }
interface Written<T> { superseded: Set<string>; obj: T }

export class WrittenObjects<T extends Obj> {
  private readonly byKey = new Map<string, Written<T>>();

  /** `written` replaced `previous` (whose resourceVersion the cache may still show). */
  record(key: string, previous: Readonly<T>, written: T): void {
    const w = this.byKey.get(key);
    const superseded = w && w.obj.metadata.resourceVersion === previous.metadata.resourceVersion ? w.superseded : new Set<string>();
    superseded.add(previous.metadata.resourceVersion!);
    this.byKey.set(key, { superseded, obj: written });
  }

  /** The freshest object known for `key`: the cached one, unless it is older than our last write. */
  freshest(key: string, cached: Readonly<T>): Readonly<T> {
    const w = this.byKey.get(key);
    if (!w) return cached;
    if (w.obj.metadata.uid === cached.metadata.uid && w.superseded.has(cached.metadata.resourceVersion!)) return w.obj;
    this.byKey.delete(key);
    return cached;
  }

  /** `freshest` of what the cache holds for `key`; when it holds nothing the object is gone and so is our record. */
  read(key: string, cached: Readonly<T> | undefined): Readonly<T> | undefined {
    if (cached) return this.freshest(key, cached);
    this.byKey.delete(key);
    return undefined;
  }

  delete(key: string): void {
    this.byKey.delete(key);
  }
}
