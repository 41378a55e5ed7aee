/**
 * Carries out a SyncPlan (upstream stateful_pod_control.go): claims before their pod, pod deletions
 * guarded by the pod's uid (a stale cache never deletes a pod's successor of the same name), events
 * as upstream words them. A finished pod's deletion records only SuccessfulDelete: 1.31 dropped the
 * RecreatingFailedPod / RecreatingTerminatedPod events (kubernetes#123809). A create that finds the
 * name taken is not an error: names are stable, so the pod (or claim) is already there and the next
 * sync sees it.
 */
import type { StatefulSet } from '../../api/kinds/apps/stateful-set.js';
import type { PersistentVolumeClaim } from '../../api/kinds/core/persistent-volume-claim.js';
import { isAlreadyExists, isConflict, isNotFound } from '../../client/errors.js';
import type { KubeClient } from '../../client/kube-client.js';
import { resources } from '../../client/resource-ref.js';
import type { EventRecorder } from '../../controller-runtime/events/recorder.js';
import { runBatch, DEFAULT_CONCURRENCY } from '../../controller-runtime/workload/slow-start.js';
import { identityPatch } from './identity.js';
import type { Action, SyncPlan } from './plan.js';

export interface ExecutorDeps {
  client: KubeClient;
  recorder: EventRecorder;
}

/**
 * Run the phases in order; a phase's actions at once when the plan is parallel. Rejects with the
 * first failure. The uids of pods deleted for the update (or found gone) are added to `deletedForUpdate`
 * as they go, for the status (upstream's status.CurrentReplicas-- after DeleteStatefulPod).
 */
export async function executePlan(deps: ExecutorDeps, set: Readonly<StatefulSet>, plan: SyncPlan, deletedForUpdate = new Set<string>()): Promise<void> {
  for (const phase of plan.phases) {
    if (!plan.parallel) {
      for (const a of phase) await execute(deps, set, a, deletedForUpdate);
      continue;
    }
    const queue = [...phase];
    const results = await runBatch(queue.length, DEFAULT_CONCURRENCY, () => execute(deps, set, queue.shift()!, deletedForUpdate));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason));
  }
}

async function execute(deps: ExecutorDeps, set: Readonly<StatefulSet>, a: Action, deletedForUpdate: Set<string>): Promise<void> {
  const { client, recorder } = deps;
  const ns = set.metadata.namespace!;
  const setName = set.metadata.name!;
  switch (a.type) {
    case 'createPod': {
      await createClaims(deps, set, a.pod.metadata.name!, a.claims);
      try {
        await client.pods(ns).create(a.pod);
        recorder.event(set, 'Normal', 'SuccessfulCreate', `create Pod ${a.pod.metadata.name} in StatefulSet ${setName} successful`);
      } catch (err) {
        if (isAlreadyExists(err)) return;
        recorder.event(set, 'Warning', 'FailedCreate', `create Pod ${a.pod.metadata.name} in StatefulSet ${setName} failed error: ${String((err as Error).message ?? err)}`);
        throw err;
      }
      return;
    }
    case 'createClaims':
      return createClaims(deps, set, a.pod.metadata.name!, a.claims);
    case 'deletePod': {
      const name = a.pod.metadata.name!;
      try {
        await client.pods(ns).delete(name, { preconditions: { uid: a.pod.metadata.uid } });
        if (a.why === 'update') deletedForUpdate.add(a.pod.metadata.uid!);
        recorder.event(set, 'Normal', 'SuccessfulDelete', `delete Pod ${name} in StatefulSet ${setName} successful`);
      } catch (err) {
        if (isNotFound(err) && a.why === 'update') deletedForUpdate.add(a.pod.metadata.uid!);
        if (isNotFound(err) || isConflict(err)) return;
        recorder.event(set, 'Warning', 'FailedDelete', `delete Pod ${name} in StatefulSet ${setName} failed error: ${String((err as Error).message ?? err)}`);
        throw err;
      }
      return;
    }
    case 'labelPod':
      await ignoreGone(client.pods(ns).patch(a.pod.metadata.name!, 'merge', identityPatch(a.pod)));
      return;
    case 'setClaimOwners': {
      const body = { metadata: { resourceVersion: a.claim.metadata.resourceVersion, ownerReferences: a.owners.length ? a.owners : null } };
      await ignoreGone(client.resource<PersistentVolumeClaim>(resources.persistentvolumeclaims, ns).patch(a.claim.metadata.name!, 'merge', body));
      return;
    }
  }
}

/** createPersistentVolumeClaims: each missing claim; one that exists already is fine. */
async function createClaims(deps: ExecutorDeps, set: Readonly<StatefulSet>, podName: string, claims: readonly PersistentVolumeClaim[]): Promise<void> {
  const api = deps.client.resource<PersistentVolumeClaim>(resources.persistentvolumeclaims, set.metadata.namespace);
  for (const claim of claims) {
    try {
      await api.create(claim);
      deps.recorder.event(set, 'Normal', 'SuccessfulCreate', `create Claim ${claim.metadata.name} Pod ${podName} in StatefulSet ${set.metadata.name} success`);
    } catch (err) {
      if (isAlreadyExists(err)) continue;
      deps.recorder.event(set, 'Warning', 'FailedCreate', `create Claim ${claim.metadata.name} for Pod ${podName} in StatefulSet ${set.metadata.name} failed error: ${String((err as Error).message ?? err)}`);
      throw err;
    }
  }
}

/** A patch racing a deletion or a newer write: the next sync sees the new state. */
async function ignoreGone(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (!isNotFound(err) && !isConflict(err)) throw err;
  }
}
