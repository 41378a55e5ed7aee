/**
 * The DaemonSet controller (upstream pkg/controller/daemon): one pod per eligible node, placed
 * through the scheduler (a required node affinity on the node's name), RollingUpdate and OnDelete
 * updates, ControllerRevisions for history and rollback.
 *
 * Wiring: reconciles DaemonSets; pod events wake the pod's controlling DaemonSet (orphans: every
 * DaemonSet whose selector matches, to adopt them) and settle expectations first; ControllerRevision
 * events wake their owner; node additions, deletions and changes to what eligibility reads (labels,
 * taints, unschedulable) wake every DaemonSet.
 */
import type { ControllerRevision, DaemonSet, Node } from '../../api/kinds/index.js';
import type { KubeObject } from '../../api/meta.js';
import { labelSelectorFromObject, matchesLabels } from '../../api/selectors/index.js';
import { resources } from '../../client/resource-ref.js';
import type { Controller } from '../../controller-runtime/controller.js';
import { controllerOwnerKey } from '../../controller-runtime/handlers.js';
import { keyOf, keyString, type ObjectKey } from '../../controller-runtime/informer/keys.js';
import type { Manager } from '../../controller-runtime/manager.js';
import { controllerOf } from '../../controller-runtime/workload/controller-ref.js';
import { Expectations, observePodExpectations } from '../../controller-runtime/workload/expectations.js';
import type { Pod } from '../../api/kinds/core/pod.js';
import { daemonSetReconciler } from './daemonset-reconciler.js';
import { FailedPodBackoff } from './failed-pod-backoff.js';

export interface DaemonSetControllerOptions {
  /** Concurrent reconciles (upstream --concurrent-daemonset-syncs, 2). */
  workers?: number;
  /** Max pods created and deleted per sync (upstream 250). */
  burst?: number;
}

/** Whether a node update changed anything NodeShouldRunDaemonPod reads (upstream shouldIgnoreNodeUpdate, inverted). */
function nodeChangeMatters(a: Readonly<Node>, b: Readonly<Node>): boolean {
  return JSON.stringify(a.metadata.labels ?? {}) !== JSON.stringify(b.metadata.labels ?? {})
    || JSON.stringify(a.spec?.taints ?? []) !== JSON.stringify(b.spec?.taints ?? [])
    || !!a.spec?.unschedulable !== !!b.spec?.unschedulable;
}

/** Declare the DaemonSet controller on `mgr`; it runs when the manager starts. */
export function addDaemonSetController(mgr: Manager, opts: DaemonSetControllerOptions = {}): Controller {
  const clock = mgr.controllerDefaults.clock ?? { now: () => Date.now() };
  const dsInformer = mgr.informers.informerFor<DaemonSet>(resources.daemonsets);
  const podInformer = mgr.informers.informerFor<Pod>(resources.pods);
  const nodeInformer = mgr.informers.informerFor<Node>(resources.nodes);
  const revInformer = mgr.informers.informerFor<ControllerRevision>(resources.controllerrevisions);
  const recorder = mgr.eventRecorder('daemonset-controller');
  const expectations = new Expectations(clock);
  const backoff = new FailedPodBackoff(clock);

  const dsKeyOf = (pod: Readonly<KubeObject>): string | undefined => {
    const k = controllerOwnerKey(pod, 'apps', 'DaemonSet');
    return k ? keyString(k) : undefined;
  };
  observePodExpectations(podInformer, expectations, dsKeyOf);
  dsInformer.addEventHandler({ onDelete: (ds) => expectations.delete(keyOf(ds)) });

  const matching = (obj: Readonly<KubeObject>): string[] => {
    const out: string[] = [];
    for (const ds of dsInformer.indexer.listNamespace(obj.metadata.namespace)) {
      try {
        if (matchesLabels(labelSelectorFromObject(ds.spec?.selector), obj.metadata.labels)) out.push(keyOf(ds));
      } catch {
        // An invalid selector matches nothing.
      }
    }
    return out;
  };
  const toDaemonSets = (obj: Readonly<KubeObject>): (ObjectKey | string)[] => {
    if (controllerOf(obj)) {
      const k = controllerOwnerKey(obj, 'apps', 'DaemonSet');
      return k ? [k] : [];
    }
    return matching(obj);
  };

  const reconcile = daemonSetReconciler({
    client: mgr.client, daemonSets: dsInformer.indexer, pods: podInformer.indexer, nodes: nodeInformer.indexer, revisions: revInformer.indexer,
    expectations, backoff, recorder, clock, burst: opts.burst, logger: mgr.controllerDefaults.logger,
  });

  const controller = mgr
    .controller('daemonset')
    .for(resources.daemonsets)
    .watches(resources.pods, toDaemonSets)
    .watches(resources.controllerrevisions, toDaemonSets)
    .withOptions({ workers: opts.workers ?? 2 })
    .complete(reconcile);

  const all = () => {
    for (const ds of dsInformer.indexer.list()) controller.enqueue(keyOf(ds));
  };
  nodeInformer.addEventHandler({
    onAdd: all,
    onUpdate: (a, b) => {
      if (nodeChangeMatters(a, b)) all();
    },
    onDelete: all,
  });
  return controller;
}
