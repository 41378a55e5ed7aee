/**
 * Which PersistentVolume a claim binds to, as upstream's binder decides it
 * (pkg/controller/volume/persistentvolume/index.go findBestMatchForClaim and
 * component-helpers/storage/volume FindMatchingVolume): pure, shared by the PV controller (no node)
 * and the scheduler's VolumeBinding plugin (a candidate node).
 *
 * Volumes are tried in groups by access modes: first those offering exactly the claim's modes, then
 * supersets with more modes; within a group the smallest volume at least as large as the request
 * wins. A volume whose claimRef names this claim (pre-bound) wins at once, whatever its class.
 */
import type { Node } from '../kinds/core/node.js';
import { accessModesContain, storageOf, ZERO } from '../kinds/core/persistent-volume-common.js';
import type { PersistentVolumeClaim } from '../kinds/core/persistent-volume-claim.js';
import type { PersistentVolume } from '../kinds/core/persistent-volume.js';
import { selectorMatches } from '../kinds/meta/label-selector.js';
import { compileNodeSelectorTerms } from '../scheduling/node-selector.js';

/** The beta annotation older claims and volumes name their class with (storageutil.GetPersistentVolume{,Claim}Class). */
export const BETA_STORAGE_CLASS_ANNOTATION = 'volume.beta.kubernetes.io/storage-class';

export function volumeClass(pv: Readonly<PersistentVolume>): string {
  return pv.metadata.annotations?.[BETA_STORAGE_CLASS_ANNOTATION] ?? pv.spec?.storageClassName ?? '';
}

export function claimClass(pvc: Readonly<PersistentVolumeClaim>): string {
  return pvc.metadata.annotations?.[BETA_STORAGE_CLASS_ANNOTATION] ?? pvc.spec?.storageClassName ?? '';
}

/** IsVolumeBoundToClaim: the claimRef names the claim (and its uid, when the ref has one). */
export function isVolumeBoundToClaim(pv: Readonly<PersistentVolume>, pvc: Readonly<PersistentVolumeClaim>): boolean {
  const ref = pv.spec?.claimRef;
  if (!ref) return false;
  if (ref.name !== pvc.metadata.name || (ref.namespace ?? '') !== (pvc.metadata.namespace ?? '')) return false;
  return !ref.uid || ref.uid === pvc.metadata.uid;
}

/** CheckNodeAffinity: a volume without node affinity fits every node. */
export function volumeFitsNode(pv: Readonly<PersistentVolume>, node: Readonly<Node>): boolean {
  const terms = pv.spec?.nodeAffinity?.required?.nodeSelectorTerms;
  if (!terms) return true;
  return compileNodeSelectorTerms(terms)(node);
}

const volumeModeOf = (mode: string | undefined): string => mode ?? 'Filesystem';

/**
 * FindMatchingVolume over one group of volumes. `node` is the scheduler's candidate (undefined in
 * the PV controller); `delayBinding` (WaitForFirstConsumer) makes the controller leave unbound
 * volumes to the scheduler.
 */
export function findMatchingVolume(pvc: Readonly<PersistentVolumeClaim>, volumes: readonly Readonly<PersistentVolume>[], node: Readonly<Node> | undefined, excluded: ReadonlySet<string>, delayBinding: boolean): PersistentVolume | undefined {
  const requested = storageOf(pvc.spec?.resources?.requests) ?? ZERO;
  const requestedClass = claimClass(pvc);
  const selector = pvc.spec?.selector;
  let smallest: PersistentVolume | undefined;
  for (const pv of volumes) {
    if (excluded.has(pv.metadata.name ?? '')) continue;
    if (pv.spec?.claimRef && !isVolumeBoundToClaim(pv, pvc)) continue;
    const size = storageOf(pv.spec?.capacity) ?? ZERO;
    if (size.cmp(requested) < 0) continue;
    if (volumeModeOf(pv.spec?.volumeMode) !== volumeModeOf(pvc.spec?.volumeMode)) continue;
    if (pv.metadata.deletionTimestamp) continue;
    const affinityOk = !node || volumeFitsNode(pv, node);
    if (isVolumeBoundToClaim(pv, pvc)) return affinityOk ? (pv as PersistentVolume) : undefined;
    if (!node && delayBinding) continue;
    if (pv.status?.phase !== 'Available') continue;
    if (selector && !selectorMatches(selector, pv.metadata.labels)) continue;
    if (volumeClass(pv) !== requestedClass) continue;
    if (!affinityOk) continue;
    if (node && !accessModesContain(pv.spec?.accessModes, pvc.spec?.accessModes)) continue;
    if (!smallest || (storageOf(smallest.spec?.capacity) ?? ZERO).cmp(size) > 0) smallest = pv as PersistentVolume;
  }
  return smallest;
}

/**
 * findBestMatchForClaim: volumes grouped by their access modes, the groups offering every mode the
 * claim asks for tried from the fewest modes up (upstream's allPossibleMatchingAccessModes order).
 */
export function findBestMatch(pvc: Readonly<PersistentVolumeClaim>, volumes: readonly Readonly<PersistentVolume>[], node: Readonly<Node> | undefined = undefined, delayBinding = false, excluded: ReadonlySet<string> = new Set()): PersistentVolume | undefined {
  const groups = new Map<string, Readonly<PersistentVolume>[]>();
  for (const pv of volumes) {
    const modes = [...new Set(pv.spec?.accessModes ?? [])].sort();
    if (!accessModesContain(modes, pvc.spec?.accessModes)) continue;
    const key = modes.join(',');
    groups.set(key, [...(groups.get(key) ?? []), pv]);
  }
  const ordered = [...groups.entries()].sort(([a], [b]) => a.split(',').length - b.split(',').length || (a < b ? -1 : a > b ? 1 : 0));
  for (const [, group] of ordered) {
    const found = findMatchingVolume(pvc, group, node, excluded, delayBinding);
    if (found) return found;
  }
  return undefined;
}
