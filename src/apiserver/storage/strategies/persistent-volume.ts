/**
 * PersistentVolume and PersistentVolumeClaim (pkg/registry/core/persistentvolume{,claim}): the
 * StorageObjectInUseProtection admission plugin adds the kubernetes.io/pv-protection and
 * kubernetes.io/pvc-protection finalizers on create (the protection controllers remove them once
 * nothing uses the object); a PV's status write that changes the phase stamps
 * lastPhaseTransitionTime; claims get the DefaultStorageClass admission on create and the
 * PersistentVolumeClaimResize admission on update (both reading StorageClasses from the same store);
 * /status writes keep the stored spec (generic).
 */
import type { PersistentVolumeClaim } from '../../../api/kinds/core/persistent-volume-claim.js';
import type { PersistentVolume } from '../../../api/kinds/core/persistent-volume.js';
import { storageClasses, type StorageClass } from '../../../api/kinds/storage/storage-class.js';
import type { KubeObject } from '../../../api/meta.js';
import type { Store } from '../../../store/types.js';
import { admitDefaultStorageClass, admitResize } from '../../admission/default-storage-class.js';
import { decodeKv } from '../codec.js';
import { listPrefix, objectKey } from '../keys.js';
import { nowTimestamp } from '../object-meta.js';
import type { Strategy } from './types.js';

export const PV_PROTECTION_FINALIZER = 'kubernetes.io/pv-protection';
export const PVC_PROTECTION_FINALIZER = 'kubernetes.io/pvc-protection';

function addFinalizer(obj: KubeObject, f: string): void {
  const fs = obj.metadata.finalizers ?? [];
  if (!fs.includes(f)) obj.metadata.finalizers = [...fs, f];
}

export const persistentVolumeStrategy: Strategy<PersistentVolume> = {
  prepareForCreate(obj) {
    addFinalizer(obj, PV_PROTECTION_FINALIZER);
    obj.status = { phase: 'Pending', lastPhaseTransitionTime: nowTimestamp() };
  },
  prepareForStatusUpdate(obj, old) {
    const st = obj.status;
    const prev = old.status;
    if (st && st.phase !== prev?.phase) st.lastPhaseTransitionTime = nowTimestamp();
  },
};

export const persistentVolumeClaimStrategy: Strategy<PersistentVolumeClaim> = {
  prepareForCreate(obj) {
    addFinalizer(obj, PVC_PROTECTION_FINALIZER);
  },
  forStore(store: Store): Strategy<PersistentVolumeClaim> {
    const list = async (): Promise<StorageClass[]> => {
      const res = await store.list(listPrefix(storageClasses));
      return res.items.map((kv) => decodeKv(storageClasses, kv));
    };
    const getClass = async (name: string): Promise<StorageClass | undefined> => {
      const kv = await store.get(objectKey(storageClasses, undefined, name));
      return kv ? decodeKv(storageClasses, kv) : undefined;
    };
    return {
      ...persistentVolumeClaimStrategy,
      forStore: undefined,
      admit: (obj) => admitDefaultStorageClass(obj, list),
      validateAdmission: (obj, old) => (old ? admitResize(obj, old, getClass) : Promise.resolve()),
    };
  },
};
