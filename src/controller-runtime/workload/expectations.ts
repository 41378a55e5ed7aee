/**
 * Controller expectations (upstream pkg/controller/controller_utils.go): after a controller asks for
 * N creations or deletions it waits until its informer has seen them before acting again, so a
 * cache that lags behind its own writes never makes it create or delete extra pods. Deletions are
 * tracked by pod key, so the same pod's deletion is counted once. Expectations older than the TTL
 * (5 minutes upstream) count as satisfied: a lost event cannot wedge a controller forever.
 */
import type { KubeObject } from '../../api/meta.js';
import { keyOf } from '../informer/keys.js';

export interface ExpectationsClock {
  now(): number;
}

interface Record {
  add: number;
  del: number;
  /** Keys of pods whose deletion is still expected. */
  deleting: Set<string>;
  at: number;
}

export class Expectations {
  private readonly records = new Map<string, Record>();

  constructor(private readonly clock: ExpectationsClock = { now: () => Date.now() }, private readonly ttlMs = 5 * 60_000) {}

  /** Expect `n` creations for controller `key` (replacing earlier expectations, as upstream). */
  expectCreations(key: string, n: number): void {
    this.expect(key, n, []);
  }

  /** Expect the deletion of these pods (by `namespace/name`). */
  expectDeletions(key: string, podKeys: string[]): void {
    this.expect(key, 0, podKeys);
  }

  /** Expect `n` creations and these deletions at once (upstream SetExpectations; the DaemonSet controller does both in one sync). */
  expect(key: string, n: number, podKeys: string[]): void {
    this.records.set(key, { add: n, del: podKeys.length, deleting: new Set(podKeys), at: this.clock.now() });
  }

  /** The informer saw a pod of `key` appear (or a create failed, so none will appear). */
  creationObserved(key: string): void {
    const r = this.records.get(key);
    if (r) r.add--;
  }

  /** The informer saw `podKey` go (or its delete failed). Counted once per pod. */
  deletionObserved(key: string, podKey: string): void {
    const r = this.records.get(key);
    if (r?.deleting.delete(podKey)) r.del--;
  }

  /** True when nothing is pending for `key`, or the pending record has expired. */
  satisfied(key: string): boolean {
    const r = this.records.get(key);
    if (!r) return true;
    if (r.add <= 0 && r.del <= 0) return true;
    return this.clock.now() - r.at > this.ttlMs;
  }

  /** Forget `key` (its controller object is gone). */
  delete(key: string): void {
    this.records.delete(key);
  }

  /** Pending counts, for tests and logs. */
  pending(key: string): { add: number; del: number } | undefined {
    const r = this.records.get(key);
    return r ? { add: r.add, del: r.del } : undefined;
  }
}

/** What `observePodExpectations` needs of a pod informer. */
export interface PodEvents {
  addEventHandler(h: {
    onAdd?(pod: Readonly<KubeObject>): void;
    onUpdate?(old: Readonly<KubeObject>, pod: Readonly<KubeObject>): void;
    onDelete?(pod: Readonly<KubeObject>): void;
  }): void;
}

/**
 * Settle `expectations` from pod events, as the ReplicaSet, DaemonSet and Job controllers'
 * addPod/updatePod/deletePod do: a pod of controller `ownerKey(pod)` appearing is a creation (or,
 * already terminating when first seen, a deletion), one getting a deletionTimestamp or vanishing is
 * a deletion.
 */
export function observePodExpectations(pods: PodEvents, expectations: Expectations, ownerKey: (pod: Readonly<KubeObject>) => string | undefined): void {
  const deleted = (pod: Readonly<KubeObject>) => {
    const k = ownerKey(pod);
    if (k) expectations.deletionObserved(k, keyOf(pod));
  };
  pods.addEventHandler({
    onAdd: (pod) => {
      const k = ownerKey(pod);
      if (!k) return;
      if (pod.metadata.deletionTimestamp) deleted(pod);
      else expectations.creationObserved(k);
    },
    onUpdate: (old, pod) => {
      if (pod.metadata.deletionTimestamp && !old.metadata.deletionTimestamp) deleted(pod);
    },
    onDelete: deleted,
  });
}
