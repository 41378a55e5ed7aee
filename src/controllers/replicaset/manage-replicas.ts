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
import type { Expectations } from './expectations.js';
import { podsToDelete } from './pod-ranking.js';
import { controllerRef, podFromTemplate } from './pod-template.js';
import { specReplicas, type Pod, type ReplicaSet } from './types.js';

export interface ManageContext {
  client: KubeClient;
  recorder: EventRecorder;
  expectations: Expectations;
  /** Max pods created or deleted in one sync (upstream burstReplicas, 500). */
  burst: number;
  now: number;
}

/**
 * Run `fn` `count` times in batches doubling from `initial`; stop after the first batch with a
 * failure. Resolves to the number of successes and the first error.
 */
export async function slowStartBatch(count: number, initial: number, fn: () => Promise<void>): Promise<{ successes: number; error?: Error }> {
  let remaining = count;
  let successes = 0;
  for (let batch = Math.min(remaining, initial); batch > 0; batch = Math.min(2 * batch, remaining)) {
    const results = await Promise.allSettled(Array.from({ length: batch }, () => fn()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    successes += results.filter((r) => r.status === 'fulfilled').length;
    if (failed) return { successes, error: failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason)) };
    remaining -= batch;
  }
  return { successes };
}

/** Create or delete pods so `pods` (active, claimed) reaches spec.replicas. Rejects with the first failure. */
export async function manageReplicas(rs: Readonly<ReplicaSet>, pods: readonly Readonly<Pod>[], related: readonly Readonly<Pod>[], ctx: ManageContext): Promise<void> {
  const key = keyOf(rs);
  const ns = rs.metadata.namespace!;
  const diff = pods.length - specReplicas(rs);
  if (diff < 0) {
    const n = Math.min(-diff, ctx.burst);
    ctx.expectations.expectCreations(key, n);
    const ref = controllerRef(rs, 'apps/v1', 'ReplicaSet');
    const { successes, error } = await slowStartBatch(n, 1, async () => {
      try {
        const created = await ctx.client.pods(ns).create(podFromTemplate(rs.spec.template, rs.metadata.name!, ref));
        ctx.recorder.event(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
      } catch (err) {
        ctx.recorder.event(rs, 'Warning', 'FailedCreate', `Error creating: ${err instanceof Error ? err.message : String(err)}`);
        throw err;
      }
    });
    // Pods never created will never be observed.
    for (let i = successes; i < n; i++) ctx.expectations.creationObserved(key);
    if (error) throw error;
  } else if (diff > 0) {
    const victims = podsToDelete(pods, related, Math.min(diff, ctx.burst), ctx.now);
    ctx.expectations.expectDeletions(key, victims.map((p) => keyOf(p)));
    const errors: Error[] = [];
    await Promise.all(victims.map(async (p) => {
      try {
        await ctx.client.pods(ns).delete(p.metadata.name!);
        ctx.recorder.event(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`);
      } catch (err) {
        ctx.expectations.deletionObserved(key, keyOf(p));
        if (isNotFound(err)) return;
        ctx.recorder.event(rs, 'Warning', 'FailedDelete', `Error deleting: ${err instanceof Error ? err.message : String(err)}`);
        errors.push(err instanceof Error ? err : new Error(String(err)));
      }
    }));
    if (errors.length > 0) throw errors[0];
  }
}
