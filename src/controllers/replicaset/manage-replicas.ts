/**
 * Bringing a ReplicaSet's pod count to spec.replicas (upstream ReplicaSetController.manageReplicas).
 * Creations go out in slow-start batches (1, 2, 4, ...) that stop at the first failing batch, so a
 * quota or admission error costs one request rather than hundreds; at most `burst` pods are created
 * or deleted per sync. Expectations are raised before writing and lowered for writes that failed,
 * so the informer's view decides when the next sync may act.
 */
import type { KubeClient } from '../../client/kube-client.js';
import { isNotFound } from '../../client/errors.js';
import type { EventRecorder } from '../../controller-runtime/events/recorder.js';
import { keyOf } from '../../controller-runtime/informer/keys.js';
import type { Expectations } from '../../controller-runtime/workload/expectations.js';
import { podsToDelete } from './pod-ranking.js';
import { DEFAULT_CONCURRENCY, runBatch, slowStartBatch } from '../../controller-runtime/workload/slow-start.js';
import { controllerRef, podFromTemplate } from '../../controller-runtime/workload/pod-template.js';
import type { Pod } from '../../api/kinds/core/pod.js';
import { specReplicas, type ReplicaSet } from '../../controller-runtime/workload/types.js';

export interface ManageContext {
  client: KubeClient;
  recorder: EventRecorder;
  expectations: Expectations;
  /** Max pods created or deleted in one sync (upstream burstReplicas, 500). */
  burst: number;
  /** Creates or deletes in flight at once (default 32). */
  concurrency?: number;
  now: number;
  /** Owner reference identity of the pods made (apps/v1 ReplicaSet unless given). */
  owner?: { apiVersion: string; kind: string };
}

/** Create or delete pods so `pods` (active, claimed) reaches spec.replicas. Rejects with the first failure. */
export async function manageReplicas(rs: Readonly<ReplicaSet>, pods: readonly Readonly<Pod>[], related: readonly Readonly<Pod>[], ctx: ManageContext): Promise<void> {
  const key = keyOf(rs);
  const ns = rs.metadata.namespace!;
  const diff = pods.length - specReplicas(rs);
  if (diff < 0) {
    const n = Math.min(-diff, ctx.burst);
    ctx.expectations.expectCreations(key, n);
    const ref = controllerRef(rs, ctx.owner?.apiVersion ?? 'apps/v1', ctx.owner?.kind ?? 'ReplicaSet');
    const { successes, error } = await slowStartBatch(n, 1, async () => {
      try {
        const created = await ctx.client.pods(ns).create(podFromTemplate(rs.spec.template, rs.metadata.name!, ref));
        ctx.recorder.event(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
      } catch (err) {
        ctx.recorder.event(rs, 'Warning', 'FailedCreate', `Error creating: ${err instanceof Error ? err.message : String(err)}`);
        throw err;
      }
    }, ctx.concurrency ?? DEFAULT_CONCURRENCY);
    // Pods never created will never be observed.
    for (let i = successes; i < n; i++) ctx.expectations.creationObserved(key);
    if (error) throw error;
  } else if (diff > 0) {
    const victims = podsToDelete(pods, related, Math.min(diff, ctx.burst), ctx.now);
    ctx.expectations.expectDeletions(key, victims.map((p) => keyOf(p)));
    const errors: Error[] = [];
    let next = 0;
    await runBatch(victims.length, ctx.concurrency ?? DEFAULT_CONCURRENCY, async () => {
      const p = victims[next++]!;
      try {
        await ctx.client.pods(ns).delete(p.metadata.name!);
        ctx.recorder.event(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`);
      } catch (err) {
        ctx.expectations.deletionObserved(key, keyOf(p));
        if (isNotFound(err)) return;
        ctx.recorder.event(rs, 'Warning', 'FailedDelete', `Error deleting: ${err instanceof Error ? err.message : String(err)}`);
        errors.push(err instanceof Error ? err : new Error(String(err)));
      }
    });
    if (errors.length > 0) throw errors[0];
  }
}
