/**
 * Carrying out a DaemonSet sync's decisions (upstream DaemonSetsController.syncNodes): at most
 * `burst` creations and deletions per sync, expectations raised for both before writing, creations
 * in slow-start batches (1, 2, 4, ...) stopping at the first failing batch. Each new pod is the
 * daemon template with a required node affinity naming its node; the scheduler binds it there.
 */
import type { DaemonSet } from '../../api/kinds/index.js';
import { isNotFound } from '../../client/errors.js';
import type { KubeClient } from '../../client/kube-client.js';
import type { EventRecorder } from '../../controller-runtime/events/recorder.js';
import { keyOf } from '../../controller-runtime/informer/keys.js';
import type { Expectations } from '../../controller-runtime/workload/expectations.js';
import { controllerRef, podFromTemplate } from '../../controller-runtime/workload/pod-template.js';
import { DEFAULT_CONCURRENCY, runBatch, slowStartBatch } from '../../controller-runtime/workload/slow-start.js';
import type { Pod } from '../../api/kinds/core/pod.js';
import { daemonPodTemplate, nodeNameAffinity } from './daemon-pod.js';

export interface SyncNodesContext {
  client: KubeClient;
  recorder: EventRecorder;
  expectations: Expectations;
  /** Max creations and max deletions per sync (upstream BurstReplicas, 250). */
  burst: number;
  concurrency?: number;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Delete `deletePods` and create a pod on each of `createOn`. Rejects with the first failure. */
export async function syncNodes(ds: Readonly<DaemonSet>, deletePods: readonly Readonly<Pod>[], createOn: readonly string[], hash: string, ctx: SyncNodesContext): Promise<void> {
  const key = keyOf(ds);
  const ns = ds.metadata.namespace!;
  const creates = createOn.slice(0, ctx.burst);
  const deletes = deletePods.slice(0, ctx.burst);
  ctx.expectations.expect(key, creates.length, deletes.map((p) => keyOf(p)));
  const errors: Error[] = [];
  const concurrency = ctx.concurrency ?? DEFAULT_CONCURRENCY;

  if (creates.length > 0) {
    const template = daemonPodTemplate(ds, hash);
    const ref = controllerRef(ds, 'apps/v1', 'DaemonSet');
    let next = 0;
    const { successes, error } = await slowStartBatch(creates.length, 1, async () => {
      const node = creates[next++]!;
      const pod = podFromTemplate(template, ds.metadata.name!, ref);
      pod.spec = { ...pod.spec!, affinity: nodeNameAffinity(pod.spec?.affinity, node) };
      try {
        const created = await ctx.client.pods(ns).create(pod);
        ctx.recorder.event(ds, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
      } catch (err) {
        ctx.recorder.event(ds, 'Warning', 'FailedCreate', `Error creating: ${message(err)}`);
        throw err;
      }
    }, concurrency);
    // Pods never created will never be observed.
    for (let i = successes; i < creates.length; i++) ctx.expectations.creationObserved(key);
    if (error) errors.push(error);
  }

  let next = 0;
  await runBatch(deletes.length, concurrency, async () => {
    const p = deletes[next++]!;
    try {
      await ctx.client.pods(ns).delete(p.metadata.name!);
      ctx.recorder.event(ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`);
    } catch (err) {
      ctx.expectations.deletionObserved(key, keyOf(p));
      if (isNotFound(err)) return;
      ctx.recorder.event(ds, 'Warning', 'FailedDelete', `Error deleting: ${message(err)}`);
      errors.push(err instanceof Error ? err : new Error(message(err)));
    }
  });
  if (errors.length > 0) throw errors[0];
}
