/**
 * Storage admission on PersistentVolumeClaims.
 *
 * The DefaultStorageClass admission plugin on PVC CREATE (upstream
 * plugin/pkg/admission/storage/storageclass/setdefault/admission.go): a claim with no
 * spec.storageClassName (unset, not "": an explicit "" asks for no class) gets the default class,
 * the StorageClass annotated storageclass.kubernetes.io/is-default-class=true; when several are
 * marked, the newest wins (ties by name), as upstream's util.GetDefaultClass since 1.26.
 *
 * PersistentVolumeClaimResize (plugin/pkg/admission/storage/persistentvolume/resize): a bound claim
 * may grow only when its StorageClass says allowVolumeExpansion: true; else 403 Forbidden.
 */
import { isDefaultStorageClass, type StorageClass } from '../../api/kinds/storage/storage-class.js';
import type { PersistentVolumeClaim } from '../../api/kinds/core/persistent-volume-claim.js';
import { storageOf } from '../../api/kinds/core/persistent-volume-common.js';
import type { KubeObject } from '../../api/meta.js';
import { failure } from '../../api/status.js';

export type StorageClassLister = () => Promise<StorageClass[]>;

export function pickDefaultClass(classes: readonly StorageClass[]): StorageClass | undefined {
  const defaults = classes.filter(isDefaultStorageClass);
  defaults.sort((a, b) => {
    const ta = a.metadata.creationTimestamp ?? '';
    const tb = b.metadata.creationTimestamp ?? '';
    if (ta !== tb) return ta > tb ? -1 : 1;
    return (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1;
  });
  return defaults[0];
}

export async function admitDefaultStorageClass(pvc: KubeObject, list: StorageClassLister): Promise<void> {
  const spec = (pvc.spec ??= {}) as { storageClassName?: string };
  if (spec.storageClassName !== undefined) return;
  const def = pickDefaultClass(await list());
  if (def?.metadata.name) spec.storageClassName = def.metadata.name;
}

export async function admitResize(pvc: PersistentVolumeClaim, old: PersistentVolumeClaim, getClass: (name: string) => Promise<StorageClass | undefined>): Promise<void> {
  if (old.status?.phase !== 'Bound') return;
  const next = storageOf(pvc.spec?.resources?.requests);
  const prev = storageOf(old.spec?.resources?.requests);
  if (!next || !prev || next.cmp(prev) <= 0) return;
  const className = pvc.spec?.storageClassName;
  const sc = className ? await getClass(className) : undefined;
  if (sc?.allowVolumeExpansion) return;
  const name = pvc.metadata.name ?? '';
  throw failure(403, 'Forbidden', `persistentvolumeclaims "${name}" is forbidden: only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize`, { name, kind: 'persistentvolumeclaims' });
}
