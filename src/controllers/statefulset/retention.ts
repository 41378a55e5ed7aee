/**
 * persistentVolumeClaimRetentionPolicy as ownerReferences on the claims (upstream 1.31+
 * stateful_set_utils.go isClaimOwnerUpToDate / updateClaimOwnerRefForSetAndPod, KEP-1847 as amended
 * by kubernetes#122499): the garbage collector then deletes a claim with its set (whenDeleted:
 * Delete) or with its scaled-down pod (whenScaled: Delete). The set's and the pod's references are
 * controller references (controller and blockOwnerDeletion true). A claim controlled by anything
 * else is left to that controller: the set's and pod's references come off and none are added.
 * A claim whose reference names this set or pod with another uid (an earlier incarnation) is not
 * touched. Pure.
 */
import type { StatefulSet } from '../../api/kinds/apps/stateful-set.js';
import type { KubeObject, OwnerReference } from '../../api/meta.js';
import type { Pod } from '../../api/kinds/core/pod.js';
import { endOrdinal, parentAndOrdinal, startOrdinal } from './identity.js';

const SET_KIND = { apiVersion: 'apps/v1', kind: 'StatefulSet' };
const POD_KIND = { apiVersion: 'v1', kind: 'Pod' };

function controllerRef(owner: Readonly<KubeObject>, k: typeof SET_KIND): OwnerReference {
  return { ...k, name: owner.metadata.name!, uid: owner.metadata.uid!, controller: true, blockOwnerDeletion: true };
}

/** matchesRef: same kind and name (the uid may differ). */
function matchesRef(r: OwnerReference, obj: Readonly<KubeObject> | undefined, k: typeof SET_KIND): boolean {
  return !!obj && r.apiVersion === k.apiVersion && r.kind === k.kind && r.name === obj.metadata.name;
}

/** A pod outside [start, start+replicas): it goes on scale-down. */
export function isCondemned(set: Readonly<StatefulSet>, pod: Readonly<Pod>): boolean {
  const { ordinal } = parentAndOrdinal(pod);
  return ordinal < startOrdinal(set) || ordinal >= endOrdinal(set);
}

function retainsAll(set: Readonly<StatefulSet>): boolean {
  const policy = set.spec?.persistentVolumeClaimRetentionPolicy ?? {};
  return policy.whenDeleted !== 'Delete' && policy.whenScaled !== 'Delete';
}

/** hasUnexpectedController: under a Delete policy, the claim is controlled by something other than this set and pod. */
function hasUnexpectedController(set: Readonly<StatefulSet>, pod: Readonly<Pod> | undefined, claim: Readonly<KubeObject>): boolean {
  if (retainsAll(set)) return false;
  for (const r of claim.metadata.ownerReferences ?? []) {
    if (matchesRef(r, set, SET_KIND)) {
      if (r.uid !== set.metadata.uid) return true;
      continue;
    }
    if (matchesRef(r, pod, POD_KIND)) {
      if (r.uid !== pod!.metadata.uid) return true;
      continue;
    }
    if (r.controller) return true;
  }
  return false;
}

/** hasStaleOwnerRef: the first reference naming `obj` carries another uid. */
function hasStaleOwnerRef(claim: Readonly<KubeObject>, obj: Readonly<KubeObject> | undefined, k: typeof SET_KIND): boolean {
  const r = (claim.metadata.ownerReferences ?? []).find((x) => matchesRef(x, obj, k));
  return r !== undefined && r.uid !== obj!.metadata.uid;
}

/**
 * The ownerReferences `claim` should carry for `set` and `pod` (pod may be undefined when the claim is
 * made before its pod): references to others are kept, the set's and the pod's replaced as the
 * policy says, or dropped when another controller has the claim.
 */
export function desiredClaimOwners(set: Readonly<StatefulSet>, pod: Readonly<Pod> | undefined, claim: Readonly<KubeObject>): OwnerReference[] {
  const unexpected = hasUnexpectedController(set, pod, claim);
  const out = (claim.metadata.ownerReferences ?? []).filter((r) => !matchesRef(r, set, SET_KIND) && !matchesRef(r, pod, POD_KIND));
  if (unexpected) return out;
  const policy = set.spec?.persistentVolumeClaimRetentionPolicy ?? {};
  const condemned = pod !== undefined && isCondemned(set, pod);
  const wantSet = policy.whenDeleted === 'Delete' && !(policy.whenScaled === 'Delete' && condemned);
  const wantPod = policy.whenScaled === 'Delete' && condemned && pod?.metadata.uid !== undefined;
  if (wantSet) out.push(controllerRef(set, SET_KIND));
  if (wantPod && pod) out.push(controllerRef(pod, POD_KIND));
  return out;
}

/**
 * isClaimOwnerUpToDate: nothing to write. True for a claim with a stale reference (left alone);
 * otherwise whether it carries exactly the references (and controller flags) desiredClaimOwners gives.
 */
export function claimOwnersMatch(set: Readonly<StatefulSet>, pod: Readonly<Pod> | undefined, claim: Readonly<KubeObject>): boolean {
  if (hasStaleOwnerRef(claim, set, SET_KIND) || hasStaleOwnerRef(claim, pod, POD_KIND)) return true;
  const key = (r: OwnerReference) => `${r.uid}/${r.controller === true}`;
  const want = desiredClaimOwners(set, pod, claim).map(key).sort();
  const have = (claim.metadata.ownerReferences ?? []).map(key).sort();
  return want.length === have.length && want.every((u, i) => u === have[i]);
}
