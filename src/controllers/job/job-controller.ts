/**
 * The Job controller (upstream pkg/controller/job): runs a Job's pods to completion with
 * finalizer-based tracking. Wiring: reconciles Jobs; pod events wake the pod's controlling Job (or,
 * for an orphan, every Job whose selector matches), settle creation/deletion expectations and
 * finalizer-removal expectations before the sync they trigger runs.
 */
import { labelSelectorFromObject, matchesLabels } from '../../api/selectors/index.js';
import { resources } from '../../client/resource-ref.js';
import type { Controller } from '../../controller-runtime/controller.js';
import { controllerOwnerKey } from '../../controller-runtime/handlers.js';
import { keyOf, keyString } from '../../controller-runtime/informer/keys.js';
import type { Manager } from '../../controller-runtime/manager.js';
import { controllerOf } from '../../controller-runtime/workload/controller-ref.js';
import { Expectations } from '../../controller-runtime/workload/expectations.js';
import type { Pod } from '../../api/kinds/core/pod.js';
import { FinalizerExpectations } from './finalizer-expectations.js';
import type { BackoffRecord } from './job-counting.js';
import { hasTrackingFinalizer } from './job-pods.js';
import { CONTROLLER_UID_INDEX, jobReconciler } from './job-reconciler.js';
import type { Job } from './job-types.js';
import { WrittenObjects } from '../../controller-runtime/informer/written-objects.js';

export interface JobControllerOptions {
  /** Concurrent syncs (upstream --concurrent-job-syncs, 5). */
  workers?: number;
  /** First pod failure back-off, doubling per failure (upstream DefaultJobPodFailureBackOff, 10 s; exported there for tests too). */
  podFailureBackoffMs?: number;
  /**
   * Pod events sync their Job at most this often (upstream syncJobBatchPeriod, 1 s): a sync then
   * counts every pod that finished meanwhile in one status write instead of one write per pod event.
   */
  syncBatchMs?: number;
}

export function addJobController(mgr: Manager, opts: JobControllerOptions = {}): Controller {
  const clock = mgr.controllerDefaults.clock ?? { now: () => Date.now() };
  const jobInformer = mgr.informers.informerFor<Job>(resources.jobs);
  const podInformer = mgr.informers.informerFor<Pod>(resources.pods);
  podInformer.indexer.addIndexers({ [CONTROLLER_UID_INDEX]: (p) => [controllerOf(p)?.uid ?? ''] });
  const expectations = new Expectations(clock);
  const finalizers = new FinalizerExpectations();
  const backoffs = new Map<string, BackoffRecord>();

  const jobKeyOf = (pod: Readonly<Pod>): string | undefined => {
    const k = controllerOwnerKey(pod, 'batch', 'Job');
    return k ? keyString(k) : undefined;
  };
  const podDeleted = (pod: Readonly<Pod>) => {
    const k = jobKeyOf(pod);
    if (k) expectations.deletionObserved(k, keyOf(pod));
  };
  podInformer.addEventHandler({
    onAdd: (pod) => {
      const k = jobKeyOf(pod);
      if (!k) return;
      if (pod.metadata.deletionTimestamp) podDeleted(pod);
      else expectations.creationObserved(k);
    },
    onUpdate: (old, pod) => {
      const k = jobKeyOf(pod);
      if (!k) return;
      if (pod.metadata.deletionTimestamp && !old.metadata.deletionTimestamp) podDeleted(pod);
      if (!hasTrackingFinalizer(pod)) finalizers.observed(k, pod.metadata.uid!);
    },
    onDelete: (pod) => {
      podDeleted(pod);
      const k = jobKeyOf(pod);
      if (k) finalizers.observed(k, pod.metadata.uid!);
    },
  });
  jobInformer.addEventHandler({
    onDelete: (job) => {
      expectations.delete(keyOf(job));
      backoffs.delete(keyOf(job));
    },
  });

  const podToJobs = (pod: Readonly<Pod>): string[] => {
    if (controllerOf(pod)) {
      const k = jobKeyOf(pod);
      return k ? [k] : [];
    }
    const out: string[] = [];
    for (const job of jobInformer.indexer.listNamespace(pod.metadata.namespace)) {
      try {
        if (matchesLabels(labelSelectorFromObject(job.spec.selector), pod.metadata.labels)) out.push(keyOf(job));
      } catch {
        // An invalid selector matches nothing.
      }
    }
    return out;
  };

  const reconcile = jobReconciler({
    client: mgr.client, jobs: jobInformer.indexer, pods: podInformer.indexer, expectations, finalizers, backoffs,
    recorder: mgr.eventRecorder('job-controller'), clock, logger: mgr.controllerDefaults.logger, backoffBaseMs: opts.podFailureBackoffMs, written: new WrittenObjects<Job>(),
  });
  const controller = mgr
    .controller('job')
    .for(resources.jobs)
    .withOptions({ workers: opts.workers ?? 5 })
    .complete(reconcile);
  // enqueueSyncJobBatched: pod changes wake their Job after the batch period (the earliest pending wake-up wins).
  const batchMs = opts.syncBatchMs ?? 1000;
  const wake = (pod: Readonly<Pod>) => {
    for (const k of podToJobs(pod)) controller.enqueueAfter(k, batchMs);
  };
  podInformer.addEventHandler({ onAdd: wake, onUpdate: (_old, pod) => wake(pod), onDelete: wake });
  return controller;
}
