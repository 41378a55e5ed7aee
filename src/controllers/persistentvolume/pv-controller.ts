/**
 * The PersistentVolume controller (upstream pkg/controller/volume/persistentvolume, the
 * "persistentvolume-binder" of kube-controller-manager): two level-triggered queues, claims
 * (claim-sync.ts: bind, provision, Lost) and volumes (volume-sync.ts: phases and reclaim).
 *
 * Wiring: a claim is woken by its own events, by its volume's (claimRef), by any free volume or
 * StorageClass change when it is unbound (upstream re-syncs every 15 s for that; the events make it
 * prompt); a volume by its own events, its claim's, and its local-path helper pod's.
 */
import type { Node, PersistentVolumeClaim } from '../../api/kinds/index.js';
import { isConflict, isNotFound } from '../../client/errors.js';
import { resources } from '../../client/resource-ref.js';
import type { Controller } from '../../controller-runtime/controller.js';
import type { ObjectKey } from '../../controller-runtime/informer/keys.js';
import type { Manager } from '../../controller-runtime/manager.js';
import type { Result } from '../../controller-runtime/reconcile.js';
import { binderEnv } from './binder-env.js';
import { syncClaim } from './claim-sync.js';
import { HELPER_FOR_LABEL, HELPER_NAMESPACE } from './local-path.js';
import { syncVolume } from './volume-sync.js';

export interface PersistentVolumeControllerOptions {
  /** Where local-path volumes go on a node that does not publish its directory (default /var/lib/bosun/storage). */
  defaultLocalPathDir?: string;
  /** Image of the helper pod that deletes a local-path volume's directory on its node. */
  helperImage?: string;
}

export const DEFAULT_HELPER_IMAGE = 'docker.io/library/busybox:1.36';

/** Retry soon on a lost write race (409) or an object gone meanwhile (404); other errors go to the queue's backoff. */
async function guarded(step: () => Promise<void>): Promise<Result | void> {
  try {
    await step();
  } catch (err) {
    if (isConflict(err)) return { requeue: true };
    if (isNotFound(err)) return;
    throw err;
  }
}

/** Declares both queues on `mgr`; returns the claims' controller (the volumes' runs beside it). */
export function addPersistentVolumeController(mgr: Manager, opts: PersistentVolumeControllerOptions = {}): Controller {
  const recorder = mgr.eventRecorder('persistentvolume-controller');
  const env = binderEnv(mgr.client, mgr.informers, recorder, {
    defaultLocalPathDir: opts.defaultLocalPathDir ?? '/var/lib/bosun/storage',
    helperImage: opts.helperImage ?? DEFAULT_HELPER_IMAGE,
  });
  const claims = mgr.informers.informerFor<PersistentVolumeClaim>(resources.persistentvolumeclaims);
  const nodes = mgr.informers.informerFor<Node>(resources.nodes);
  const unboundClaims = (): ObjectKey[] => claims.indexer.list()
    .filter((c) => !c.spec?.volumeName || c.status?.phase !== 'Bound')
    .map((c) => ({ namespace: c.metadata.namespace, name: c.metadata.name! }));

  const claimController = mgr.controller('persistentvolume-binder-claims')
    .for(resources.persistentvolumeclaims)
    .watches(resources.persistentvolumes, (o) => {
      const ref = (o).spec?.claimRef;
      return ref?.name ? [{ namespace: ref.namespace, name: ref.name }] : unboundClaims();
    })
    .watches(resources.storageclasses, () => unboundClaims())
    .complete(async (req) => {
      const pvc = env.claim(req.namespace ?? '', req.name);
      if (!pvc) return;
      return guarded(() => syncClaim(env, pvc));
    });

  mgr.controller('persistentvolume-binder-volumes')
    .for(resources.persistentvolumes)
    .watches(resources.persistentvolumeclaims, (o) => {
      const pvc = o;
      const names = new Set<string>();
      if (pvc.spec?.volumeName) names.add(pvc.spec.volumeName);
      for (const pv of env.allVolumes()) {
        const ref = pv.spec?.claimRef;
        if (ref?.name === pvc.metadata.name && ref?.namespace === pvc.metadata.namespace) names.add(pv.metadata.name!);
      }
      return [...names];
    })
    .watches(resources.pods, (o) => {
      const pv = o.metadata.namespace === HELPER_NAMESPACE ? o.metadata.labels?.[HELPER_FOR_LABEL] : undefined;
      return pv ? [pv] : [];
    })
    .complete(async (req) => {
      const pv = env.volume(req.name);
      if (!pv) return;
      const result = await guarded(() => syncVolume(env, pv, nodes.indexer.list()));
      // A Released volume waiting on its helper pod or a gone node is looked at again later.
      if (!result && pv.status?.phase === 'Released' && pv.spec?.persistentVolumeReclaimPolicy === 'Delete') return { requeueAfter: 15_000 };
      return result;
    });
  return claimController;
}
