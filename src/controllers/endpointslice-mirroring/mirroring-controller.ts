/**
 * The EndpointSliceMirroring controller (upstream pkg/controller/endpointslicemirroring): a Service
 * without a selector whose Endpoints someone else writes gets EndpointSlices mirroring them
 * (desired-mirror.ts), so that everything reading slices (the proxy, DNS) serves custom Endpoints.
 * Slices are removed when the Endpoints go, are labelled skip-mirror, or the Service goes or gains a
 * selector (the EndpointSlice controller owns those).
 *
 * Per group of address type and ports, as upstream's reconcileByPortMapping: the first stored slice is
 * updated to the desired content (left alone when it already matches), the rest deleted; groups no
 * longer desired are deleted; creates reuse a slice about to be deleted (recycleSlices). The stored
 * slices are listed from the API server at each reconcile rather than read from the informer: the
 * controller creates by generateName, and a cache that has not yet seen its own create would make it
 * create twice (upstream keeps an EndpointSliceTracker for this; mirrored Endpoints are rare enough
 * that a list is cheaper than the bookkeeping).
 *
 * Wiring: reconciles Endpoints; Service events and events of mirrored slices wake the Endpoints of
 * the same name.
 */
import type { Endpoints } from '../../api/kinds/core/endpoints.js';
import type { Service } from '../../api/kinds/core/service.js';
import type { EndpointSlice } from '../../api/kinds/discovery/endpoint-slice.js';
import type { KubeObject } from '../../api/meta.js';
import { isNotFound } from '../../client/errors.js';
import { resources } from '../../client/resource-ref.js';
import type { Controller } from '../../controller-runtime/controller.js';
import { keyOf, keyString } from '../../controller-runtime/informer/keys.js';
import type { Manager } from '../../controller-runtime/manager.js';
import type { Request } from '../../controller-runtime/reconcile.js';
import { desiredMirror, MANAGED_BY_LABEL, mirrorMatches, MIRRORING_CONTROLLER_NAME, SERVICE_NAME_LABEL, shouldMirror, sliceKey } from './desired-mirror.js';

export interface MirroringControllerOptions {
  /** Concurrent reconciles (upstream --concurrent-endpointslice-mirroring-syncs, 5). */
  workers?: number;
}

/** Declare the EndpointSliceMirroring controller on `mgr`; it runs when the manager starts. */
export function addEndpointSliceMirroringController(mgr: Manager, opts: MirroringControllerOptions = {}): Controller {
  const services = mgr.informers.informerFor<Service>(resources.services);
  const endpoints = mgr.informers.informerFor<Endpoints>(resources.endpoints);
  const client = mgr.client;

  const mirroredSliceToEndpoints = (s: Readonly<KubeObject>): string[] => {
    const svc = s.metadata.labels?.[SERVICE_NAME_LABEL];
    return svc && s.metadata.labels?.[MANAGED_BY_LABEL] === MIRRORING_CONTROLLER_NAME ? [`${s.metadata.namespace}/${svc}`] : [];
  };

  async function reconcile(req: Request): Promise<void> {
    const key = keyString(req);
    const api = client.resource<EndpointSlice>(resources.endpointslices, req.namespace);
    const stored = (await api.list({ labelSelector: `${SERVICE_NAME_LABEL}=${req.name},${MANAGED_BY_LABEL}=${MIRRORING_CONTROLLER_NAME}` })).items
      .sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
    const remove = async (s: Readonly<EndpointSlice>): Promise<void> => {
      try {
        await api.delete(s.metadata.name!);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    };
    const svc = services.indexer.get(key);
    const ep = endpoints.indexer.get(key);
    // A Service with a selector (even an empty one: Go's non-nil map) has its slices from the EndpointSlice controller.
    if (!svc || svc.spec?.selector != null || !ep || !shouldMirror(ep)) {
      for (const s of stored) await remove(s);
      return;
    }
    const desired = desiredMirror(ep);
    const byKey = new Map<string, EndpointSlice[]>();
    for (const s of stored) {
      const k = sliceKey(s.addressType, s.ports);
      byKey.set(k, [...(byKey.get(k) ?? []), s]);
    }
    const create: EndpointSlice[] = [];
    const update: EndpointSlice[] = [];
    const del: EndpointSlice[] = [];
    for (const [k, want] of desired) {
      const [first, ...rest] = byKey.get(k) ?? [];
      byKey.delete(k);
      del.push(...rest);
      if (!first) create.push(want);
      else if (!mirrorMatches(first, want)) update.push(over(first, want));
    }
    for (const gone of byKey.values()) del.push(...gone);
    // recycleSlices: a create becomes the update of a slice about to be deleted, of the same address type.
    for (let i = create.length - 1; i >= 0; i--) {
      const j = del.findIndex((d) => d.addressType === create[i]!.addressType);
      if (j < 0) continue;
      update.push(over(del[j]!, create[i]!));
      del.splice(j, 1);
      create.splice(i, 1);
    }
    // No new slices for Endpoints being deleted (upstream's finalize).
    if (!ep.metadata.deletionTimestamp) for (const want of create) await api.create(want);
    for (const want of update) await api.update(want);
    for (const s of del) await remove(s);
  }

  return mgr.controller('endpointslicemirroring')
    .for(resources.endpoints)
    .watches(resources.services, (svc) => [keyOf(svc)])
    .watches(resources.endpointslices, mirroredSliceToEndpoints)
    .withOptions({ workers: opts.workers ?? 5 })
    .complete(reconcile);
}

/** `want` written over `have`: its name and resourceVersion (optimistic concurrency). */
function over(have: Readonly<EndpointSlice>, want: EndpointSlice): EndpointSlice {
  const { generateName: _unused, ...meta } = want.metadata;
  return { ...want, metadata: { ...meta, name: have.metadata.name, resourceVersion: have.metadata.resourceVersion } };
}
