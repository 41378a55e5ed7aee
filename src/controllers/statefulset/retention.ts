/**
 * persistentVolumeClaimRetentionPolicy as ownerReferences on the claims (upstream
 * stateful_set_utils.go updateClaimOwnerRefForSetAndPod / claimOwnerMatchesSetAndPod): the garbage
 * collector then deletes a claim with its set (whenDeleted: Delete) or with its scaled-down pod
 * (whenScaled: Delete). The references are plain (not controller) references. Pure.
 */
import type { StatefulSet } from '../../api/kinds/apps/stateful-set.js';
import type { KubeObject, OwnerReference } from '../../api/meta.js';
import type { Pod } from '../../api/kinds/core/pod.js';
import { endOrdinal, parentAndOrdinal, startOrdinal } from './identity.js';

function ref(owner: Readonly<KubeObject>, apiVersion: string, kind: string): OwnerReference {
  return { apiVersion, kind, name: owner.metadata.name!, uid: owner.metadata.uid! };
}

/** A pod outside [start, start+replicas): it goes on scale-down. */
export function isCondemned(set: Readonly<StatefulSet>, pod: Readonly<Pod>): boolean {
  const { ordinal } = parentAndOrdinal(pod);
  return ordinal < startOrdinal(set) || ordinal >= endOrdinal(set);
}

/**
 * The ownerReferences `claim` should carry for `set` and `pod` (pod may be undefined when the claim is
 * made before its pod): references to others are kept, the set's and the pod's added or removed.
 */
export function desiredClaimOwners(set: Readonly<StatefulSet>, pod: Readonly<Pod> | undefined, claim: Readonly<KubeObject>): OwnerReference[] {
  const policy = set.spec?.persistentVolumeClaimRetentionPolicy ?? {};
  const deleteWithSet = policy.whenDeleted === 'Delete';
  const deleteOnScale = policy.whenScaled === 'Delete';
  const condemned = pod !== undefined && isCondemned(set, pod);
  const wantSet = deleteWithSet && !(deleteOnScale && condemned);
  const wantPod = deleteOnScale && condemned && pod?.metadata.uid !== undefined;
  const mine = new Set([set.metadata.uid, pod?.metadata.uid].filter((u): u is string => !!u));
  const out = (claim.metadata.ownerReferences ?? []).filter((r) => !mine.has(r.uid));
  if (wantSet) out.push(ref(set, 'apps/v1', 'StatefulSet'));
  if (wantPod && pod) out.push(ref(pod, 'v1', 'Pod'));
  return out;
}

/** claimOwnerMatchesSetAndPod: whether the claim already carries exactly the references it should. */
export function claimOwnersMatch(set: Readonly<StatefulSet>, pod: Readonly<Pod> | undefined, claim: Readonly<KubeObject>): boolean {
  const want = desiredClaimOwners(set, pod, claim).map((r) => r.uid).sort();
  const have = (claim.metadata.ownerReferences ?? []).map((r) => r.uid).sort();
  return want.length === have.length && want.every((u, i) => u === have[i]);
}
