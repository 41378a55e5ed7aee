/**
 * The stored object count of each resource, as kube-apiserver's StorageObjectCountTracker
 * (staging/src/k8s.io/apiserver/pkg/util/flowcontrol/request/object_count_tracker.go), which the
 * list work estimator reads: the storage counts every resource periodically (upstream's
 * --etcd-count-metric-poll-period, 1 minute; startObjectCountPolling) and sets it here, keyed
 * `{resource}.{group}`. A count not refreshed for 3 minutes is stale (lists then take the maximum
 * seats); one not refreshed for an hour is forgotten (not-found: one seat, as for an aggregated
 * resource this server does not store). A failed count (-1) keeps the previous one.
 */
import type { ResourceDefinition } from '../../api/resource.js';
import type { Store } from '../../store/types.js';
import { resourcePrefix } from '../storage/keys.js';
import { groupResource } from './work-estimator.js';

/** staleTolerationThreshold. */
export const STALE_AFTER_MS = 3 * 60_000;
/** pruneInterval. */
const PRUNE_AFTER_MS = 60 * 60_000;
/** The storage's count poll period (--etcd-count-metric-poll-period). */
export const COUNT_POLL_PERIOD_MS = 60_000;

export class ObjectCountTracker {
  private readonly counts = new Map<string, { count: number; at: number }>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  set(key: string, count: number): void {
    if (count <= -1) return;
    this.counts.set(key, { count, at: this.now() });
  }

  get(key: string): number | 'stale' | 'not-found' {
    const c = this.counts.get(key);
    if (!c) return 'not-found';
    return this.now() - c.at > STALE_AFTER_MS ? 'stale' : c.count;
  }

  /** Forgets counts not refreshed within PRUNE_AFTER_MS (a removed CRD's resource). */
  prune(): void {
    const oldest = this.now() - PRUNE_AFTER_MS;
    for (const [k, c] of this.counts) if (c.at < oldest) this.counts.delete(k);
  }

  /** Every tracked count (apiserver_storage_objects). */
  entries(): IterableIterator<[string, { count: number }]> {
    return this.counts.entries();
  }
}

/**
 * Counts every resource `resources()` lists in `store` now and every `periodMs` until stopped (the
 * storage's startObservingCount); prunes the tracker hourly. Resolves `ready` after the first round.
 */
export function startObjectCountPolling(store: Store, resources: () => Iterable<ResourceDefinition>, tracker: ObjectCountTracker, periodMs = COUNT_POLL_PERIOD_MS): { ready: Promise<void>; stop(): void } {
  let running: Promise<void> | undefined;
  const round = (): Promise<void> => (running ??= (async () => {
    const seen = new Set<string>();
    for (const def of resources()) {
      const key = groupResource(def.group, def.plural);
      if (seen.has(key)) continue; // one count per resource, whichever versions serve it
      seen.add(key);
      let n = -1;
      try { n = await store.count(resourcePrefix(def)); } catch { /* transient: the previous count stands until stale */ }
      tracker.set(key, n);
    }
  })().finally(() => { running = undefined; }));
  const timer = setInterval(() => void round(), periodMs).unref();
  const pruner = setInterval(() => tracker.prune(), PRUNE_AFTER_MS).unref();
  return { ready: round(), stop: () => { clearInterval(timer); clearInterval(pruner); } };
}
