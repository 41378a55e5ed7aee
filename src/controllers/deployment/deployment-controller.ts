/**
 * The Deployment controller (upstream pkg/controller/deployment): claims ReplicaSets by selector,
 * plans a sync (sync.ts) and executes it (executor.ts).
 *
 * Wiring: reconciles Deployments; ReplicaSet events wake their controlling Deployment (or, for
 * orphans, every Deployment whose selector matches, to adopt them); pod deletions wake the
 * Deployment owning the pod's ReplicaSet (Recreate waits for old pods to be gone).
 */
import type { KubeObject } from '../../api/meta.js';
import { labelSelectorFromObject, matchesLabels } from '../../api/selectors/index.js';
import { resources } from '../../client/resource-ref.js';
import type { Controller } from '../../controller-runtime/controller.js';
import { controllerOwnerKey } from '../../controller-runtime/handlers.js';
import { keyOf, keyString, type ObjectKey } from '../../controller-runtime/informer/keys.js';
import { WrittenObjects } from '../../controller-runtime/informer/written-objects.js';
import type { Manager } from '../../controller-runtime/manager.js';
import type { Request, Result } from '../../controller-runtime/reconcile.js';
import { controllerOf, executeClaims, planClaims } from '../../controller-runtime/workload/controller-ref.js';
import { controllerRef } from '../../controller-runtime/workload/pod-template.js';
import type { Pod } from '../../api/kinds/core/pod.js';
import type { ReplicaSet } from '../../controller-runtime/workload/types.js';
import { autoRollbackEnabled, noteAvailableRevision, planAutoRollback } from './auto-rollback.js';
import { executeAutoRollback } from './auto-rollback-executor.js';
import { executePlan } from './executor.js';
import { findNewReplicaSet } from './replica-sets.js';
import { planDeploymentSync } from './sync.js';
import { isRollingUpdate, type Deployment } from './types.js';

export interface DeploymentControllerOptions {
  /** Concurrent reconciles (upstream --concurrent-deployment-syncs, 5). */
  workers?: number;
}

/** Declare the Deployment controller on `mgr`; it runs when the manager starts. */
export function addDeploymentController(mgr: Manager, opts: DeploymentControllerOptions = {}): Controller {
  const clock = mgr.controllerDefaults.clock ?? { now: () => Date.now() };
  const dInformer = mgr.informers.informerFor<Deployment>(resources.deployments);
  const rsInformer = mgr.informers.informerFor<ReplicaSet>(resources.replicasets);
  const podInformer = mgr.informers.informerFor<Pod>(resources.pods);
  const recorder = mgr.eventRecorder('deployment-controller');
  const client = mgr.client;

  const matchingDeployments = (obj: Readonly<KubeObject>): string[] => {
    const out: string[] = [];
    for (const d of dInformer.indexer.listNamespace(obj.metadata.namespace)) {
      try {
        if (matchesLabels(labelSelectorFromObject(d.spec.selector), obj.metadata.labels)) out.push(keyOf(d));
      } catch {
        // An invalid selector matches nothing.
      }
    }
    return out;
  };
  const rsToDeployments = (rs: Readonly<KubeObject>): (ObjectKey | string)[] => {
    if (controllerOf(rs)) {
      const k = controllerOwnerKey(rs, 'apps', 'Deployment');
      return k ? [k] : [];
    }
    return matchingDeployments(rs);
  };

  // The Deployment as this controller last wrote it, until the informer shows that write: the
  // ReplicaSet status write its own pods' events cause wakes the next sync within milliseconds,
  // usually before the Deployment's status write reaches the cache, and a status written on the
  // stale resourceVersion failed with a conflict (half of all status writes in a rollout, each
  // retried through the rate limiter). client-go's MutationCache, as the StatefulSet and Job controllers.
  const written = new WrittenObjects<Deployment>();

  async function reconcile(req: Request): Promise<Result | void> {
    const key = keyString(req);
    const cached = written.read(key, dInformer.indexer.get(key));
    if (!cached) return;
    const ns = cached.metadata.namespace!;
    let plan;
    try {
      plan = planClaims(cached, cached.spec.selector, rsInformer.indexer.listNamespace(ns));
    } catch (err) {
      mgr.controllerDefaults.logger?.warn({ key, err: String(err) }, 'invalid selector; skipping');
      return;
    }
    const owned = await executeClaims(plan, controllerRef(cached, 'apps/v1', 'Deployment'),
      { patch: (name, body) => client.replicaSets<ReplicaSet>(ns).patch(name, 'merge', body) },
      async () => {
        const fresh = await client.deployments<Deployment>(ns).get(cached.metadata.name!);
        return fresh.metadata.uid === cached.metadata.uid && !fresh.metadata.deletionTimestamp;
      });

    let podsByReplicaSet: Map<string, Readonly<Pod>[]> | undefined;
    if (!isRollingUpdate(cached)) {
      podsByReplicaSet = new Map(owned.map((rs) => [rs.metadata.uid!, []]));
      const sel = labelSelectorFromObject(cached.spec.selector);
      for (const p of podInformer.indexer.listNamespace(ns)) {
        if (!matchesLabels(sel, p.metadata.labels)) continue;
        podsByReplicaSet.get(controllerOf(p)?.uid ?? '')?.push(p);
      }
    }

    const now = clock.now();
    if (autoRollbackEnabled(cached)) {
      const newUid = findNewReplicaSet(cached, owned)?.metadata.uid;
      const newPods = newUid ? podInformer.indexer.listNamespace(ns).filter((p) => controllerOf(p)?.uid === newUid) : [];
      const decision = planAutoRollback(cached, owned, newPods, now);
      if (decision.kind !== 'none') {
        await executeAutoRollback(decision, client, recorder);
        return;
      }
    }
    const sync = planDeploymentSync({ deployment: cached, replicaSets: owned, podsByReplicaSet, now });
    noteAvailableRevision(sync.deployment, owned);
    let res;
    try {
      res = await executePlan(sync, cached, client, recorder, now);
    } catch (err) {
      // Someone else wrote the Deployment, it went, or the executor wrote it on its own (a
      // collisionCount bump): read it from the cache next time.
      written.delete(key);
      throw err;
    }
    if (res.written) written.record(key, cached, res.written);
    if (res.stale) return { requeueAfter: 250 };
    if (sync.requeueAfter !== undefined) return { requeueAfter: sync.requeueAfter };
  }

  const controller = mgr
    .controller('deployment')
    .for(resources.deployments)
    .watches(resources.replicasets, rsToDeployments)
    .withOptions({ workers: opts.workers ?? 5 })
    .complete(reconcile);

  const deploymentOfPod = (pod: Readonly<Pod>): ObjectKey | undefined => {
    const rsKey = controllerOwnerKey(pod, 'apps', 'ReplicaSet');
    const rs = rsKey ? rsInformer.indexer.get(keyString(rsKey)) : undefined;
    return rs ? controllerOwnerKey(rs, 'apps', 'Deployment') : undefined;
  };
  podInformer.addEventHandler({
    onDelete: (pod) => {
      const dKey = deploymentOfPod(pod);
      if (dKey) controller.enqueue(dKey);
    },
    // The crash-loop rule of auto-rollback reads container restarts, which no ReplicaSet change shows.
    onUpdate: (oldPod, pod) => {
      if (restartsOf(oldPod) === restartsOf(pod) && oldPod.status?.phase === pod.status?.phase) return;
      const dKey = deploymentOfPod(pod);
      const d = dKey ? dInformer.indexer.get(keyString(dKey)) : undefined;
      if (dKey && d && autoRollbackEnabled(d)) controller.enqueue(dKey);
    },
  });
  return controller;
}

/** Total container restarts of a pod plus its waiting reasons (a change in either may start a crash loop). */
function restartsOf(pod: Readonly<Pod>): string {
  const st = pod.status;
  return (st?.containerStatuses ?? []).map((c) => `${c.restartCount ?? 0}/${c.state?.waiting?.reason ?? ''}`).join(',');
}
