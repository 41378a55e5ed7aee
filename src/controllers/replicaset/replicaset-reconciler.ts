/**
 * One ReplicaSet sync (upstream ReplicaSetController.syncReplicaSet): claim pods, create or delete
 * to reach spec.replicas unless expectations are still pending, write status, and ask to look again
 * when a ready pod will pass minReadySeconds. Reads come only from the caches it is given, so tests
 * can hand it a deliberately stale one.
 */
import type { KubeClient } from '../../client/kube-client.js';
import { isConflict, isNotFound } from '../../client/errors.js';
import type { EventRecorder } from '../../controller-runtime/events/recorder.js';
import type { Indexer } from '../../controller-runtime/informer/indexer.js';
import { keyString } from '../../controller-runtime/informer/keys.js';
import { WrittenObjects } from '../../controller-runtime/informer/written-objects.js';
import type { Logger } from '../../controller-runtime/log.js';
import type { Reconciler, Result } from '../../controller-runtime/reconcile.js';
import { executeClaims, planClaims } from '../../controller-runtime/workload/controller-ref.js';
import type { Expectations } from '../../controller-runtime/workload/expectations.js';
import { manageReplicas } from './manage-replicas.js';
import { indirectlyRelatedPods } from './pod-ranking.js';
import { replicaSetKind, type ManagedKind } from './managed-kind.js';
import { controllerRef } from '../../controller-runtime/workload/pod-template.js';
import { isPodActive, msUntilAvailable } from '../../controller-runtime/workload/pod-state.js';
import { calculateReplicaSetStatus, replicaSetStatusChanged } from './replicaset-status.js';
import type { Pod } from '../../api/kinds/core/pod.js';
import type { ReplicaSet } from '../../controller-runtime/workload/types.js';

export interface ReplicaSetReconcilerDeps {
  client: KubeClient;
  replicaSets: Indexer<ReplicaSet>;
  pods: Indexer<Pod>;
  expectations: Expectations;
  recorder: EventRecorder;
  clock: { now(): number };
  /** Max pods created or deleted per sync (upstream 500). */
  burstReplicas?: number;
  logger?: Logger;
  /** ReplicaSet unless given (v1 ReplicationController). */
  kind?: ManagedKind;
}

export function replicaSetReconciler(deps: ReplicaSetReconcilerDeps): Reconciler {
  const { client, expectations, recorder, clock } = deps;
  const kind = deps.kind ?? replicaSetKind;
  // The ReplicaSet as this controller last wrote its status, until the informer shows that write
  // (client-go's MutationCache): its pods' events wake the next sync right after the write, before
  // the write reaches the cache, and a status PUT on the replaced resourceVersion conflicted (then
  // read it again and wrote once more): two of every five status PUTs while a ReplicaSet came up.
  const written = new WrittenObjects<ReplicaSet>();
  return async function reconcile(req): Promise<Result | void> {
    const key = keyString(req);
    const rs = written.read(key, deps.replicaSets.get(key));
    if (!rs) {
      expectations.delete(key);
      return;
    }
    const needsSync = expectations.satisfied(key);
    const now = clock.now();
    const namespace = rs.metadata.namespace!;
    const active = deps.pods.listNamespace(namespace).filter(isPodActive);
    const ref = controllerRef(rs, kind.apiVersion, kind.kind);
    let plan;
    try {
      plan = planClaims(rs, kind.selectorOf(rs), active);
    } catch (err) {
      // An invalid selector cannot be fixed by retrying; validation should have refused it.
      deps.logger?.warn({ key, err: String(err) }, 'invalid selector; skipping');
      return;
    }
    const pods = await executeClaims(plan, ref, { patch: (name, body) => client.pods(namespace).patch(name, 'merge', body) }, async () => {
      const fresh = await client.resource<ReplicaSet>(kind.ref, namespace).get(rs.metadata.name!);
      return fresh.metadata.uid === rs.metadata.uid && !fresh.metadata.deletionTimestamp;
    });

    let manageError: Error | undefined;
    if (needsSync && !rs.metadata.deletionTimestamp) {
      try {
        const related = indirectlyRelatedPods(rs, deps.replicaSets.listNamespace(namespace), active, kind.selectorOf);
        await manageReplicas(rs, pods, related, { client, recorder, expectations, burst: deps.burstReplicas ?? 500, now, owner: kind });
      } catch (err) {
        manageError = err instanceof Error ? err : new Error(String(err));
      }
    }

    const status = calculateReplicaSetStatus(rs, pods, manageError, now);
    if (replicaSetStatusChanged(rs.status, status)) await writeStatus(key, rs, status);
    if (manageError) throw manageError;

    // Pods ready but inside minReadySeconds become available later without any event: look again then.
    const minReady = rs.spec.minReadySeconds ?? 0;
    if (minReady > 0) {
      const waits = pods.map((p) => msUntilAvailable(p, minReady, now)).filter((ms): ms is number => ms !== undefined && ms > 0);
      if (waits.length > 0) return { requeueAfter: Math.min(...waits) };
    }
  };

  /** PUT status; on a conflict, once more on a fresh read (upstream statusUpdateRetries = 1). */
  async function writeStatus(key: string, rs: Readonly<ReplicaSet>, status: ReplicaSet['status']): Promise<void> {
    const rsClient = client.resource<ReplicaSet>(kind.ref, rs.metadata.namespace);
    try {
      written.record(key, rs, await rsClient.updateStatus({ ...structuredClone(rs), status }));
    } catch (err) {
      written.delete(key);
      if (isNotFound(err)) return;
      if (!isConflict(err)) throw err;
      const fresh = await rsClient.get(rs.metadata.name!);
      written.record(key, fresh, await rsClient.updateStatus({ ...fresh, status: { ...status!, observedGeneration: rs.metadata.generation } }));
    }
  }
}
