/**
 * The PVC and PV protection controllers (upstream pkg/controller/volume/pvcprotection and
 * pvprotection): a claim being deleted keeps its kubernetes.io/pvc-protection finalizer while a pod
 * that has not finished uses it, so its data outlives no running pod; a volume being deleted keeps
 * kubernetes.io/pv-protection while it is Bound. When nothing uses them, the finalizer goes and the
 * delete completes. Pod events (a user of a claim finishing or going) wake the claim.
 */
import type { PersistentVolume, PersistentVolumeClaim, Pod } from '../../api/kinds/index.js';
import type { KubeObject } from '../../api/meta.js';
import { isConflict, isNotFound } from '../../client/errors.js';
import type { KubeClient } from '../../client/kube-client.js';
import { resources, type ResourceRef } from '../../client/resource-ref.js';
import type { Controller } from '../../controller-runtime/controller.js';
import type { Manager } from '../../controller-runtime/manager.js';
import type { Result } from '../../controller-runtime/reconcile.js';

export const PVC_PROTECTION_FINALIZER = 'kubernetes.io/pvc-protection';
export const PV_PROTECTION_FINALIZER = 'kubernetes.io/pv-protection';

/** podUsesPVC: a pod that has not finished (Succeeded/Failed) and names the claim in its volumes. */
export function podUsesClaim(pod: Readonly<Pod>, claim: string): boolean {
  if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return false;
  return (pod.spec?.volumes ?? []).some((v) => v.persistentVolumeClaim?.claimName === claim);
}

async function removeFinalizer(client: KubeClient, ref: ResourceRef, obj: Readonly<KubeObject>, finalizer: string): Promise<Result | void> {
  const finalizers = (obj.metadata.finalizers ?? []).filter((f) => f !== finalizer);
  try {
    await client.resource(ref, obj.metadata.namespace).update({ ...obj, metadata: { ...obj.metadata, finalizers } });
  } catch (err) {
    if (isConflict(err)) return { requeue: true };
    if (!isNotFound(err)) throw err;
  }
}

export function addPvcProtectionController(mgr: Manager): Controller {
  const claims = mgr.informers.informerFor<PersistentVolumeClaim>(resources.persistentvolumeclaims);
  const pods = mgr.informers.informerFor<Pod>(resources.pods);
  return mgr.controller('pvc-protection')
    .for(resources.persistentvolumeclaims)
    .watches(resources.pods, (o) => (o.spec?.volumes ?? []).filter((v) => v.persistentVolumeClaim).map((v) => ({ namespace: o.metadata.namespace, name: v.persistentVolumeClaim!.claimName })))
    .complete(async (req) => {
      const pvc = claims.indexer.get(`${req.namespace}/${req.name}`);
      if (!pvc?.metadata.deletionTimestamp || !pvc.metadata.finalizers?.includes(PVC_PROTECTION_FINALIZER)) return;
      const inUse = pods.indexer.list().some((p) => p.metadata.namespace === req.namespace && podUsesClaim(p, req.name));
      if (inUse) return;
      // The cache may lag a pod just created: ask the API before letting the claim go (upstream's live list).
      const live = await mgr.client.resource<Pod>(resources.pods, req.namespace).list();
      if (live.items.some((p) => podUsesClaim(p, req.name))) return;
      return removeFinalizer(mgr.client, resources.persistentvolumeclaims, pvc, PVC_PROTECTION_FINALIZER);
    });
}

export function addPvProtectionController(mgr: Manager): Controller {
  const volumes = mgr.informers.informerFor<PersistentVolume>(resources.persistentvolumes);
  return mgr.controller('pv-protection')
    .for(resources.persistentvolumes)
    .complete(async (req) => {
      const pv = volumes.indexer.get(req.name);
      if (!pv?.metadata.deletionTimestamp || !pv.metadata.finalizers?.includes(PV_PROTECTION_FINALIZER)) return;
      if (pv.status?.phase === 'Bound') return;
      return removeFinalizer(mgr.client, resources.persistentvolumes, pv, PV_PROTECTION_FINALIZER);
    });
}
