/**
 * The StatefulSet controller (upstream pkg/controller/statefulset): stable, ordered pods
 * `<set>-<ordinal>` with their own claims, rolling updates and rollbacks through ControllerRevisions.
 *
 * Wiring: reconciles StatefulSets; a pod wakes its controlling set, or for an orphan every set in its
 * namespace whose selector matches (adoption); a ControllerRevision wakes its controlling set. Claims
 * are read from a cache only (upstream watches no claims either).
 */
import type { StatefulSet } from '../../api/kinds/apps/stateful-set.js';
import type { PersistentVolumeClaim } from '../../api/kinds/core/persistent-volume-claim.js';
import type { KubeObject } from '../../api/meta.js';
import { labelSelectorFromObject, matchesLabels } from '../../api/selectors/index.js';
import { resources } from '../../client/resource-ref.js';
import type { Controller } from '../../controller-runtime/controller.js';
import { controllerOwnerKey } from '../../controller-runtime/handlers.js';
import { keyOf, keyString, type ObjectKey } from '../../controller-runtime/informer/keys.js';
import type { Manager } from '../../controller-runtime/manager.js';
import { controllerOf } from '../../controller-runtime/workload/controller-ref.js';
import type { ControllerRevision } from '../../controller-runtime/workload/history.js';
import type { Pod } from '../../api/kinds/core/pod.js';
import { statefulSetReconciler } from './reconciler.js';

export interface StatefulSetControllerOptions {
  /** Concurrent reconciles (upstream --concurrent-statefulset-syncs, 5). */
  workers?: number;
}

export function addStatefulSetController(mgr: Manager, opts: StatefulSetControllerOptions = {}): Controller {
  const clock = mgr.controllerDefaults.clock ?? { now: () => Date.now() };
  const sets = mgr.informers.informerFor<StatefulSet>(resources.statefulsets);
  const pods = mgr.informers.informerFor<Pod>(resources.pods);
  const revisions = mgr.informers.informerFor<ControllerRevision>(resources.controllerrevisions);
  const claims = mgr.informers.informerFor<PersistentVolumeClaim>(resources.persistentvolumeclaims);

  const owner = (obj: Readonly<KubeObject>): (ObjectKey | string)[] => {
    const k = controllerOwnerKey(obj, 'apps', 'StatefulSet');
    if (k) return [keyString(k)];
    if (controllerOf(obj)) return [];
    const out: string[] = [];
    for (const set of sets.indexer.listNamespace(obj.metadata.namespace)) {
      try {
        if (matchesLabels(labelSelectorFromObject(set.spec?.selector), obj.metadata.labels)) out.push(keyOf(set));
      } catch {
        // An invalid selector matches nothing.
      }
    }
    return out;
  };

  const reconcile = statefulSetReconciler({
    client: mgr.client, sets: sets.indexer, pods: pods.indexer, revisions: revisions.indexer, claims: claims.indexer,
    recorder: mgr.eventRecorder('statefulset-controller'), clock,
  });
  return mgr
    .controller('statefulset')
    .for(resources.statefulsets)
    .watches(resources.pods, owner)
    .watches(resources.controllerrevisions, owner)
    .withOptions({ workers: opts.workers ?? 5 })
    .complete(reconcile);
}
