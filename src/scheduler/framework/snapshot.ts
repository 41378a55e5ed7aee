/**
 * An immutable view of the cluster for one scheduling cycle (upstream Snapshot). Because NodeInfos
 * are immutable, a snapshot is just the list of them at one moment; the cache keeps changing
 * underneath without affecting a cycle that is running on an older snapshot.
 */
import { countImages, type ImageNodeCounts } from './node-images.js';
import type { NodeInfo } from './node-info.js';
import type { NamespaceLabels } from './pod-info.js';
import type { PodGroup, ZonePodGroupsView } from './zone-pod-groups.js';

/** What a cache keeps as it changes, so that a cycle need not scan every node for it. */
export interface TrackedByCache {
  /** The nodes running at least one pod with any pod (anti-)affinity term. */
  withAffinity?: NodeInfo[];
  /** How many nodes list each image name. */
  imageNodeCounts?: ImageNodeCounts;
  /** The pods of the snapshot's nodes by namespace, label set and zone, while they still describe it. */
  zonePodGroups?: ZonePodGroupsView;
}

const NO_NAMESPACES: NamespaceLabels = () => undefined;

export class Snapshot {
  private byName?: Map<string, NodeInfo>;
  private withAntiAffinity?: NodeInfo[];
  private withAffinity?: NodeInfo[];
  private imageCounts?: ImageNodeCounts;
  private readonly zoneGroups?: ZonePodGroupsView;

  constructor(
    /** Every node, in a stable order (the cache's insertion order). */
    readonly nodes: readonly NodeInfo[],
    /** The nodes with required anti-affinity pods, when the builder keeps track (saves a scan per cycle). */
    withRequiredAntiAffinity?: NodeInfo[],
    /**
     * Namespace labels for pod affinity namespaceSelectors. Read live, not frozen with the nodes, as
     * upstream's InterPodAffinity reads its namespace lister.
     */
    readonly namespaceLabels: NamespaceLabels = NO_NAMESPACES,
    tracked: TrackedByCache = {},
  ) {
    this.withAntiAffinity = withRequiredAntiAffinity;
    this.withAffinity = tracked.withAffinity;
    this.imageCounts = tracked.imageNodeCounts;
    this.zoneGroups = tracked.zonePodGroups;
  }

  /**
   * The pods of `namespace` on the snapshot's nodes grouped by label set, with their zone counts;
   * undefined when this snapshot has no such index (built without a cache, or the cache changed since).
   */
  zonePodGroups(namespace: string): Iterable<PodGroup> | undefined {
    return this.zoneGroups?.(namespace);
  }

  get(name: string): NodeInfo | undefined {
    this.byName ??= new Map(this.nodes.map((n) => [n.name, n]));
    return this.byName.get(name);
  }

  /** Nodes running at least one pod with required anti-affinity (checked against every incoming pod). */
  havePodsWithRequiredAntiAffinity(): readonly NodeInfo[] {
    this.withAntiAffinity ??= this.nodes.filter((n) => n.podsWithRequiredAntiAffinity.length > 0);
    return this.withAntiAffinity;
  }

  /** Nodes running at least one pod with any pod (anti-)affinity term. */
  havePodsWithAffinity(): readonly NodeInfo[] {
    this.withAffinity ??= this.nodes.filter((n) => n.podsWithAffinity.length > 0);
    return this.withAffinity;
  }

  /** How many of the snapshot's nodes list the image `name` in their status (ImageLocality's spread). */
  nodesWithImage(name: string): number {
    this.imageCounts ??= countImages(this.nodes.map((n) => n.node));
    return this.imageCounts.get(name) ?? 0;
  }
}
