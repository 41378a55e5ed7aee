/**
 * The garbage collector (upstream pkg/controller/garbagecollector): deletes objects whose owners
 * are all gone, and carries out the Foreground and Orphan propagation policies the API server
 * records as the `foregroundDeletion` and `orphan` finalizers on a deleted owner.
 *
 * Wiring: one shared informer per collectable resource, and a monitor per custom resource served
 * (custom-monitors.ts: started, replaced and stopped as discovery changes), feed `OwnerGraph`; relevant changes
 * (ownerReferences, deletion, finalizers) enqueue the object, its owners and its dependents by
 * uid. The reconciler decides with `decide` (pure) and performs at most one kind of write. Owners
 * missing from the graph are confirmed absent with a live GET before anything is deleted, so an
 * object created just before its owner's watch event arrives is safe.
 */
import type { KubeObject, OwnerReference } from '../../api/meta.js';
import { isConflict, isNotFound } from '../../client/errors.js';
import type { KubeClient } from '../../client/kube-client.js';
import type { ResourceRef } from '../../client/resource-ref.js';
import { Controller } from '../../controller-runtime/controller.js';
import type { Manager } from '../../controller-runtime/manager.js';
import type { Request, Result } from '../../controller-runtime/reconcile.js';
import { decide, ownerStateInGraph, type Action, type OwnerState } from './decide.js';
import { deletingDependents, gcRelevantChange, nodeOf, OwnerGraph, type GraphNode } from './graph.js';
import { collectableResources, resourceForOwner } from './resources.js';
import { CustomResourceMonitors, resourceKey } from './custom-monitors.js';
import type { EventHandler } from '../../controller-runtime/informer/shared-informer.js';
import { defaultLogger } from '../../controller-runtime/log.js';

export interface GarbageCollectorOptions {
  /** Concurrent reconciles (upstream --concurrent-gc-syncs, 20). Default 4. */
  workers?: number;
  /** Resources to build the graph from; default: every collectable registry kind. */
  resources?: ResourceRef[];
  /**
   * How often discovery is asked for custom resources (CRDs) to add to the graph, as upstream's
   * garbage collector resyncs its monitors (--resync period 30 s there). Default 5000 ms; 0: never
   * (only `resources`).
   */
  discoveryIntervalMs?: number;
}

export interface GarbageCollector extends Controller {
  /** The resources whose objects feed the graph now (the fixed ones and the custom ones served). */
  monitoredResources(): ResourceRef[];
}

/** Declare the garbage collector on `mgr`; it runs when the manager starts. */
export function addGarbageCollector(mgr: Manager, opts: GarbageCollectorOptions = {}): GarbageCollector {
  const graph = new OwnerGraph();
  const controller = new Controller('garbage-collector', (req) => reconcile(mgr.client, graph, req), {
    ...mgr.controllerDefaults, workers: opts.workers ?? 4,
  });
  const enqueue = (uid: string) => controller.enqueue(uid);
  const touched = (old: GraphNode | undefined, n: GraphNode) => {
    if (!gcRelevantChange(old, n)) return;
    enqueue(n.uid);
    for (const d of graph.dependentsOf(n.uid)) enqueue(d.uid);
    // An owner only needs a look when it is being deleted (waiting for its dependents, or orphaning
    // them), as upstream's processGraphChanges wakes only owners that are deletingDependents: waking
    // every owner on each dependent's change made each pod event of a Job or ReplicaSet an
    // O(dependents) pass over its owner.
    for (const o of [...(old?.owners ?? []), ...n.owners]) if (graph.get(o.uid)?.deleting) enqueue(o.uid);
  };
  const handlerFor = (ref: ResourceRef): EventHandler<KubeObject> => ({
    onAdd: (obj) => {
      const n = nodeOf(obj, ref);
      touched(graph.upsert(n), n);
    },
    onUpdate: (_old, obj) => {
      const n = nodeOf(obj, ref);
      touched(graph.upsert(n), n);
    },
    onDelete: (obj) => {
      const uid = obj.metadata.uid ?? '';
      const gone = graph.remove(uid);
      for (const d of graph.dependentsOf(uid)) enqueue(d.uid);
      for (const o of gone?.owners ?? obj.metadata.ownerReferences ?? []) if (graph.get(o.uid)?.deleting) enqueue(o.uid);
    },
  });
  const fixed = opts.resources ?? collectableResources();
  const monitors = new CustomResourceMonitors(mgr.client, mgr.informers, new Set(fixed.map(resourceKey)), {
    handlerFor,
    // Its objects leave the graph (not as deleted: they may be served elsewhere) and their dependents
    // look them up live, rather than trusting owners whose deletion nobody will report.
    stopped: (ref) => {
      for (const uid of graph.forgetResource(ref.group, ref.resource)) for (const d of graph.dependentsOf(uid)) enqueue(d.uid);
    },
  });
  for (const ref of fixed) mgr.informers.informerFor(ref).addEventHandler(handlerFor(ref));
  const every = opts.discoveryIntervalMs ?? (opts.resources ? 0 : 5000);
  if (every > 0) {
    // Custom kinds come and go with their CRDs: each round starts, replaces or stops their monitors.
    // Runs while leading, like the collector itself.
    let timer: NodeJS.Timeout | undefined;
    const sync = () => monitors.sync().catch((err: unknown) => (mgr.controllerDefaults.logger ?? defaultLogger()).error({ err: String(err) }, 'garbage collector: syncing monitors failed'));
    mgr.add({
      start: async (signal) => {
        await sync();
        const loop = (): void => {
          timer = setTimeout(() => void sync().then(() => { if (!signal.aborted) loop(); }), every);
          timer.unref();
        };
        loop();
      },
      stop: async () => {
        clearTimeout(timer);
        await monitors.stop();
      },
    });
  }
  mgr.addController(controller);
  return Object.assign(controller, { monitoredResources: () => [...fixed, ...monitors.resources()] });
}

async function reconcile(client: KubeClient, graph: OwnerGraph, req: Request): Promise<Result | void> {
  const item = graph.get(req.name);
  if (!item) return;
  const states = new Map<string, OwnerState>();
  // An owner that exists but no informer has reported (its kind not watched yet, or its event not
  // arrived) is not observed: nothing would tell us when it goes, so the item is checked again, with
  // the queue's back-off, until the owner is observed (its add event enqueues the item and the
  // reconcile then succeeds and forgets the back-off) or found gone, as upstream requeues an
  // unobserved owner ("virtual" node, issue 56121).
  let unobserved = false;
  for (const ref of item.owners) {
    let s = ownerStateInGraph(ref, (uid) => graph.get(uid));
    if (s === 'unknown' && graph.isAbsent(ref.uid)) s = 'dangling';
    if (s === 'unknown') {
      s = await verifyOwner(client, item, ref);
      if (s !== 'dangling') unobserved = true;
    }
    states.set(ref.uid, s);
  }
  const action = decide(item, graph.dependentsOf(item.uid), (ref) => states.get(ref.uid) ?? 'solid');
  await act(client, item, action);
  if (unobserved && action.type !== 'delete') return { requeue: true };
}

async function act(client: KubeClient, item: GraphNode, action: Action): Promise<void> {
  switch (action.type) {
    case 'none':
      return;
    case 'delete':
      if (action.unblockOwners && item.owners.some((o) => o.blockOwnerDeletion)) {
        await ignoreGone(setOwners(client, item, item.owners.map((o) => (o.blockOwnerDeletion ? { ...o, blockOwnerDeletion: false } : o))));
      }
      return ignoreGone(client.delete(item.ref, item.namespace, item.name, { propagationPolicy: action.policy, preconditions: { uid: item.uid } }));
    case 'removeOwnerRefs':
      return ignoreGone(setOwners(client, item, item.owners.filter((o) => !action.uids.includes(o.uid))));
    case 'orphan':
      for (const d of action.dependents) await ignoreGone(setOwners(client, d, d.owners.filter((o) => o.uid !== item.uid)));
      // The dependents' update events enqueue this owner again; the finalizer goes once none points here.
      return;
    case 'removeFinalizer':
      return ignoreGone(setList(client, item, 'finalizers', item.finalizers, item.finalizers.filter((f) => f !== action.finalizer)));
  }
}

/**
 * Look up an owner the graph does not have: gone (404, or another object now holds the name) is
 * dangling. A kind the server does not serve cannot be checked and counts as solid, so nothing is
 * deleted on a guess (the caller checks again later, as for any unobserved owner).
 */
async function verifyOwner(client: KubeClient, item: GraphNode, ref: OwnerReference): Promise<OwnerState> {
  // Built-in kinds from the registry, custom kinds through discovery.
  const res = resourceForOwner(ref.apiVersion, ref.kind) ?? await client.resolve(ref.apiVersion, ref.kind).catch(() => undefined);
  if (!res) return 'solid';
  try {
    const owner = await client.get<KubeObject>(res, res.namespaced ? item.namespace : undefined, ref.name);
    if (owner.metadata.uid !== ref.uid) return 'dangling';
    return deletingDependents(nodeOf(owner, res)) ? 'waiting' : 'solid';
  } catch (err) {
    if (isNotFound(err)) return 'dangling';
    throw err;
  }
}

function setOwners(client: KubeClient, n: GraphNode, owners: OwnerReference[]): Promise<unknown> {
  return setList(client, n, 'ownerReferences', n.owners, owners);
}

/**
 * Replace a metadata list with a JSON patch that first tests the uid and the list we based the
 * change on: a concurrent writer makes the patch fail (422) and the reconcile retries on fresh data.
 */
function setList(client: KubeClient, n: GraphNode, field: 'ownerReferences' | 'finalizers', before: readonly unknown[], after: readonly unknown[]): Promise<unknown> {
  const path = `/metadata/${field}`;
  const ops: unknown[] = [{ op: 'test', path: '/metadata/uid', value: n.uid }, { op: 'test', path, value: before }];
  ops.push(after.length > 0 ? { op: 'replace', path, value: after } : { op: 'remove', path });
  return client.patch(n.ref, n.namespace, n.name, 'json', ops);
}

async function ignoreGone(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (err) {
    // Gone already, or replaced by a new object with the same name (uid precondition): nothing to do.
    if (isNotFound(err) || isConflict(err)) return;
    throw err;
  }
}
