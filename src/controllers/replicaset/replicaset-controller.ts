/**
 * The ReplicaSet controller (upstream pkg/controller/replicaset): keeps spec.replicas active pods
 * per ReplicaSet, adopting matching orphans and releasing pods that stopped matching, and reports
 * replicas / fullyLabeledReplicas / readyReplicas / availableReplicas / observedGeneration.
 *
 * Wiring: reconciles ReplicaSets; pod events wake the pod's controlling ReplicaSet, or for orphans
 * every ReplicaSet whose selector matches (so they can adopt). Pod events also settle expectations
 * before the reconcile they trigger runs.
 */
import type { KubeObject } from '../../api/meta.js';
import { labelSelectorFromObject, matchesLabels } from '../../api/selectors/index.js';
import { resources } from '../../client/resource-ref.js';
import type { Controller } from '../../controller-runtime/controller.js';
import { controllerOwnerKey } from '../../controller-runtime/handlers.js';
import { keyOf, keyString, type ObjectKey } from '../../controller-runtime/informer/keys.js';
import type { Manager } from '../../controller-runtime/manager.js';
import { controllerOf } from '../../controller-runtime/workload/controller-ref.js';
import { Expectations, observePodExpectations } from '../../controller-runtime/workload/expectations.js';
import { replicaSetKind, type ManagedKind } from './managed-kind.js';
import { replicaSetReconciler } from './replicaset-reconciler.js';
import type { Pod } from '../../api/kinds/core/pod.js';
import type { ReplicaSet } from '../../controller-runtime/workload/types.js';

export interface ReplicaSetControllerOptions {
  /** Concurrent reconciles (upstream --concurrent-replicaset-syncs, 5). */
  workers?: number;
  /** Max pods created or deleted per sync (upstream 500). */
  burstReplicas?: number;
  /** The kind managed: ReplicaSet, or v1 ReplicationController (upstream's ReplicationManager). */
  kind?: ManagedKind;
}

/** Declare the ReplicaSet controller on `mgr`; it runs when the manager starts. */
export function addReplicaSetController(mgr: Manager, opts: ReplicaSetControllerOptions = {}): Controller {
  const clock = mgr.controllerDefaults.clock ?? { now: () => Date.now() };
  const kind = opts.kind ?? replicaSetKind;
  const rsInformer = mgr.informers.informerFor<ReplicaSet>(kind.ref);
  const podInformer = mgr.informers.informerFor<Pod>(resources.pods);
  const recorder = mgr.eventRecorder(kind.eventSource);
  const expectations = new Expectations(clock);
  const client = mgr.client;

  const rsKeyOf = (pod: Readonly<KubeObject>): string | undefined => {
    const k = controllerOwnerKey(pod, kind.group, kind.kind);
    return k ? keyString(k) : undefined;
  };
  observePodExpectations(podInformer, expectations, rsKeyOf);

  // A ReplicaSet deleted and recreated under the same name must not inherit stale expectations.
  rsInformer.addEventHandler({ onDelete: (rs) => expectations.delete(keyOf(rs)) });

  /** Pod -> ReplicaSets to wake: its controller, or for an orphan every matching ReplicaSet. */
  const podToReplicaSets = (pod: Readonly<KubeObject>): (ObjectKey | string)[] => {
    const ref = controllerOf(pod);
    if (ref) {
      const k = rsKeyOf(pod);
      return k ? [k] : [];
    }
    const out: string[] = [];
    for (const rs of rsInformer.indexer.listNamespace(pod.metadata.namespace)) {
      try {
        if (matchesLabels(labelSelectorFromObject(kind.selectorOf(rs)), pod.metadata.labels)) out.push(keyOf(rs));
      } catch {
        // An invalid selector matches nothing.
      }
    }
    return out;
  };

  const reconcile = replicaSetReconciler({
    client, replicaSets: rsInformer.indexer, pods: podInformer.indexer, expectations, recorder, clock,
    burstReplicas: opts.burstReplicas, logger: mgr.controllerDefaults.logger, kind,
  });

  return mgr
    .controller(kind.controllerName)
    .for(kind.ref)
    .watches(resources.pods, podToReplicaSets)
    .withOptions({ workers: opts.workers ?? 5 })
    .complete(reconcile);
}

