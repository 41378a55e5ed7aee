/**
 * The disruption controller (upstream pkg/controller/disruption): keeps each PodDisruptionBudget's
 * status (expectedPods, currentHealthy, desiredHealthy, disruptionsAllowed, disruptedPods,
 * observedGeneration, the DisruptionAllowed condition) in step with its pods. The arithmetic is in
 * budget-status.ts; this file reads the caches, finds the pods' controllers' scale (ReplicaSets and
 * Deployments from the caches, anything else through its scale subresource), and writes the status.
 *
 * Wiring: reconciles budgets; a pod event wakes every budget in its namespace that selects it. A
 * budget with recently evicted pods is looked at again when their 2-minute timeout ends.
 */
import type { Pod } from '../../api/kinds/core/pod.js';
import type { Deployment } from '../../api/kinds/apps/deployment.js';
import type { ReplicaSet } from '../../api/kinds/apps/replica-set.js';
import { budgetSelects, type PodDisruptionBudget, type PodDisruptionBudgetStatus } from '../../api/kinds/policy/pod-disruption-budget.js';
import type { KubeObject, OwnerReference } from '../../api/meta.js';
import { isConflict, isNotFound } from '../../client/errors.js';
import { builtinByKind, parseApiVersion, resources } from '../../client/resource-ref.js';
import type { Controller } from '../../controller-runtime/controller.js';
import type { Manager } from '../../controller-runtime/manager.js';
import { countHealthy, disruptedPodMap, expectedPodCount, failSafeStatus, nextStatus, type ScaleOf } from './budget-status.js';

/** getPodsForPdb: an empty or missing selector selects nothing. */
export const selectsPod = (pdb: Readonly<PodDisruptionBudget>, pod: Readonly<KubeObject>): boolean => budgetSelects(pdb, pod);

export function addDisruptionController(mgr: Manager): Controller {
  const clock = mgr.controllerDefaults.clock ?? { now: () => Date.now() };
  const pdbs = mgr.informers.informerFor<PodDisruptionBudget>(resources.poddisruptionbudgets);
  const pods = mgr.informers.informerFor<Pod>(resources.pods);
  const replicaSets = mgr.informers.informerFor<ReplicaSet>(resources.replicasets);
  const deployments = mgr.informers.informerFor<Deployment>(resources.deployments);
  const recorder = mgr.eventRecorder('controllermanager');
  const client = mgr.client;

  /** Finders for ReplicaSets and Deployments (from the caches); a ReplicaSet under a Deployment counts as its Deployment. */
  const cachedScale = (ref: OwnerReference, ns: string): { uid: string; scale: number } | undefined | 'other' => {
    const group = parseApiVersion(ref.apiVersion).group;
    if (group !== 'apps' || ref.kind !== 'ReplicaSet') return 'other';
    const rs = replicaSets.indexer.get(`${ns}/${ref.name}`);
    if (!rs || rs.metadata.uid !== ref.uid) return undefined;
    const owner = rs.metadata.ownerReferences?.find((r) => r.controller);
    if (owner?.kind === 'Deployment') {
      const d = deployments.indexer.get(`${ns}/${owner.name}`);
      return d && d.metadata.uid === owner.uid ? { uid: d.metadata.uid!, scale: d.spec?.replicas ?? 1 } : undefined;
    }
    return { uid: rs.metadata.uid!, scale: rs.spec?.replicas ?? 1 };
  };

  /** getScaleController: any other controller through its scale subresource (StatefulSet, Deployment, ...). */
  const fetchScales = async (selected: readonly Pod[]): Promise<ScaleOf> => {
    const fetched = new Map<string, { uid: string; scale: number } | undefined>();
    for (const pod of selected) {
      const ref = pod.metadata.ownerReferences?.find((r) => r.controller);
      if (!ref || fetched.has(ref.uid) || cachedScale(ref, pod.metadata.namespace!) !== 'other') continue;
      const { group, version } = parseApiVersion(ref.apiVersion);
      const r = builtinByKind(group, version, ref.kind);
      let found: { uid: string; scale: number } | undefined;
      if (r) {
        try {
          const scale = await client.resource({ group, version, resource: r.resource, namespaced: true }, pod.metadata.namespace).getScale(ref.name);
          if (scale.metadata.uid === ref.uid) found = { uid: ref.uid, scale: scale.spec?.replicas ?? 0 };
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
      }
      fetched.set(ref.uid, found);
    }
    return (ref, ns) => {
      const c = cachedScale(ref, ns);
      return c === 'other' ? fetched.get(ref.uid) : c;
    };
  };

  const writeStatus = async (pdb: Readonly<PodDisruptionBudget>, status: PodDisruptionBudgetStatus): Promise<void> => {
    await client.resource<PodDisruptionBudget>(resources.poddisruptionbudgets, pdb.metadata.namespace).updateStatus({ ...pdb, status });
  };

  return mgr
    .controller('disruption')
    .for(resources.poddisruptionbudgets)
    .watches(resources.pods, (pod) => pdbs.indexer.listNamespace(pod.metadata.namespace).filter((b) => selectsPod(b, pod)).map((b) => ({ namespace: b.metadata.namespace, name: b.metadata.name! })))
    .complete(async (req) => {
      const pdb = pdbs.indexer.get(`${req.namespace}/${req.name}`);
      if (!pdb || pdb.metadata.deletionTimestamp) return;
      const selected = pods.indexer.listNamespace(req.namespace).filter((p) => selectsPod(pdb, p));
      if (selected.length === 0) recorder.event(pdb, 'Normal', 'NoPods', 'No matching pods found');
      const now = clock.now();
      try {
        let counts;
        try {
          counts = expectedPodCount(pdb, selected, await fetchScales(selected));
        } catch (err) {
          const why = err instanceof Error ? err.message : String(err);
          recorder.event(pdb, 'Warning', 'CalculateExpectedPodCountFailed', `Failed to calculate the number of expected pods: ${why}`);
          await writeStatus(pdb, failSafeStatus(pdb, why, new Date(now)));
          return { requeueAfter: 5000 };
        }
        if (counts.unmanaged.length) recorder.event(pdb, 'Normal', 'UnmanagedPods', `Pods selected by this PodDisruptionBudget (selector: ${JSON.stringify(pdb.spec?.selector)}) were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.`);
        const { kept, recheckAt, expired } = disruptedPodMap(selected, pdb, now);
        for (const name of expired) {
          const pod = selected.find((p) => p.metadata.name === name)!;
          recorder.event(pod, 'Warning', 'NotDeleted', `Pod was expected by PDB ${pdb.metadata.namespace}/${pdb.metadata.name} to be deleted but it wasn't`);
        }
        const currentHealthy = countHealthy(selected, kept, now);
        const status = nextStatus(pdb, { currentHealthy, desiredHealthy: counts.desiredHealthy, expectedCount: counts.expectedCount }, kept, new Date(now));
        if (status) await writeStatus(pdb, status);
        return recheckAt !== undefined ? { requeueAfter: Math.max(0, recheckAt - now) + 1 } : undefined;
      } catch (err) {
        if (isConflict(err) || isNotFound(err)) return { requeue: true };
        throw err;
      }
    });
}
