/**
 * The Endpoints controller (upstream pkg/controller/endpoint): for every Service with a selector,
 * keeps the core/v1 Endpoints of the same name equal to desiredEndpoints(service, matching pods),
 * and deletes the Endpoints it manages when their Service goes away.
 */
import type { KubeObject } from '../../api/meta.js';
import type { Endpoints } from '../../api/kinds/core/endpoints.js';
import type { Pod } from '../../api/kinds/core/pod.js';
import type { Service } from '../../api/kinds/core/service.js';
import { isNotFound } from '../../client/errors.js';
import { resources } from '../../client/resource-ref.js';
import type { Controller } from '../../controller-runtime/controller.js';
import { keyOf, keyString } from '../../controller-runtime/informer/keys.js';
import type { Manager } from '../../controller-runtime/manager.js';
import type { Request } from '../../controller-runtime/reconcile.js';
import { hasManagedEndpoints, selects } from '../../api/endpoints/pod-endpoints.js';
import { desiredEndpoints, ENDPOINTS_CONTROLLER_NAME, ENDPOINTS_MANAGED_BY_LABEL } from './desired-endpoints.js';

export interface EndpointsControllerOptions {
  /** Concurrent reconciles (upstream --concurrent-endpoint-syncs, 5). */
  workers?: number;
}

function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, val: unknown) =>
    val && typeof val === 'object' && !Array.isArray(val) ? Object.fromEntries(Object.entries(val as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b))) : val);
}

/** Declare the Endpoints controller on `mgr`; it runs when the manager starts. */
export function addEndpointsController(mgr: Manager, opts: EndpointsControllerOptions = {}): Controller {
  const services = mgr.informers.informerFor<Service>(resources.services);
  const pods = mgr.informers.informerFor<Pod>(resources.pods);
  const endpoints = mgr.informers.informerFor<Endpoints>(resources.endpoints);
  const client = mgr.client;

  const podToServices = (pod: Readonly<KubeObject>): string[] =>
    services.indexer.listNamespace(pod.metadata.namespace).filter((svc) => selects(svc, pod)).map(keyOf);
  const ours = (ep: Readonly<KubeObject>): boolean => ep.metadata.labels?.[ENDPOINTS_MANAGED_BY_LABEL] === ENDPOINTS_CONTROLLER_NAME;

  async function reconcile(req: Request): Promise<void> {
    const key = keyString(req);
    const api = client.resource<Endpoints>(resources.endpoints, req.namespace);
    const have = endpoints.indexer.get(key);
    const svc = services.indexer.get(key);
    if (!svc || svc.metadata.deletionTimestamp || !hasManagedEndpoints(svc)) {
      if (have && ours(have) && (!svc || svc.metadata.deletionTimestamp)) {
        try {
          await api.delete(req.name);
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
      }
      return;
    }
    const want = desiredEndpoints(svc, pods.indexer.listNamespace(req.namespace).filter((p) => selects(svc, p)));
    if (!have) {
      await api.create(want);
      return;
    }
    if (canonical(have.subsets ?? []) === canonical(want.subsets) && canonical(have.metadata.labels ?? {}) === canonical(want.metadata.labels)) return;
    await api.update({ ...want, metadata: { ...have.metadata, labels: want.metadata.labels } });
  }

  return mgr.controller('endpoints')
    .for(resources.services)
    .watches(resources.pods, podToServices)
    .watches(resources.endpoints, (ep) => [keyOf(ep)])
    .withOptions({ workers: opts.workers ?? 5 })
    .complete(reconcile);
}
