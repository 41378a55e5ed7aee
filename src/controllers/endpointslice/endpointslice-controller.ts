/**
 * The EndpointSlice controller (upstream pkg/controller/endpointslice): for every Service with a
 * selector, keeps the slices labelled managed-by endpointslice-controller.k8s.io equal to
 * desiredSlices(service, matching pods). Writes go create/update first, deletes last, so a proxy
 * never sees a moment with fewer endpoints than before or after.
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
import type { Request } from '../../controller-runtime/reconcile.js';
import { CONTROLLER_NAME, desiredSlices, MANAGED_BY_LABEL, SERVICE_NAME_LABEL, sliceMatches } from './desired-slices.js';
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

  const podToServices = (pod: Readonly<KubeObject>): string[] =>
    services.indexer.listNamespace(pod.metadata.namespace).filter((svc) => selects(svc, pod)).map(keyOf);
  const sliceToService = (s: Readonly<KubeObject>): string[] => {
    const svc = s.metadata.labels?.[SERVICE_NAME_LABEL];
    return svc && s.metadata.labels?.[MANAGED_BY_LABEL] === CONTROLLER_NAME ? [`${s.metadata.namespace}/${svc}`] : [];
  };

  async function reconcile(req: Request): Promise<void> {
    const key = keyString(req);
    const namespace = req.namespace!;
    const api = client.resource<EndpointSlice>(resources.endpointslices, namespace);
    const existing = slices.indexer.byIndex(BY_SERVICE, key);
    const svc = services.indexer.get(key);
    if (!svc || svc.metadata.deletionTimestamp || !hasManagedEndpoints(svc)) {
      for (const s of existing) await deleteQuietly(() => api.delete(s.metadata.name!));
      return;
    }
    const matching = pods.indexer.listNamespace(namespace).filter((p) => selects(svc, p));
    const desired = desiredSlices(svc, matching);
    const byName = new Map(existing.map((s) => [s.metadata.name!, s]));
    for (const want of desired) {
      const have = byName.get(want.metadata.name!);
      if (!have) await api.create(want);
      else if (!sliceMatches(have, want)) {
        await api.update({ ...want, metadata: { ...want.metadata, resourceVersion: have.metadata.resourceVersion } });
      }
    }
    const keep = new Set(desired.map((s) => s.metadata.name));
    for (const s of existing) if (!keep.has(s.metadata.name)) await deleteQuietly(() => api.delete(s.metadata.name!));
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
