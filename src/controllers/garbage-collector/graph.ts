/**
 * The garbage collector's dependency graph (upstream pkg/controller/garbagecollector/graph.go): one
 * node per object that any informer reported, keyed by uid, and an index from an owner's uid to the
 * uids of objects naming it in ownerReferences. The index also holds owners that are not (or no
 * longer) in the graph, which is how dependents of a deleted owner are found.
 */
import type { KubeObject, OwnerReference } from '../../api/meta.js';
import type { ResourceRef } from '../../client/resource-ref.js';

export const FINALIZER_ORPHAN = 'orphan';
export const FINALIZER_FOREGROUND = 'foregroundDeletion';

/** What the collector remembers about one object. */
export interface GraphNode {
  uid: string;
  ref: ResourceRef;
  namespace?: string;
  name: string;
  owners: readonly OwnerReference[];
  deleting: boolean;
  finalizers: readonly string[];
}

export function nodeOf(obj: Readonly<KubeObject>, ref: ResourceRef): GraphNode {
  const m = obj.metadata;
  return {
    uid: m.uid ?? '', ref, namespace: m.namespace, name: m.name ?? '',
    owners: m.ownerReferences ?? [], deleting: !!m.deletionTimestamp, finalizers: m.finalizers ?? [],
  };
}

/** Deleted with propagationPolicy Foreground and waiting for its blocking dependents. */
export const deletingDependents = (n: GraphNode): boolean => n.deleting && n.finalizers.includes(FINALIZER_FOREGROUND);
/** Deleted with propagationPolicy Orphan: its dependents lose their references to it first. */
export const orphaning = (n: GraphNode): boolean => n.deleting && n.finalizers.includes(FINALIZER_ORPHAN);

/** True when a change from `a` to `b` can alter a collection decision (owners or deletion state). */
export function gcRelevantChange(a: GraphNode | undefined, b: GraphNode): boolean {
  if (!a) return true;
  return a.deleting !== b.deleting || a.finalizers.join('\0') !== b.finalizers.join('\0')
    || JSON.stringify(a.owners) !== JSON.stringify(b.owners);
}

/** How many observed deletions `OwnerGraph.isAbsent` remembers (upstream's absentOwnerCache holds 500). */
const ABSENT_REMEMBERED = 500;

export class OwnerGraph {
  private readonly nodes = new Map<string, GraphNode>();
  private readonly dependents = new Map<string, Set<string>>();
  /** Uids of owners whose deletion an informer reported while they had dependents, oldest first. */
  private readonly absent = new Map<string, true>();

  get size(): number {
    return this.nodes.size;
  }

  get(uid: string): GraphNode | undefined {
    return this.nodes.get(uid);
  }

  /** Insert or replace; returns the previous node. */
  upsert(n: GraphNode): GraphNode | undefined {
    const old = this.nodes.get(n.uid);
    if (old) this.unlink(old);
    this.nodes.set(n.uid, n);
    for (const o of n.owners) {
      let set = this.dependents.get(o.uid);
      if (!set) this.dependents.set(o.uid, (set = new Set()));
      set.add(n.uid);
    }
    return old;
  }

  /**
   * Forget a deleted object; its dependents stay indexed under its uid. With dependents, its uid is
   * remembered as absent (upstream's absentOwnerCache): they are then collected without looking
   * their owner up, which a kind no longer served (its CRD deleted, the owner deleted with it)
   * could not answer.
   */
  remove(uid: string): GraphNode | undefined {
    const old = this.nodes.get(uid);
    if (!old) return undefined;
    this.unlink(old);
    this.nodes.delete(uid);
    if (this.dependents.has(uid)) {
      this.absent.delete(uid);
      this.absent.set(uid, true);
      if (this.absent.size > ABSENT_REMEMBERED) this.absent.delete(this.absent.keys().next().value!);
    }
    return old;
  }

  /**
   * Drop every node of `group`/`resource` without remembering it absent, when its monitor stopped:
   * a deletion after (or in flight then) would never be reported, and a stale node would stand for
   * an owner that is gone. Returns the uids dropped, whose dependents then look their owners up.
   */
  forgetResource(group: string, resource: string): string[] {
    const dropped: string[] = [];
    for (const n of this.nodes.values()) {
      if (n.ref.group !== group || n.ref.resource !== resource) continue;
      this.unlink(n);
      this.nodes.delete(n.uid);
      dropped.push(n.uid);
    }
    return dropped;
  }

  /** True when `uid` is an owner seen deleted (uids are never reused, so it stays gone). */
  isAbsent(uid: string): boolean {
    return this.absent.has(uid);
  }

  /** Objects (present in the graph) that name `ownerUid` as an owner. */
  dependentsOf(ownerUid: string): GraphNode[] {
    const set = this.dependents.get(ownerUid);
    if (!set) return [];
    const out: GraphNode[] = [];
    for (const uid of set) {
      const n = this.nodes.get(uid);
      if (n) out.push(n);
    }
    return out;
  }

  private unlink(n: GraphNode): void {
    for (const o of n.owners) {
      const set = this.dependents.get(o.uid);
      set?.delete(n.uid);
      if (set?.size === 0) this.dependents.delete(o.uid);
    }
  }
}
