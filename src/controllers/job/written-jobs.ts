/**
 * The Job objects this controller wrote last, until its informer catches up (client-go's
 * MutationCache, reduced): a sync that starts right after a status write would otherwise read the
 * Job as it was before that write, and its own next write would fail with a conflict and wait out
 * the rate limiter. Each write records the resourceVersions it superseded; while the cache still
 * shows one of those, the written object is the truth. Anything else (a newer version, someone
 * else's write) means the cache caught up, and the record is dropped.
 */
import type { Job } from './job-types.js';

interface Written { superseded: Set<string>; job: Job }

export class WrittenJobs {
  private readonly byKey = new Map<string, Written>();

  /** `written` replaced `previous` (whose resourceVersion the cache may still show). */
  record(key: string, previous: Readonly<Job>, written: Job): void {
    const w = this.byKey.get(key);
    const superseded = w && w.job.metadata.resourceVersion === previous.metadata.resourceVersion ? w.superseded : new Set<string>();
    superseded.add(previous.metadata.resourceVersion!);
    this.byKey.set(key, { superseded, job: written });
  }

  /** The freshest Job known for `key`: the cached one, unless it is older than our last write. */
  freshest(key: string, cached: Readonly<Job>): Readonly<Job> {
    const w = this.byKey.get(key);
    if (!w) return cached;
    if (w.job.metadata.uid === cached.metadata.uid && w.superseded.has(cached.metadata.resourceVersion!)) return w.job;
    this.byKey.delete(key);
    return cached;
  }

  delete(key: string): void {
    this.byKey.delete(key);
  }
}
