/**
 * The scheduler's own view of nodes and the pods placed on them (upstream's scheduler cache).
 * Informers feed it bound pods and nodes; the scheduler adds a pod as *assumed* the moment it picks
 * a node, so the next cycle already counts it, and the watch later confirms it (or a failed bind
 * forgets it). `snapshot()` hands a cycle an immutable view.
 */
import { NodeInfo } from '../framework/node-info.js';
import { recount, type ImageNodeCounts } from '../framework/node-images.js';
import type { NamespaceLabels, PodInfo } from '../framework/pod-info.js';
import { Snapshot } from '../framework/snapshot.js';
import { LABEL_ZONE, type Node } from '../framework/types.js';
import { ZonePodGroups } from '../framework/zone-pod-groups.js';

interface PodState {
  info: PodInfo;
  nodeName: string;
  assumed: boolean;
}

const zoneOf = (node: Node): string => node.metadata.labels?.[LABEL_ZONE] ?? '';

export class SchedulerCache {
  /** Nodes the API knows, in insertion order (the order cycles walk them in). */
  private readonly list: NodeInfo[] = [];
  private readonly index = new Map<string, number>();
  /** Pods on nodes the cache has no Node object for (yet): counted once the node arrives. */
  private readonly orphans = new Map<string, NodeInfo>();
  private readonly pods = new Map<string, PodState>();
  /** Names of listed nodes running pods with required anti-affinity (every cycle checks those). */
  private readonly antiAffinityNodes = new Set<string>();
  /** Names of listed nodes running pods with any pod (anti-)affinity term (InterPodAffinity scoring's). */
  private readonly affinityNodes = new Set<string>();
  /** How many listed nodes list each image (ImageLocality's spread), replaced whenever it changes. */
  private imageCounts: ImageNodeCounts = new Map();
  /** Pods of listed nodes by namespace, label set and zone (PodTopologySpread's system-default zone counts). */
  private readonly zoneGroups = new ZonePodGroups();
  private current?: Snapshot;
  /** Where snapshots look up namespace labels (the scheduler sets its namespace informer's). */
  namespaceLabels: NamespaceLabels = () => undefined;

  get nodeCount(): number {
    return this.list.length;
  }

  /** An immutable view; the same object until the cache next changes. */
  snapshot(): Snapshot {
    if (this.current) return this.current;
    const infos = (names: Set<string>) => [...names].map((name) => this.list[this.index.get(name)!]!);
    // The groups change in place: a snapshot reads them only while it is still the cache's current one.
    const snap: Snapshot = new Snapshot(this.list.slice(), infos(this.antiAffinityNodes), (ns) => this.namespaceLabels(ns),
      { withAffinity: infos(this.affinityNodes), imageNodeCounts: this.imageCounts,
        zonePodGroups: (ns) => (this.current === snap ? this.zoneGroups.groups(ns) ?? [] : undefined) });
    this.current = snap;
    return snap;
  }

  /** Adds or updates a node, keeping the pods already placed on it. */
  setNode(node: Node): void {
    const name = node.metadata.name ?? '';
    const at = this.index.get(name);
    if (at !== undefined) {
      const old = this.list[at]!;
      this.imageCounts = recount(this.imageCounts, old.node, node);
      const [was, now] = [zoneOf(old.node), zoneOf(node)];
      if (was !== now) {
        for (const p of old.pods) {
          this.zoneGroups.add(p, was, name, -1);
          this.zoneGroups.add(p, now, name, 1);
        }
      }
      this.list[at] = old.withNode(node);
    } else {
      this.imageCounts = recount(this.imageCounts, undefined, node);
      const orphan = this.orphans.get(name);
      this.orphans.delete(name);
      this.index.set(name, this.list.length);
      const info = orphan ? orphan.withNode(node) : NodeInfo.of(node);
      for (const p of info.pods) this.zoneGroups.add(p, zoneOf(node), name, 1);
      this.list.push(info);
      this.trackAntiAffinity(info);
    }
    this.current = undefined;
  }

  /** Removes a node; its pods stay counted should it come back. */
  removeNode(name: string): void {
    const at = this.index.get(name);
    if (at === undefined) return;
    const info = this.list[at]!;
    if (info.pods.length > 0) this.orphans.set(name, info);
    for (const p of info.pods) this.zoneGroups.add(p, zoneOf(info.node), name, -1);
    this.list.splice(at, 1);
    this.index.delete(name);
    this.antiAffinityNodes.delete(name);
    this.affinityNodes.delete(name);
    this.imageCounts = recount(this.imageCounts, info.node, undefined);
    for (let i = at; i < this.list.length; i++) this.index.set(this.list[i]!.name, i);
    this.current = undefined;
  }

  /** Counts `info` on `nodeName` before the API has the binding (upstream AssumePod). */
  assume(info: PodInfo, nodeName: string): void {
    this.place(info, nodeName, true);
  }

  /** A bind that failed: the assumed pod no longer counts (upstream ForgetPod). */
  forget(key: string): void {
    const st = this.pods.get(key);
    if (st?.assumed) this.remove(key);
  }

  /** A pod the API reports bound to `nodeName` (new, updated, or confirming an assumed pod). */
  addOrUpdateBound(info: PodInfo, nodeName: string): void {
    this.place(info, nodeName, false);
  }

  /** A pod that is gone or no longer holds resources (deleted, or Succeeded/Failed). */
  remove(key: string): void {
    const st = this.pods.get(key);
    if (!st) return;
    this.pods.delete(key);
    this.countZone(st.info, st.nodeName, -1);
    this.update(st.nodeName, (n) => n.withoutPod(key));
  }

  isAssumed(key: string): boolean {
    return this.pods.get(key)?.assumed ?? false;
  }

  /** The node a pod is counted on, if any. */
  nodeOf(key: string): string | undefined {
    return this.pods.get(key)?.nodeName;
  }

  private place(info: PodInfo, nodeName: string, assumed: boolean): void {
    const old = this.pods.get(info.key);
    if (old) {
      this.countZone(old.info, old.nodeName, -1);
      this.update(old.nodeName, (n) => n.withoutPod(info.key));
    }
    this.pods.set(info.key, { info, nodeName, assumed });
    this.countZone(info, nodeName, 1);
    this.update(nodeName, (n) => n.withPod(info));
  }

  /** Pods count in the zone groups while their node is listed (snapshots hold listed nodes only). */
  private countZone(info: PodInfo, nodeName: string, sign: 1 | -1): void {
    const at = this.index.get(nodeName);
    if (at !== undefined) this.zoneGroups.add(info, zoneOf(this.list[at]!.node), nodeName, sign);
  }

  private trackAntiAffinity(n: NodeInfo): void {
    if (n.podsWithRequiredAntiAffinity.length > 0) this.antiAffinityNodes.add(n.name);
    else this.antiAffinityNodes.delete(n.name);
    if (n.podsWithAffinity.length > 0) this.affinityNodes.add(n.name);
    else this.affinityNodes.delete(n.name);
  }

  private update(nodeName: string, fn: (n: NodeInfo) => NodeInfo): void {
    const at = this.index.get(nodeName);
    if (at !== undefined) {
      const next = fn(this.list[at]!);
      this.list[at] = next;
      this.trackAntiAffinity(next);
      this.current = undefined;
      return;
    }
    const orphan = this.orphans.get(nodeName) ?? NodeInfo.of({ metadata: { name: nodeName } });
    const next = fn(orphan);
    if (next.pods.length > 0) this.orphans.set(nodeName, next);
    else this.orphans.delete(nodeName);
  }
}
