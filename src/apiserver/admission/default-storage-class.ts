/**
 * The DefaultStorageClass admission plugin on PVC CREATE (upstream
 * plugin/pkg/admission/storage/storageclass/setdefault/admission.go): a claim with no
 * spec.storageClassName (unset, not "": an explicit "" asks for no class) gets the default class,
 * the StorageClass annotated storageclass.kubernetes.io/is-default-class=true; when several are
 * marked, the newest wins (ties by name), as upstream's util.GetDefaultClass since 1.26.
 */
import { isDefaultStorageClass, type StorageClass } from '../../api/kinds/storage/storage-class.js';
import type { KubeObject } from '../../api/meta.js';

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
