/**
 * The watches open on this server, as kube-apiserver's WatchTracker
 * (staging/src/k8s.io/apiserver/pkg/util/flowcontrol/watch_tracker.go), for the work estimate of
 * writes: a watch is counted under (group, resource, namespace, name) from the moment APF lets it
 * run until it ends. A write of an object may interest the watches of its whole resource, of its
 * namespace, and of its name. Pods are indexed by spec.nodeName (the watch cache's built-in index):
 * a pod watch selecting one node is not counted (upstream approximates every node's watchers by
 * those of the node "", which no pod is bound to before scheduling).
 * Counts are kept per resource, then group, then namespace and name, so a write's lookup builds no
 * key strings (it runs on every write).
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

/** The watches of one group's resource: all of it, per namespace, per namespace and name. */
interface Watched { all: number; namespaces: Map<string, number>; names: Map<string, Map<string, number>> }

const bump = <K>(m: Map<K, number>, k: K, by: number): void => {
  const n = (m.get(k) ?? 0) + by;
  if (n > 0) m.set(k, n);
  else m.delete(k);
};

export class WatchTracker {
  private readonly byResource = new Map<string, Map<string, Watched>>();

  /** Counts a watch of `query` on the path's resource; returns the function that forgets it. */
  register(apiGroup: string, resource: string, namespace: string, name: string | undefined, query: URLSearchParams | undefined): () => void {
    const index = INDEXES[resource];
    if (index && indexValue(query?.get('fieldSelector') ?? null, index) !== '') return () => undefined;
    const objectName = name ?? nameFromFieldSelector(query?.get('fieldSelector') ?? null) ?? '';
    let groups = this.byResource.get(resource);
    if (!groups) this.byResource.set(resource, (groups = new Map()));
    let w = groups.get(apiGroup);
    if (!w) groups.set(apiGroup, (w = { all: 0, namespaces: new Map(), names: new Map() }));
    const watched = w;
    const count = (by: number): void => {
      if (objectName) {
        let names = watched.names.get(namespace);
        if (!names) watched.names.set(namespace, (names = new Map()));
        bump(names, objectName, by);
        if (names.size === 0) watched.names.delete(namespace);
      } else if (namespace) bump(watched.namespaces, namespace, by);
      else watched.all += by;
    };
    count(1);
    let forgotten = false;
    return () => {
      if (forgotten) return;
      forgotten = true;
      count(-1);
    };
  }

  /** GetInterestedWatchCount: watches of the resource, of its namespace, and of the named object. */
  interested(apiGroup: string, resource: string, namespace: string, name: string): number {
    const w = this.byResource.get(resource)?.get(apiGroup);
    if (!w) return 0;
    let n = w.all;
    if (namespace && w.namespaces.size) n += w.namespaces.get(namespace) ?? 0;
    if (name && w.names.size) n += w.names.get(namespace)?.get(name) ?? 0;
    return n;
  }
}
