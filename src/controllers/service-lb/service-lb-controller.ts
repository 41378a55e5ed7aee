/**
 * The built-in load balancer (k3s's ServiceLB, without its per-node proxy pods: Bosun's proxy on
 * every node already serves status.loadBalancer.ingress IPs). For each LoadBalancer Service it owns
 * (servedByServiceLb) it keeps status.loadBalancer.ingress equal to desired-ingress.ts's answer,
 * and clears an ingress it no longer owns (type changed away from LoadBalancer). Node or
 * EndpointSlice changes re-reconcile the LoadBalancer Services they can affect.
 */
import type { KubeObject } from '../../api/meta.js';
import type { Node } from '../../api/kinds/core/node.js';
import type { Service } from '../../api/kinds/core/service.js';
import type { EndpointSlice } from '../../api/kinds/discovery/endpoint-slice.js';
import { isConflict, isNotFound } from '../../client/errors.js';
import { resources } from '../../client/resource-ref.js';
import type { Controller } from '../../controller-runtime/controller.js';
import { keyOf, keyString } from '../../controller-runtime/informer/keys.js';
import type { Manager } from '../../controller-runtime/manager.js';
import type { Request } from '../../controller-runtime/reconcile.js';
import { expandPool, nodeIngress, poolIngress, servedByServiceLb, type LoadBalancerIngress } from './desired-ingress.js';

export interface ServiceLbOptions {
  /**
   * Address pool (`a.b.c.d`, `a.b.c.d-e.f.g.h` or CIDR entries): each Service gets one of these
   * instead of the node addresses. Empty or unset: node addresses (k3s's default).
   */
  addressPool?: readonly string[];
}

const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

function sameIngress(a: readonly { ip?: string; hostname?: string }[], b: readonly LoadBalancerIngress[]): boolean {
  return a.length === b.length && a.every((x, i) => x.ip === b[i]!.ip && !x.hostname);
}

/** Declare the ServiceLB controller on `mgr`; it runs when the manager starts. Throws on a malformed pool. */
export function addServiceLbController(mgr: Manager, opts: ServiceLbOptions = {}): Controller {
  const pool = expandPool(opts.addressPool ?? []);
  const services = mgr.informers.informerFor<Service>(resources.services);
  const nodes = mgr.informers.informerFor<Node>(resources.nodes);
  const slices = mgr.informers.informerFor<EndpointSlice>(resources.endpointslices);
  const client = mgr.client;

  const lbServices = (): string[] => services.indexer.list().filter(servedByServiceLb).map(keyOf);
  const sliceToService = (s: Readonly<KubeObject>): string[] => {
    const name = s.metadata.labels?.[SERVICE_NAME_LABEL];
    if (!name) return [];
    const svc = services.indexer.get(`${s.metadata.namespace}/${name}`);
    return svc && servedByServiceLb(svc) && svc.spec?.externalTrafficPolicy === 'Local' ? [keyOf(svc)] : [];
  };

  /**
   * Pool addresses this controller wrote, by Service uid, until the Service is deleted: the cache
   * may not show a status write yet when the next Service is reconciled, and that Service must not
   * get the same address (the informer's view alone gave one address to two Services).
   */
  const written = new Map<string, string[]>();
  services.addEventHandler({ onDelete: (svc) => written.delete(svc.metadata.uid ?? '') });

  function desired(svc: Service): LoadBalancerIngress[] {
    if (pool.length > 0) {
      const taken = new Set<string>();
      const shown = new Set<string>();
      for (const other of services.indexer.list()) {
        shown.add(other.metadata.uid ?? '');
        if (other.metadata.uid === svc.metadata.uid || !servedByServiceLb(other)) continue;
        const ingress = other.status?.loadBalancer?.ingress ?? [];
        for (const i of ingress) if (i.ip) taken.add(i.ip);
        // The cache may lag behind this controller's last write of that Service.
        if (ingress.length === 0) for (const ip of written.get(other.metadata.uid ?? '') ?? []) taken.add(ip);
      }
      for (const [uid, ips] of written) if (!shown.has(uid)) for (const ip of ips) taken.add(ip);
      return poolIngress(svc, pool, taken);
    }
    const own = slices.indexer.listNamespace(svc.metadata.namespace).filter((s) => s.metadata.labels?.[SERVICE_NAME_LABEL] === svc.metadata.name);
    return nodeIngress(svc, nodes.indexer.list(), own);
  }

  async function reconcile(req: Request): Promise<void> {
    const svc = services.indexer.get(keyString(req));
    if (!svc || svc.metadata.deletionTimestamp) return;
    const have = svc.status?.loadBalancer?.ingress ?? [];
    // A Service that left type LoadBalancer loses its ingress (upstream's service controller does
    // the same); one with another loadBalancerClass belongs to another implementation.
    const served = servedByServiceLb(svc);
    if (!served && (svc.spec?.type === 'LoadBalancer' || have.length === 0)) return;
    const want = served ? desired(svc) : [];
    if (sameIngress(have, want)) return;
    try {
      await client.resource<Service>(resources.services, req.namespace).updateStatus({
        ...svc,
        status: { ...svc.status, loadBalancer: want.length > 0 ? { ingress: want } : {} },
      });
      if (pool.length > 0) written.set(svc.metadata.uid ?? '', want.flatMap((i) => (i.ip ? [i.ip] : [])));
    } catch (err) {
      // A stale cache: the update event re-enqueues the Service.
      if (isConflict(err) || isNotFound(err)) return;
      throw err;
    }
  }

  // Pool allocation compares against every other Service's ingress: one worker keeps it collision-free.
  const b = mgr.controller('service-lb')
    .for(resources.services)
    .watches(resources.nodes, lbServices)
    .watches(resources.endpointslices, sliceToService);
  // A Service that gives an address back (deleted, or no longer a LoadBalancer) lets waiting ones take it.
  if (pool.length > 0) {
    b.watches(resources.services, () => services.indexer.list().filter((s) => servedByServiceLb(s) && !s.status?.loadBalancer?.ingress?.length).map(keyOf));
  }
  return b.withOptions({ workers: 1 }).complete(reconcile);
}
