/**
 * One StatefulSet sync (upstream StatefulSetController.sync + defaultStatefulSetControl.UpdateStatefulSet):
 * claim pods (members named `<set>-<n>` only) and revisions, settle the update revision (reuse,
 * renumber for a rollback, or create), plan and execute, write status, truncate history beyond
 * revisionHistoryLimit. Reads come from the caches it is given; every decision is in plan.ts.
 */
import type { StatefulSet } from '../../api/kinds/apps/stateful-set.js';
import type { PersistentVolumeClaim } from '../../api/kinds/core/persistent-volume-claim.js';
import { isConflict, isNotFound } from '../../client/errors.js';
import type { KubeClient } from '../../client/kube-client.js';
import { resources } from '../../client/resource-ref.js';
import type { EventRecorder } from '../../controller-runtime/events/recorder.js';
import type { Indexer } from '../../controller-runtime/informer/indexer.js';
import { keyString } from '../../controller-runtime/informer/keys.js';
import { WrittenObjects } from '../../controller-runtime/informer/written-objects.js';
import type { Reconciler, Result } from '../../controller-runtime/reconcile.js';
import { executeClaims, planClaims } from '../../controller-runtime/workload/controller-ref.js';
import { RevisionWriter, revisionsToTruncate, type ControllerRevision } from '../../controller-runtime/workload/history.js';
import { controllerRef } from '../../controller-runtime/workload/pod-template.js';
import type { Pod } from '../../api/kinds/core/pod.js';
import { executePlan } from './executor.js';
import { isMemberOf, podRevision } from './identity.js';
import { planSync } from './plan.js';
import { applyRevision, currentRevisionOf, planUpdateRevision } from './revisions.js';
import { computeStatus, statusChanged } from './status.js';

export interface StatefulSetReconcilerDeps {
  client: KubeClient;
  sets: Indexer<StatefulSet>;
  pods: Indexer<Pod>;
  revisions: Indexer<ControllerRevision>;
  claims: Indexer<PersistentVolumeClaim>;
  recorder: EventRecorder;
  clock: { now(): number };
}

export function statefulSetReconciler(deps: StatefulSetReconcilerDeps): Reconciler {
  const { client } = deps;
  // The status this controller wrote last, until the cache shows it: the sync that the deleted pod's
  // event starts may run before the status write's event arrives, and newVersionedStatefulSetPod
  // reads status.currentReplicas (a stale 3 makes ordinal 2 again at the old revision, for ever
  // if pods go at once; upstream's kubelet takes longer to delete a pod than the write takes).
  const written = new WrittenObjects<StatefulSet>();
  return async function reconcile(req): Promise<Result | void> {
    const key = keyString(req);
    const cached = deps.sets.get(key);
    if (!cached) {
      written.delete(key);
      return;
    }
    const set = written.freshest(key, cached);
    const ns = set.metadata.namespace!;
    const ref = controllerRef(set, 'apps/v1', 'StatefulSet');
    const canAdopt = async () => {
      const fresh = await client.resource<StatefulSet>(resources.statefulsets, ns).get(set.metadata.name!);
      return fresh.metadata.uid === set.metadata.uid && !fresh.metadata.deletionTimestamp;
    };
    const members = deps.pods.listNamespace(ns).filter((p) => isMemberOf(set, p));
    const pods = await executeClaims(planClaims(set, set.spec?.selector, members), ref,
      { patch: (name, body) => client.pods(ns).patch(name, 'merge', body) }, canAdopt);

    const writer = new RevisionWriter(client, ns);
    const revisions = await writer.claim(set, ref, set.spec?.selector, deps.revisions.listNamespace(ns), canAdopt);
    const collision = { count: set.status?.collisionCount ?? 0 };
    const updatePlan = planUpdateRevision(set, revisions);
    const update = updatePlan.kind === 'reuse' ? updatePlan.revision
      : updatePlan.kind === 'renumber' ? await writer.updateRevisionNumber(updatePlan.revision, updatePlan.to)
        : await writer.create(set, updatePlan.revision, collision);
    const all = [...revisions.filter((r) => r.metadata.name !== update.metadata.name), update];
    const current = currentRevisionOf(set, all, update);

    const now = deps.clock.now();
    const claims = new Map(deps.claims.listNamespace(ns).map((c) => [c.metadata.name!, c] as const));
    const plan = planSync({
      set, currentSet: applyRevision(set, current), updateSet: applyRevision(set, update),
      currentRevision: current.metadata.name!, updateRevision: update.metadata.name!, pods, claims, now,
    });
    let failure: unknown;
    const deletedForUpdate = new Set<string>();
    try {
      await executePlan({ client, recorder: deps.recorder }, set, plan, deletedForUpdate);
    } catch (err) {
      failure = err;
    }

    const status = computeStatus({ set, pods, currentRevision: current.metadata.name!, updateRevision: update.metadata.name!, collisionCount: collision.count, now, deletedForUpdate });
    if (statusChanged(set.status, status)) {
      const out = await writeStatus(set, status);
      if (out) written.record(key, set, out);
    }

    // truncateHistory: keep revisionHistoryLimit revisions besides those in use.
    const live = new Set([current.metadata.name, update.metadata.name, ...pods.map(podRevision)]);
    const history = all.filter((r) => !live.has(r.metadata.name));
    for (const r of revisionsToTruncate(history, set.spec?.revisionHistoryLimit ?? 10, () => false)) {
      try {
        await writer.delete(r.metadata.name!);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    if (failure) throw failure;
    if (plan.requeueAfter !== undefined) return { requeueAfter: plan.requeueAfter };
  };

  /** PUT status; on a conflict once more on a fresh read. The written object when `set` was the base. */
  async function writeStatus(set: Readonly<StatefulSet>, status: StatefulSet['status']): Promise<StatefulSet | undefined> {
    const api = client.resource<StatefulSet>(resources.statefulsets, set.metadata.namespace);
    try {
      return await api.updateStatus({ ...structuredClone(set), status });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      if (!isConflict(err)) throw err;
      const fresh = await api.get(set.metadata.name!);
      if (fresh.metadata.uid === set.metadata.uid) await api.updateStatus({ ...fresh, status });
      return undefined;
    }
  }
}
