/**
 * The watches open on this server, as kube-apiserver's WatchTracker
 * (staging/src/k8s.io/apiserver/pkg/util/flowcontrol/watch_tracker.go), for the work estimate of
 * writes: a watch is counted under (group, resource, namespace, name) from the moment APF lets it
 * run until it ends. A write of an object may interest the watches of its whole resource, of its
 * namespace, and of its name. Pods are indexed by spec.nodeName (the watch cache's built-in index):
 * a pod watch selecting one node is not counted (upstream approximates every node's watchers by
 * those of the node "", which no pod is bound to before scheduling).
 */
import { nameFromFieldSelector } from './work-estimator.js';

/** Resources whose watches are indexed by a field (getBuiltinIndexes). */
const INDEXES: Readonly<Record<string, string>> = { pods: 'spec.nodeName' };

/** The value an exact term of `field` requires in a field selector ('' when absent: unindexed). */
function indexValue(selector: string | null, field: string): string {
  for (const term of (selector ?? '').split(',')) {
    const m = /^([^!=]+)(==?)(.*)$/.exec(term);
    if (m?.[1] === field) return m[3]!;
  }
  return '';
}

export class WatchTracker {
  private readonly counts = new Map<string, number>();

  /** Counts a watch of `query` on the path's resource; returns the function that forgets it. */
  register(apiGroup: string, resource: string, namespace: string, name: string | undefined, query: URLSearchParams | undefined): () => void {
    const index = INDEXES[resource];
    if (index && indexValue(query?.get('fieldSelector') ?? null, index) !== '') return () => undefined;
    const key = `${apiGroup}\0${resource}\0${namespace}\0${name ?? nameFromFieldSelector(query?.get('fieldSelector') ?? null) ?? ''}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    let forgotten = false;
    return () => {
      if (forgotten) return;
      forgotten = true;
      const n = (this.counts.get(key) ?? 1) - 1;
      if (n <= 0) this.counts.delete(key);
      else this.counts.set(key, n);
    };
  }

  /** GetInterestedWatchCount: watches of the resource, of its namespace, and of the named object. */
  interested(apiGroup: string, resource: string, namespace: string, name: string): number {
    if (this.counts.size === 0) return 0;
    const base = `${apiGroup}\0${resource}\0`;
    let n = this.counts.get(`${base}\0`) ?? 0;
    if (namespace) n += this.counts.get(`${base}${namespace}\0`) ?? 0;
    if (name) n += this.counts.get(`${base}${namespace}\0${name}`) ?? 0;
    return n;
  }

  /** Open watches counted (all keys). */
  get size(): number {
    let n = 0;
    for (const c of this.counts.values()) n += c;
    return n;
  }
}
