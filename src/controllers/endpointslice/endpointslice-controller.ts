/**
 * The EndpointSlice controller (upstream pkg/controller/endpointslice): for every Service with a
 * selector, keeps the slices labelled managed-by endpointslice-controller.k8s.io equal to
 * desiredSlices(service, matching pods), matched to the stored ones by slice-plan.ts; new slices are
 * named by the API server from generateName `<service>-`, as upstream's. Writes go create/update
 * first, deletes last, so a proxy never sees a moment with fewer endpoints than before or after.
 * While the informer has not yet seen the controller's own writes (slice-tracker.ts) the Service is
 * requeued rather than reconciled, or a slice just created would be created twice.
 *
 * Wiring: reconciles Services; pod events wake every Service of the pod's namespace whose selector
 * matches the pod (before or after the change); slice events wake their Service (repairs edits).
 */
import type { KubeObject } from '../../api/meta.js';
import type { Pod } from '../../api/kinds/core/pod.js';
import type { Service } from '../../api/kinds/core/service.js';
import type { EndpointSlice } from '../../api/kinds/discovery/endpoint-slice.js';
import { isNotFound } from '../../client/errors.js';
import { resources } from '../../client/resource-ref.js';
import type { Controller } from '../../controller-runtime/controller.js';
import { keyOf, keyString } from '../../controller-runtime/informer/keys.js';
import type { Manager } from '../../controller-runtime/manager.js';
import type { Request, Result } from '../../controller-runtime/reconcile.js';
import { CONTROLLER_NAME, desiredSlices, MANAGED_BY_LABEL, SERVICE_NAME_LABEL } from './desired-slices.js';
import { planSlices } from './slice-plan.js';
import { SliceTracker } from './slice-tracker.js';
import { hasManagedEndpoints, selects } from '../../api/endpoints/pod-endpoints.js';

export interface EndpointSliceControllerOptions {
  /** Concurrent reconciles (upstream --concurrent-service-endpoint-syncs, 5). */
  workers?: number;
}

const BY_SERVICE = 'endpointslice-service';

/** Declare the EndpointSlice controller on `mgr`; it runs when the manager starts. */
export function addEndpointSliceController(mgr: Manager, opts: EndpointSliceControllerOptions = {}): Controller {
  const services = mgr.informers.informerFor<Service>(resources.services);
  const pods = mgr.informers.informerFor<Pod>(resources.pods);
  const slices = mgr.informers.informerFor<EndpointSlice>(resources.endpointslices);
  slices.addIndexers({
    [BY_SERVICE]: (s) => {
      const svc = s.metadata.labels?.[SERVICE_NAME_LABEL];
      return svc && s.metadata.labels?.[MANAGED_BY_LABEL] === CONTROLLER_NAME ? [`${s.metadata.namespace}/${svc}`] : [];
    },
  });
  const client = mgr.client;
  const tracker = new SliceTracker();

  const podToServices = (pod: Readonly<KubeObject>): string[] =>
    services.indexer.listNamespace(pod.metadata.namespace).filter((svc) => selects(svc, pod)).map(keyOf);
  const sliceToService = (s: Readonly<KubeObject>): string[] => {
    const svc = s.metadata.labels?.[SERVICE_NAME_LABEL];
    return svc && s.metadata.labels?.[MANAGED_BY_LABEL] === CONTROLLER_NAME ? [`${s.metadata.namespace}/${svc}`] : [];
  };
  slices.addEventHandler({ onDelete: (s) => { for (const key of sliceToService(s)) tracker.forget(key, s.metadata.name!); } });

  async function reconcile(req: Request): Promise<Result | void> {
    const key = keyString(req);
    const namespace = req.namespace!;
    const api = client.resource<EndpointSlice>(resources.endpointslices, namespace);
    const existing = slices.indexer.byIndex(BY_SERVICE, key);
    if (tracker.stale(key, existing)) return { requeue: true };
    const remove = async (s: Readonly<EndpointSlice>): Promise<void> => {
      await deleteQuietly(() => api.delete(s.metadata.name!));
      tracker.deleted(key, s.metadata.name!);
    };
    const svc = services.indexer.get(key);
    if (!svc || svc.metadata.deletionTimestamp || !hasManagedEndpoints(svc)) {
      for (const s of existing) await remove(s);
      return;
    }
    const matching = pods.indexer.listNamespace(namespace).filter((p) => selects(svc, p));
    const plan = planSlices(svc, existing, desiredSlices(svc, matching));
    for (const want of plan.create) tracker.wrote(key, await api.create(want));
    for (const want of plan.update) tracker.wrote(key, await api.update(want));
    for (const s of plan.delete) await remove(s);
  }

  return mgr.controller('endpointslice')
    .for(resources.services)
    .watches(resources.pods, podToServices)
    .watches(resources.endpointslices, sliceToService)
    .withOptions({ workers: opts.workers ?? 5 })
    .complete(reconcile);
}

async function deleteQuietly(del: () => Promise<unknown>): Promise<void> {
  try {
    await del();
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}
