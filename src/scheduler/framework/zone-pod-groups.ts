/**
 * The pods on the cache's nodes grouped by namespace and label set, with how many of each group
 * run in each topology.kubernetes.io/zone ("" for nodes without one) and on each node, kept by the
 * cache as pods and nodes change. PodTopologySpread's system-default zone constraint needs, per pod, the matching
 * pods of every zone over all nodes (upstream's PreScore scans every node's pods for it); matching
 * the selector once per label set instead makes that cost the number of label sets in the pod's
 * namespace, not the number of nodes and pods. The system-default hostname constraint scores each
 * feasible node by its matching pods (upstream counts every pod of the node at Score): the matching
 * groups' per-node counts make that a lookup per group. Pods being deleted are not counted, as
 * countPodsMatchSelector skips them.
 */
import type { PodInfo } from './pod-info.js';

/** One label set in one namespace and its pods per zone. */
export interface PodGroup {
  readonly labels: Readonly<Record<string, string>>;
  /** zone value ("" without one) -> pods; only non-zero counts. */
  readonly zones: ReadonlyMap<string, number>;
  /** node name -> pods; only non-zero counts. */
  readonly nodes: ReadonlyMap<string, number>;
}

/** The groups of one namespace, as of one snapshot; undefined once the cache has moved on (then count over the nodes). */
export type ZonePodGroupsView = (namespace: string) => Iterable<PodGroup> | undefined;

interface MutableGroup {
  labels: Readonly<Record<string, string>>;
  zones: Map<string, number>;
  nodes: Map<string, number>;
}

function bump(m: Map<string, number>, key: string, sign: 1 | -1): void {
  const n = (m.get(key) ?? 0) + sign;
  if (n > 0) m.set(key, n);
  else m.delete(key);
}

/** A label set's key: its pairs sorted (label keys cannot contain "=" and values cannot contain "\n"). */
const labelsKey = (labels: Record<string, string> | undefined): string =>
  labels ? Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`).join('\n') : '';

export class ZonePodGroups {
  private readonly byNamespace = new Map<string, Map<string, MutableGroup>>();

  /** Counts `pod` (sign 1) or takes it back (sign -1) in `zone`, on node `nodeName`. */
  add(pod: PodInfo, zone: string, nodeName: string, sign: 1 | -1): void {
    const meta = pod.pod.metadata;
    if (meta.deletionTimestamp) return;
    const ns = meta.namespace ?? 'default';
    let groups = this.byNamespace.get(ns);
    if (!groups) this.byNamespace.set(ns, (groups = new Map()));
    const key = labelsKey(meta.labels);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { labels: meta.labels ?? {}, zones: new Map(), nodes: new Map() }));
    bump(g.zones, zone, sign);
    bump(g.nodes, nodeName, sign);
    if (g.zones.size === 0) groups.delete(key);
    if (groups.size === 0) this.byNamespace.delete(ns);
  }

  groups(namespace: string): Iterable<PodGroup> | undefined {
    return this.byNamespace.get(namespace)?.values();
  }
}
