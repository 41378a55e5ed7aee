/**
 * Carrying out a sync plan against the API, in order, stopping at the first failure (the
 * controller then retries with backoff on fresh state). ReplicaSet updates reuse the
 * resourceVersion of the previous write to the same object, so two steps on one ReplicaSet in one
 * sync do not conflict with each other. The Deployment's annotations and status go last, in one
 * write to the status subresource (which, as upstream, also stores metadata).
 */
import { isAlreadyExists, isNotFound } from '../../client/errors.js';
import type { KubeClient } from '../../client/kube-client.js';
import type { EventRecorder } from '../../controller-runtime/events/recorder.js';
import { controllerOf } from '../../controller-runtime/workload/controller-ref.js';
import type { ReplicaSet } from '../../controller-runtime/workload/types.js';
import { newCondition, setCondition, statusEqual } from './conditions.js';
import type { SyncPlan } from './sync.js';
import { equalIgnoreHash } from './template-hash.js';
import { Reasons, hasProgressDeadline, type Deployment } from './types.js';
import { copyOf } from '../../controller-runtime/informer/indexer.js';

export interface ExecuteResult {
  /** Stopped early because the cache is behind; look again shortly. */
  stale?: boolean;
  /** The Deployment as its annotations-and-status write left it (none if nothing changed). */
  written?: Deployment;
}

export async function executePlan(plan: SyncPlan, current: Readonly<Deployment>, client: KubeClient, recorder: EventRecorder, now: number): Promise<ExecuteResult> {
  const ns = current.metadata.namespace!;
  const rsClient = client.replicaSets<ReplicaSet>(ns);
  const versions = new Map<string, string>();
  for (const action of plan.actions) {
    switch (action.kind) {
      case 'event':
        recorder.event(current, action.type, action.reason, action.message);
        break;
      case 'createReplicaSet': {
        const rs = action.rs;
        try {
          const created = await rsClient.create(rs);
          versions.set(rs.metadata.name!, created.metadata.resourceVersion!);
        } catch (err) {
          if (isAlreadyExists(err)) {
            const existing = await rsClient.get(rs.metadata.name!);
            if (controllerOf(existing)?.uid === current.metadata.uid && equalIgnoreHash(existing.spec.template, current.spec.template)) {
              return { stale: true }; // ours: the informer has not shown it yet
            }
            // A different template hashed to the same name: bump collisionCount so the next hash differs.
            const d = copyOf(current);
            d.status = { ...(d.status ?? {}), collisionCount: (d.status?.collisionCount ?? 0) + 1 };
            await client.deployments<Deployment>(ns).updateStatus(d);
            throw new Error(`hash collision for ReplicaSet ${rs.metadata.name}; collisionCount bumped`, { cause: err });
          }
          const msg = `Failed to create new replica set "${rs.metadata.name}": ${err instanceof Error ? err.message : String(err)}`;
          if (hasProgressDeadline(current)) {
            const d = copyOf(current);
            d.status ??= {};
            setCondition(d.status, newCondition('Progressing', 'False', Reasons.FailedRSCreate, msg, now));
            await client.deployments<Deployment>(ns).updateStatus(d).catch(() => undefined);
          }
          recorder.event(current, 'Warning', Reasons.FailedRSCreate, msg);
          throw err;
        }
        break;
      }
      case 'updateReplicaSet': {
        const rs = structuredClone(action.rs);
        const rv = versions.get(rs.metadata.name!);
        if (rv) rs.metadata.resourceVersion = rv;
        const updated = await rsClient.update(rs);
        versions.set(rs.metadata.name!, updated.metadata.resourceVersion!);
        break;
      }
      case 'deleteReplicaSet':
        try {
          await rsClient.delete(action.rs.metadata.name!, { preconditions: { uid: action.rs.metadata.uid } });
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
        break;
    }
  }
  const d = plan.deployment;
  const annotationsChanged = JSON.stringify(d.metadata.annotations ?? {}) !== JSON.stringify(current.metadata.annotations ?? {});
  if (annotationsChanged || !statusEqual(current.status, d.status)) {
    return { written: await client.deployments<Deployment>(ns).updateStatus(d) };
  }
  return {};
}
