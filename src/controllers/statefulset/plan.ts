/**
 * One StatefulSet sync's decisions (upstream stateful_set_control.go updateStatefulSet and
 * updateStatefulSetAfterInvariantEstablished), pure: which pods and claims to create, which pods to
 * delete (failed, condemned by a scale-down, outdated in a rolling update), which pods' identity
 * labels and claims' ownerReferences to fix.
 *
 * OrderedReady ("monotonic") stops at the first pod it creates or waits for: pod N+1 is created only
 * once pods start..N are Running and available, scale-down deletes the highest ordinal first and only
 * once the rest are healthy. Parallel does every creation and deletion at once. A rolling update
 * then replaces pods from the highest ordinal down to the partition, at most maxUnavailable
 * unavailable at a time; OnDelete replaces nothing (deleted pods come back at the update revision).
 */
import type { StatefulSet } from '../../api/kinds/apps/stateful-set.js';
import type { PersistentVolumeClaim } from '../../api/kinds/core/persistent-volume-claim.js';
import type { OwnerReference } from '../../api/meta.js';
import { msUntilAvailable } from '../../controller-runtime/workload/pod-state.js';
import { scaledValue } from '../../controller-runtime/workload/scaled-value.js';
import type { Pod } from '../../api/kinds/core/pod.js';
import { endOrdinal, identityMatches, newStatefulSetPod, parentAndOrdinal, podClaims, podRevision, startOrdinal } from './identity.js';
import { isFinished, isHealthy, isRunningAndAvailable, isRunningAndReady, isTerminating } from './pod-conditions.js';
import { claimOwnersMatch, desiredClaimOwners } from './retention.js';

export type Action =
  /** Create the missing claims (owners set), then the pod. */
  | { type: 'createPod'; pod: Pod; claims: PersistentVolumeClaim[] }
  | { type: 'createClaims'; pod: Readonly<Pod>; claims: PersistentVolumeClaim[] }
  | { type: 'deletePod'; pod: Readonly<Pod>; why: 'failed' | 'condemned' | 'update' }
  | { type: 'labelPod'; pod: Readonly<Pod> }
  | { type: 'setClaimOwners'; claim: Readonly<PersistentVolumeClaim>; owners: OwnerReference[] };

export interface SyncInput {
  set: Readonly<StatefulSet>;
  /** The set with the current and the update revision's template (ApplyRevision). */
  currentSet: Readonly<StatefulSet>;
  updateSet: Readonly<StatefulSet>;
  currentRevision: string;
  updateRevision: string;
  /** Pods the set owns (any phase, terminating too). */
  pods: readonly Readonly<Pod>[];
  /** Claims in the set's namespace, by name. */
  claims: ReadonlyMap<string, Readonly<PersistentVolumeClaim>>;
  now: number;
}

export interface SyncPlan {
  /** Run in order; with `parallel`, actions of one phase may run at once. */
  phases: Action[][];
  parallel: boolean;
  /** Ms until a waited-for ready pod becomes available (minReadySeconds). */
  requeueAfter?: number;
}

/** newVersionedStatefulSetPod: below the partition pods are made at the current revision. */
function versionedPod(input: SyncInput, ordinal: number): Pod {
  const { currentSet, updateSet } = input;
  const strategy = currentSet.spec?.updateStrategy;
  const start = startOrdinal(currentSet);
  const partition = strategy?.rollingUpdate?.partition;
  const rolling = strategy?.type === 'RollingUpdate';
  const useCurrent = (rolling && partition === undefined && ordinal < start + (currentSet.status?.currentReplicas ?? 0))
    || (partition !== undefined && ordinal < start + partition);
  return useCurrent ? newStatefulSetPod(currentSet, ordinal, input.currentRevision) : newStatefulSetPod(updateSet, ordinal, input.updateRevision);
}

/** The claims of `ordinal` not yet in the cache, owners set; undefined when one is being deleted (wait). */
function missingClaims(input: SyncInput, ordinal: number, pod: Readonly<Pod> | undefined): PersistentVolumeClaim[] | undefined {
  const out: PersistentVolumeClaim[] = [];
  for (const claim of podClaims(input.updateSet, ordinal).values()) {
    const have = input.claims.get(claim.metadata.name!);
    if (have?.metadata.deletionTimestamp) return undefined;
    if (have) continue;
    const owners = desiredClaimOwners(input.set, pod, claim);
    if (owners.length > 0) claim.metadata.ownerReferences = owners;
    out.push(claim);
  }
  return out;
}

/** Claims of an existing pod whose ownerReferences do not follow the retention policy. */
function claimOwnerFixes(input: SyncInput, pod: Readonly<Pod>): Action[] {
  const out: Action[] = [];
  for (const want of podClaims(input.set, parentAndOrdinal(pod).ordinal).values()) {
    const claim = input.claims.get(want.metadata.name!);
    if (claim && !claim.metadata.deletionTimestamp && !claimOwnersMatch(input.set, pod, claim)) {
      out.push({ type: 'setClaimOwners', claim, owners: desiredClaimOwners(input.set, pod, claim) });
    }
  }
  return out;
}

export function planSync(input: SyncInput): SyncPlan {
  const { set, now } = input;
  const monotonic = set.spec?.podManagementPolicy !== 'Parallel';
  const minReady = set.spec?.minReadySeconds ?? 0;
  const start = startOrdinal(set);
  const end = endOrdinal(set);
  const slots: (Readonly<Pod> | undefined)[] = Array.from({ length: Math.max(0, end - start) });
  const condemned: Readonly<Pod>[] = [];
  for (const pod of input.pods) {
    const { ordinal } = parentAndOrdinal(pod);
    if (ordinal >= start && ordinal < end) slots[ordinal - start] = pod;
    else if (ordinal >= 0) condemned.push(pod);
  }
  condemned.sort((a, b) => parentAndOrdinal(b).ordinal - parentAndOrdinal(a).ordinal);
  // The first unhealthy pod, replicas by ordinal then condemned lowest first: the one pod a monotonic scale-down may delete while unhealthy.
  const firstUnhealthy = [...slots, ...[...condemned].reverse()].find((p) => p !== undefined && !isHealthy(p));

  const plan: SyncPlan = { phases: [], parallel: !monotonic };
  const waitFor = (pod: Readonly<Pod>) => {
    const ms = msUntilAvailable(pod, minReady, now);
    if (ms !== undefined && ms > 0) plan.requeueAfter = Math.min(plan.requeueAfter ?? Infinity, ms);
  };
  if (set.metadata.deletionTimestamp) return plan;

  // Replicas: replace finished pods, create missing ones, fix identity and claims of live ones.
  const replicas: Action[] = [];
  plan.phases.push(replicas);
  /** Slots that count as unavailable for the rolling update (made or removed this sync). */
  const unavailable = new Set<number>();
  for (let i = 0; i < slots.length; i++) {
    const pod = slots[i];
    if (pod && isFinished(pod)) {
      if (!isTerminating(pod)) replicas.push({ type: 'deletePod', pod, why: 'failed' });
      unavailable.add(i);
      if (monotonic) return plan;
      continue;
    }
    if (!pod) {
      const claims = missingClaims(input, start + i, undefined);
      unavailable.add(i);
      if (claims) replicas.push({ type: 'createPod', pod: versionedPod(input, start + i), claims });
      if (monotonic) return plan;
      continue;
    }
    if (isTerminating(pod)) {
      if (monotonic) return plan;
      continue;
    }
    if (monotonic && !isRunningAndAvailable(pod, minReady, now)) {
      replicas.push(...claimOwnerFixes(input, pod));
      waitFor(pod);
      return plan;
    }
    if (!identityMatches(set, pod)) replicas.push({ type: 'labelPod', pod });
    // A Pending pod may wait for a claim someone deleted: make it again (upstream processReplica).
    const claims = pod.status?.phase === 'Pending' ? missingClaims(input, start + i, pod) : undefined;
    if (claims?.length) replicas.push({ type: 'createClaims', pod, claims });
    replicas.push(...claimOwnerFixes(input, pod));
  }

  // Condemned: highest ordinal first; monotonic waits for each to go, and for unhealthy peers.
  const down: Action[] = [];
  plan.phases.push(down);
  for (const pod of condemned) {
    if (isTerminating(pod)) {
      if (monotonic) return plan;
      continue;
    }
    if (monotonic && !isRunningAndReady(pod) && pod !== firstUnhealthy) return plan;
    down.push(...claimOwnerFixes(input, pod));
    down.push({ type: 'deletePod', pod, why: 'condemned' });
    if (monotonic) return plan;
  }

  plan.phases.push(rollingUpdate(input, slots, unavailable));
  for (const pod of slots) if (pod && !isTerminating(pod)) waitFor(pod);
  return plan;
}

/** updateStatefulSetAfterInvariantEstablished: at most maxUnavailable pods down, highest ordinal first. */
function rollingUpdate(input: SyncInput, slots: readonly (Readonly<Pod> | undefined)[], unavailable: ReadonlySet<number>): Action[] {
  const strategy = input.set.spec?.updateStrategy;
  if (strategy?.type !== 'RollingUpdate') return [];
  const ru = strategy.rollingUpdate;
  const updateMin = ru?.partition ?? 0;
  const maxUnavailable = Math.max(1, scaledValue(ru?.maxUnavailable ?? 1, slots.length, true));
  const minReady = input.set.spec?.minReadySeconds ?? 0;
  let down = 0;
  for (let i = 0; i < slots.length; i++) {
    const pod = slots[i];
    if (unavailable.has(i) || !pod || isTerminating(pod) || !isRunningAndAvailable(pod, minReady, input.now)) down++;
  }
  const out: Action[] = [];
  for (let i = slots.length - 1; i >= updateMin && down + out.length < maxUnavailable; i--) {
    const pod = slots[i];
    if (pod && !unavailable.has(i) && !isTerminating(pod) && podRevision(pod) !== input.updateRevision) out.push({ type: 'deletePod', pod, why: 'update' });
  }
  return out;
}
