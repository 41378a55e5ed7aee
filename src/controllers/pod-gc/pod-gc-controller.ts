/**
 * The pod garbage collector (upstream pkg/controller/podgc): one level-triggered pass over the pod
 * and node caches (decide.ts says what goes) every `checkPeriodMs` (upstream 20 s), and sooner when a
 * pod names a node the cache does not hold. Each pod it collects is first marked
 * Failed (with the DisruptionTarget condition for pods of a vanished node) through a server-side
 * apply of its status by the field manager `PodGC`, unless already finished, then force-deleted
 * (grace 0): nothing else would finish pods whose node is gone, and their namespace could never
 * be deleted.
 */
import type { Node, Pod } from '../../api/kinds/index.js';
import { isNotFound } from '../../client/errors.js';
import { resources } from '../../client/resource-ref.js';
import type { Controller } from '../../controller-runtime/controller.js';
import type { Manager } from '../../controller-runtime/manager.js';
import type { Result } from '../../controller-runtime/reconcile.js';
import { rfc3339Seconds } from '../../controller-runtime/utc-time.js';
import { decidePodGc, DEFAULT_QUARANTINE_MS, DEFAULT_TERMINATED_POD_THRESHOLD, type GcAction } from './decide.js';

export interface PodGcOptions {
  /** --terminated-pod-gc-threshold (12500; 0 or less: off). */
  terminatedPodThreshold?: number;
  /** How long a node must be missing before its pods are collected (upstream's quarantineTime, 40 s). */
  quarantineMs?: number;
  /** The period of the full pass (upstream's gcCheckPeriod, 20 s). */
  checkPeriodMs?: number;
}

export const POD_GC_FIELD_MANAGER = 'PodGC';
/** The one work-queue key: every pass looks at everything. */
const PASS = 'pod-gc';

export function addPodGcController(mgr: Manager, opts: PodGcOptions = {}): Controller {
  const pods = mgr.informers.informerFor<Pod>(resources.pods);
  const nodes = mgr.informers.informerFor<Node>(resources.nodes);
  const clock = mgr.controllerDefaults.clock ?? { now: () => Date.now() };
  const checkPeriodMs = opts.checkPeriodMs ?? 20_000;
  const missingSince = new Map<string, number>();
  const client = mgr.client;
  // Passes run every checkPeriodMs (upstream's gcCheckPeriod, 20 s) once the first one has run: each
  // pass requeues itself. Events only bring the first pass forward, and later ones only for a pod
  // whose node is not in the cache (rare and cheap to check). Waking on every finished pod or every
  // Node status write made each a scan of all pods: O(pods) per pod, which a 5,000-completion Job
  // and thousands of heartbeating nodes turned into most of the control plane's CPU.
  let firstPassDone = false;
  const wake = (p: Readonly<Pod>): boolean => !firstPassDone || (!!p.spec?.nodeName && !nodes.indexer.get(p.spec.nodeName));

  const nodeGone = async (name: string): Promise<boolean> => {
    try {
      await client.get(resources.nodes, undefined, name);
      return false;
    } catch (err) {
      if (isNotFound(err)) return true;
      throw err;
    }
  };

  const collect = async (a: GcAction): Promise<void> => {
    const { name, namespace } = a.pod.metadata;
    try {
      if (a.pod.status?.phase !== 'Succeeded' && a.pod.status?.phase !== 'Failed') {
        const condition = a.condition ? [{ ...a.condition, lastTransitionTime: rfc3339Seconds(clock.now()) }] : undefined;
        await client.patch(resources.pods, namespace, name!, 'apply', {
          apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace },
          status: { phase: 'Failed', ...(condition ? { conditions: condition } : {}) },
        }, { subresource: 'status', fieldManager: POD_GC_FIELD_MANAGER, force: true });
      }
      await client.delete(resources.pods, namespace, name!, { gracePeriodSeconds: 0 });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  };

  return mgr.controller('pod-garbage-collector')
    .watches(resources.pods, (p) => (wake(p) ? [PASS] : []))
    .watches(resources.nodes, () => (firstPassDone ? [] : [PASS]))
    .withOptions({ workers: 1 })
    .complete(async (): Promise<Result> => {
      const input = {
        pods: pods.indexer.list(), nodes: nodes.indexer.list(), missingSince, now: clock.now(),
        terminatedPodThreshold: opts.terminatedPodThreshold ?? DEFAULT_TERMINATED_POD_THRESHOLD,
        quarantineMs: opts.quarantineMs ?? DEFAULT_QUARANTINE_MS,
      };
      let decision = decidePodGc(input);
      if (decision.verify.length > 0) {
        const gone = new Set<string>();
        for (const n of decision.verify) if (await nodeGone(n)) gone.add(n);
        if (gone.size > 0) decision = decidePodGc({ ...input, confirmedGone: gone });
      }
      for (const a of decision.actions) await collect(a);
      firstPassDone = true;
      return { requeueAfter: Math.min(checkPeriodMs, decision.nextCheckMs ?? checkPeriodMs) };
    });
}
