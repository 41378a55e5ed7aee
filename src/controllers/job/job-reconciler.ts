/**
 * One Job sync's I/O (upstream syncJob's writes): claim pods, act on decideJob's plan — delete and
 * create pods under expectations, write status with the newly terminated pods recorded, remove
 * their tracking finalizers, then write the flushed counters (and Complete/Failed when nothing is
 * left). Status writes carry the cached resourceVersion: a stale view fails with a conflict and the
 * sync runs again on fresh state rather than counting twice.
 */
import type { KubeClient } from '../../client/kube-client.js';
import { isConflict, isNotFound } from '../../client/errors.js';
import { resources } from '../../client/resource-ref.js';
import type { EventRecorder } from '../../controller-runtime/events/recorder.js';
import type { Indexer } from '../../controller-runtime/informer/indexer.js';
import { keyString } from '../../controller-runtime/informer/keys.js';
import type { Logger } from '../../controller-runtime/log.js';
import type { Reconciler, Result } from '../../controller-runtime/reconcile.js';
import { rfc3339Seconds } from '../../controller-runtime/utc-time.js';
import { executeClaims, planClaims } from '../../controller-runtime/workload/controller-ref.js';
import type { Expectations } from '../../controller-runtime/workload/expectations.js';
import { controllerRef } from '../../controller-runtime/workload/pod-template.js';
import { DEFAULT_CONCURRENCY, runBatch, slowStartBatch } from '../../controller-runtime/workload/slow-start.js';
import type { Pod } from '../../api/kinds/core/pod.js';
import type { FinalizerExpectations } from './finalizer-expectations.js';
import { flushUncounted, type BackoffRecord } from './job-counting.js';
import { decideJob, type JobSyncPlan } from './job-decide.js';
import { hasTrackingFinalizer, JOB_TRACKING_FINALIZER } from './job-pods.js';
import type { Job, JobStatus } from './job-types.js';
import { podForJob } from './pod-for-job.js';
import type { WrittenObjects } from '../../controller-runtime/informer/written-objects.js';

/** The pod index holding pods by their controller's uid ('' for orphans). */
export const CONTROLLER_UID_INDEX = 'job-controller-uid';
const JOB_CONTROLLER_NAME = 'kubernetes.io/job-controller';

export interface JobReconcilerDeps {
  client: KubeClient;
  jobs: Indexer<Job>;
  pods: Indexer<Pod>;
  expectations: Expectations;
  finalizers: FinalizerExpectations;
  backoffs: Map<string, BackoffRecord>;
  recorder: EventRecorder;
  clock: { now(): number };
  logger?: Logger;
  /** First pod failure back-off (10 s upstream). */
  backoffBaseMs?: number;
  /** Our own status writes until the informer shows them. */
  written: WrittenObjects<Job>;
}

export function jobReconciler(deps: JobReconcilerDeps): Reconciler {
  const { client, expectations, recorder, clock } = deps;

  return async function reconcile(req): Promise<Result | void> {
    const key = keyString(req);
    const cachedJob = deps.jobs.get(key);
    if (!cachedJob) {
      deps.written.delete(key);
      expectations.delete(key);
      deps.finalizers.delete(key);
      deps.backoffs.delete(key);
      await releaseOrphans(req.namespace!, req.name);
      return;
    }
    const job = deps.written.freshest(key, cachedJob);
    if (job.spec.managedBy !== undefined && job.spec.managedBy !== JOB_CONTROLLER_NAME) return;
    const ns = job.metadata.namespace!;
    const ref = controllerRef(job, 'batch/v1', 'Job');
    const candidates = [...deps.pods.byIndex(CONTROLLER_UID_INDEX, job.metadata.uid!), ...deps.pods.byIndex(CONTROLLER_UID_INDEX, '').filter((p) => p.metadata.namespace === ns)];
    let pods: Readonly<Pod>[];
    try {
      const claims = planClaims(job, job.spec.selector, candidates);
      pods = await executeClaims(claims, ref, { patch: (name, body) => client.pods(ns).patch(name, 'merge', body) }, async () => {
        const fresh = await client.resource<Job>(resources.jobs, ns).get(job.metadata.name!);
        return fresh.metadata.uid === job.metadata.uid && !fresh.metadata.deletionTimestamp;
      });
    } catch (err) {
      if (err instanceof Error && /selector/i.test(err.message)) return;
      throw err;
    }
    const now = clock.now();
    const plan = decideJob({
      job, pods, now, finalizerPending: deps.finalizers.of(key), backoff: deps.backoffs.get(key) ?? { failuresAfterLastSuccess: 0 },
      expectationsSatisfied: expectations.satisfied(key) && !job.metadata.deletionTimestamp, backoffBaseMs: deps.backoffBaseMs,
    });
    deps.backoffs.set(key, plan.backoff);

    const { created, deleted } = await managePods(job, key, plan);
    plan.status.active = (plan.status.active ?? 0) + created - deleted;
    plan.status.terminating = (plan.status.terminating ?? 0) + deleted;
    for (const e of plan.events) recorder.event(job, e.type, e.reason, e.message);

    // 1: record newly terminated pods; 2: drop their finalizers; 3: move them into the counters.
    let current = job;
    if (statusChanged(job.status, plan.status)) current = await writeStatus(key, job, plan.status);
    const removed = await removeFinalizers(key, ns, plan.finalizersToRemove);
    const done = new Set<string>(removed);
    const present = new Map(pods.map((p) => [p.metadata.uid!, p] as const));
    for (const uid of [...(plan.status.uncountedTerminatedPods?.succeeded ?? []), ...(plan.status.uncountedTerminatedPods?.failed ?? [])]) {
      const p = present.get(uid);
      if (!p || !hasTrackingFinalizer(p) || deps.finalizers.of(key).has(uid)) done.add(uid);
    }
    const flushed = flushUncounted(current.status ?? plan.status, done);
    const nothingLeft = !flushed.uncountedTerminatedPods?.succeeded && !flushed.uncountedTerminatedPods?.failed
      && plan.finalizersToRemove.every((p) => done.has(p.metadata.uid!));
    if (plan.terminal && nothingLeft) {
      flushed.conditions = [...(flushed.conditions ?? []), plan.terminal];
      if (plan.terminal.type === 'Complete') flushed.completionTime = rfc3339Seconds(now);
      const failedReason = plan.terminal.type === 'Failed' ? plan.terminal.reason! : undefined;
      if (failedReason) recorder.event(job, 'Warning', failedReason, plan.terminal.message!);
      else recorder.event(job, 'Normal', 'Completed', 'Job completed');
    }
    if (statusChanged(current.status, flushed)) await writeStatus(key, current, flushed);
    if (plan.terminal && !nothingLeft) return { requeueAfter: 100 };
    // Work left over (more terminated pods than one write carries): soon, not through the rate limiter.
    if (plan.requeueAfterMs !== undefined) return { requeueAfter: Math.max(plan.requeueAfterMs, 1) };
  };

  async function managePods(job: Readonly<Job>, key: string, plan: JobSyncPlan): Promise<{ created: number; deleted: number }> {
    const ns = job.metadata.namespace!;
    let deleted = 0;
    if (plan.delete.length > 0) {
      expectations.expectDeletions(key, plan.delete.map((p) => `${ns}/${p.metadata.name}`));
      let next = 0;
      await runBatch(plan.delete.length, DEFAULT_CONCURRENCY, async () => {
        const p = plan.delete[next++]!;
        try {
          await client.pods(ns).delete(p.metadata.name!);
          deleted++;
          recorder.event(job, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`);
        } catch (err) {
          expectations.deletionObserved(key, `${ns}/${p.metadata.name}`);
          if (!isNotFound(err)) recorder.event(job, 'Warning', 'FailedDelete', `Error deleting: ${String(err instanceof Error ? err.message : err)}`);
        }
      });
    }
    let created = 0;
    if (plan.create.length > 0) {
      const ref = controllerRef(job, 'batch/v1', 'Job');
      expectations.expectCreations(key, plan.create.length);
      let next = 0;
      const { successes, error } = await slowStartBatch(plan.create.length, 1, async () => {
        const what = plan.create[next++]!;
        try {
          const pod = await client.pods(ns).create(podForJob(job, ref, what));
          recorder.event(job, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`);
        } catch (err) {
          recorder.event(job, 'Warning', 'FailedCreate', `Error creating: ${String(err instanceof Error ? err.message : err)}`);
          throw err;
        }
      }, DEFAULT_CONCURRENCY);
      created = successes;
      for (let i = successes; i < plan.create.length; i++) expectations.creationObserved(key);
      if (error) deps.logger?.warn({ key, err: error.message }, 'creating job pods failed');
    }
    return { created, deleted };
  }

  /** Remove the tracking finalizer (a JSON patch tested against the list, so another finalizer added meanwhile survives). */
  async function removeFinalizers(key: string, ns: string, pods: readonly Readonly<Pod>[]): Promise<string[]> {
    const removed: string[] = [];
    let next = 0;
    await runBatch(pods.length, DEFAULT_CONCURRENCY, async () => {
      const p = pods[next++]!;
      const uid = p.metadata.uid!;
      const i = (p.metadata.finalizers ?? []).indexOf(JOB_TRACKING_FINALIZER);
      if (i < 0) return;
      deps.finalizers.expect(key, uid);
      try {
        await client.pods(ns).patchNoResult(p.metadata.name!, 'json', [
          { op: 'test', path: `/metadata/finalizers/${i}`, value: JOB_TRACKING_FINALIZER },
          { op: 'remove', path: `/metadata/finalizers/${i}` },
        ]);
        removed.push(uid);
      } catch (err) {
        if (isNotFound(err)) removed.push(uid);
        else deps.finalizers.observed(key, uid);
      }
    });
    return removed;
  }

  /** A Job that is gone leaves pods with the finalizer: they lose it so they can go too. */
  async function releaseOrphans(ns: string, name: string): Promise<void> {
    const stranded = deps.pods.listNamespace(ns).filter((p) => hasTrackingFinalizer(p) && p.metadata.ownerReferences?.some((r) => r.controller && r.kind === 'Job' && r.name === name));
    for (const p of stranded) {
      try {
        await client.pods(ns).patchNoResult(p.metadata.name!, 'json', [
          { op: 'test', path: '/metadata/finalizers', value: p.metadata.finalizers },
          { op: 'replace', path: '/metadata/finalizers', value: p.metadata.finalizers!.filter((f) => f !== JOB_TRACKING_FINALIZER) },
        ]);
      } catch (err) {
        if (!isNotFound(err) && !isConflict(err)) throw err;
      }
    }
  }

  async function writeStatus(key: string, job: Readonly<Job>, status: JobStatus): Promise<Job> {
    const jobs = client.resource<Job>(resources.jobs, job.metadata.namespace);
    try {
      const out = await jobs.updateStatus({ ...structuredClone(job), status });
      deps.written.record(key, job, out);
      return out;
    } catch (err) {
      // Someone else wrote the Job: forget ours and read theirs next time.
      if (isConflict(err)) deps.written.delete(key);
      throw err;
    }
  }
}

function statusChanged(a: JobStatus | undefined, b: JobStatus): boolean {
  return JSON.stringify(a ?? {}) !== JSON.stringify(b);
}
