/**
 * One DaemonSet sync (upstream DaemonSetsController.syncDaemonSet): claim pods and revisions,
 * find or create the current revision, then - unless earlier writes are still unobserved - run
 * the core loop (manage.ts), the rolling update (rolling-update.ts), history cleanup, and write
 * status. Reads come only from the caches it is given.
 */
import type { ControllerRevision, DaemonSet, Node } from '../../api/kinds/index.js';
import { isConflict, isNotFound } from '../../client/errors.js';
import type { KubeClient } from '../../client/kube-client.js';
import { resources } from '../../client/resource-ref.js';
import type { EventRecorder } from '../../controller-runtime/events/recorder.js';
import type { Indexer } from '../../controller-runtime/informer/indexer.js';
import { keyString } from '../../controller-runtime/informer/keys.js';
import { WrittenObjects } from '../../controller-runtime/informer/written-objects.js';
import type { Logger } from '../../controller-runtime/log.js';
import type { Reconciler, Request, Result } from '../../controller-runtime/reconcile.js';
import { controllerOf, executeClaims, planClaims } from '../../controller-runtime/workload/controller-ref.js';
import type { Expectations } from '../../controller-runtime/workload/expectations.js';
import { RevisionWriter } from '../../controller-runtime/workload/history.js';
import { controllerRef } from '../../controller-runtime/workload/pod-template.js';
import type { Pod } from '../../api/kinds/core/pod.js';
import { REVISION_HASH_LABEL, targetNodeName } from './daemon-pod.js';
import type { FailedPodBackoff } from './failed-pod-backoff.js';
import { planManage } from './manage.js';
import { nodeEligibility } from './node-eligibility.js';
import { planRollingUpdate } from './rolling-update.js';
import { constructHistory, revisionsToCleanUp } from './revisions.js';
import { calculateStatus, statusUpToDate, type StatusCounts } from './status.js';
import { syncNodes } from './sync-nodes.js';

export interface DaemonSetReconcilerDeps {
  client: KubeClient;
  daemonSets: Indexer<DaemonSet>;
  pods: Indexer<Pod>;
  nodes: Indexer<Node>;
  revisions: Indexer<ControllerRevision>;
  expectations: Expectations;
  backoff: FailedPodBackoff;
  recorder: EventRecorder;
  clock: { now(): number };
  /** Max pods created and deleted per sync (upstream BurstReplicas, 250). */
  burst?: number;
  logger?: Logger;
}

/** getNodesToDaemonPods: claimed pods by target node, leaving out terminal pods already being deleted. */
export function podsByTargetNode(pods: readonly Readonly<Pod>[]): Map<string, Readonly<Pod>[]> {
  const out = new Map<string, Readonly<Pod>[]>();
  for (const pod of pods) {
    const phase = pod.status?.phase;
    if ((phase === 'Succeeded' || phase === 'Failed') && pod.metadata.deletionTimestamp) continue;
    const node = targetNodeName(pod);
    if (node === undefined) continue;
    const list = out.get(node);
    if (list) list.push(pod);
    else out.set(node, [pod]);
  }
  return out;
}

export function daemonSetReconciler(deps: DaemonSetReconcilerDeps): Reconciler {
  const { client, expectations, recorder, clock } = deps;
  // The DaemonSet as this controller last wrote its status, until the informer shows that write
  // (client-go's MutationCache): its pods' events wake the next sync right after the write, and a
  // status PUT on the replaced resourceVersion conflicted (then read it again and wrote once more).
  const written = new WrittenObjects<DaemonSet>();
  return async function reconcile(req): Promise<Result | void> {
    try {
      return await sync(req);
    } catch (err) {
      // Another write of ours (a collisionCount bump) or someone else's: read the cache next time.
      written.delete(keyString(req));
      throw err;
    }
  };

  async function sync(req: Request): Promise<Result | void> {
    const key = keyString(req);
    const ds = written.read(key, deps.daemonSets.get(key));
    if (!ds) {
      expectations.delete(key);
      return;
    }
    const sel = ds.spec?.selector;
    if (!sel || (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0)) {
      recorder.event(ds, 'Warning', 'SelectingAll', 'This daemon set is selecting all pods. A non-empty selector is required.');
      return;
    }
    if (ds.metadata.deletionTimestamp) return;
    const ns = ds.metadata.namespace!;
    const now = clock.now();
    const ref = controllerRef(ds, 'apps/v1', 'DaemonSet');
    const canAdopt = async () => {
      const fresh = await client.resource<DaemonSet>(resources.daemonsets, ns).get(ds.metadata.name!);
      return fresh.metadata.uid === ds.metadata.uid && !fresh.metadata.deletionTimestamp;
    };
    let podPlan;
    try {
      podPlan = planClaims(ds, sel, deps.pods.listNamespace(ns));
    } catch (err) {
      deps.logger?.warn({ key, err: String(err) }, 'invalid selector; skipping');
      return;
    }
    const pods = await executeClaims(podPlan, ref, { patch: (name, body) => client.pods(ns).patch(name, 'merge', body) }, canAdopt);
    const writer = new RevisionWriter(client, ns);
    const revisions = await writer.claim(ds, ref, sel, deps.revisions.listNamespace(ns), canAdopt);
    const { cur, old } = await constructHistory(ds, revisions, { client, writer, pods });
    const hash = cur.metadata.labels?.[REVISION_HASH_LABEL] ?? '';

    const nodes = deps.nodes.list();
    const verdict = nodeEligibility(ds);
    let podsByNode = podsByTargetNode(pods);
    let requeueAfter: number | undefined;
    let syncError: unknown;
    const satisfied = expectations.satisfied(key);
    if (satisfied) {
      try {
        const ctx = { client, recorder, expectations, burst: deps.burst ?? 250 };
        const plan = planManage({ ds, nodes, podsByNode, hash, now, verdict, failedPodDelay: (node) => deps.backoff.delay(`${ds.metadata.uid}/${node}`) });
        for (const { pod, node } of plan.failedPods) {
          recorder.event(ds, 'Warning', 'FailedDaemonPod', `Found failed daemon pod ${ns}/${pod.metadata.name} on node ${node}, will try to kill it`);
        }
        requeueAfter = plan.requeueAfterMs;
        await syncNodes(ds, plan.deletePods, plan.createOn, hash, ctx);
        // Only when the core loop had nothing to do does the rollout act on the same view.
        if (expectations.satisfied(key) && ds.spec?.updateStrategy?.type === 'RollingUpdate') {
          const roll = planRollingUpdate({ ds, nodes, podsByNode, hash, now, verdict });
          await syncNodes(ds, roll.deletePods, roll.createOn, hash, ctx);
        }
        for (const r of revisionsToCleanUp(ds, old, podsByNode.values())) await writer.delete(r.metadata.name!).catch((err: unknown) => {
          if (!isNotFound(err)) throw err;
        });
      } catch (err) {
        syncError = err;
      }
      podsByNode = podsByTargetNode(deps.pods.listNamespace(ns).filter((p) => controllerOf(p)?.uid === ds.metadata.uid));
    }

    const counts = calculateStatus(ds, nodes, podsByNode, hash, verdict, clock.now());
    if (!statusUpToDate(ds, counts, satisfied)) await writeStatus(key, ds, counts, satisfied);
    if (syncError) throw syncError;
    // Ready pods become available after minReadySeconds without any event: look again then.
    const minReady = ds.spec?.minReadySeconds ?? 0;
    if (minReady > 0 && counts.numberReady !== counts.numberAvailable) requeueAfter = Math.min(requeueAfter ?? Infinity, minReady * 1000);
    if (requeueAfter !== undefined) return { requeueAfter };
  }

  /** storeDaemonSetStatus: PUT status; on a conflict once more on a fresh read (StatusUpdateRetries 1). */
  async function writeStatus(key: string, ds: Readonly<DaemonSet>, counts: StatusCounts, updateObservedGen: boolean): Promise<void> {
    const api = client.resource<DaemonSet>(resources.daemonsets, ds.metadata.namespace);
    const apply = (obj: DaemonSet): DaemonSet => ({
      ...obj,
      status: { ...obj.status, ...counts, ...(updateObservedGen ? { observedGeneration: ds.metadata.generation } : {}) },
    });
    try {
      written.record(key, ds, await api.updateStatus(apply(structuredClone(ds))));
    } catch (err) {
      written.delete(key);
      if (isNotFound(err)) return;
      if (!isConflict(err)) throw err;
      const fresh = await api.get(ds.metadata.name!);
      written.record(key, fresh, await api.updateStatus(apply(fresh)));
    }
  }
}
