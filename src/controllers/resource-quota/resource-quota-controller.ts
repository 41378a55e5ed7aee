/**
 * The resource quota controller (upstream pkg/controller/resourcequota): every ResourceQuota's
 * status.hard is its spec.hard and status.used the namespace's observed usage of those resources,
 * recomputed when the quota or an object it counts changes (pods, services, configmaps, secrets,
 * claims, replication controllers and the quotas themselves from informers; other `count/<resource>.<group>` names by a list,
 * an informer on each such served resource waking its namespace's quotas) and every
 * `resyncMs` (upstream --resource-quota-sync-period, 5 min) as a full recalculation. The admission
 * plugin charges creates at once; this controller releases what deletes and finished pods free.
 */
import type { ResourceQuota } from '../../api/kinds/core/resource-quota.js';
import type { KubeObject } from '../../api/meta.js';
import { Quantity } from '../../api/quantity/index.js';
import { addUsage, fromUsage, objectUsage, quotaMatchesObject, type Usage } from '../../api/quota/usage.js';
import { isConflict, isNotFound } from '../../client/errors.js';
import { resources, type ResourceRef } from '../../client/resource-ref.js';
import type { Controller } from '../../controller-runtime/controller.js';
import { enqueueMapped } from '../../controller-runtime/handlers.js';
import type { Manager } from '../../controller-runtime/manager.js';

export interface ResourceQuotaControllerOptions {
  /** Full recalculation period (default 5 min, as kube-controller-manager). */
  resyncMs?: number;
}

const WATCHED: ResourceRef[] = [
  resources.pods, resources.services, resources.configmaps, resources.secrets, resources.persistentvolumeclaims, resources.replicationcontrollers,
];

/** `count/deployments.apps` → the ref to list (version v1: every group Bosun serves counts under v1). */
function countRef(name: string): ResourceRef | undefined {
  const m = /^count\/([a-z0-9-]+)(?:\.(.+))?$/.exec(name);
  if (!m) return undefined;
  const [, plural, group = ''] = m;
  if (WATCHED.some((r) => r.group === group && r.resource === plural)) return undefined;
  return { group, version: 'v1', resource: plural!, namespaced: true, kind: '' } as ResourceRef;
}

/** The new status, or undefined when the quota's status is already right. */
export function desiredQuotaStatus(rq: ResourceQuota, objects: { group: string; plural: string; items: readonly KubeObject[] }[]): ResourceQuota['status'] | undefined {
  const hard = rq.spec?.hard ?? {};
  let total: Usage = new Map();
  for (const { group, plural, items } of objects) {
    const isPod = !group && plural === 'pods';
    for (const obj of items) if (quotaMatchesObject(rq.spec, isPod, obj)) total = addUsage(total, objectUsage(group, plural, obj));
  }
  const used: Usage = new Map(Object.keys(hard).map((k) => [k, total.get(k) ?? Quantity.fromValue(0)]));
  const status = { hard: { ...hard }, used: fromUsage(used) };
  return JSON.stringify(status) === JSON.stringify({ hard: rq.status?.hard ?? {}, used: rq.status?.used ?? {} }) ? undefined : status;
}

export function addResourceQuotaController(mgr: Manager, opts: ResourceQuotaControllerOptions = {}): Controller {
  const resyncMs = opts.resyncMs ?? 5 * 60_000;
  const quotas = mgr.informers.informerFor<ResourceQuota>(resources.resourcequotas);
  const informers = WATCHED.map((ref) => ({ ref, informer: mgr.informers.informerFor(ref) }));
  const quotasOf = (obj: Readonly<KubeObject>) => quotas.indexer.listNamespace(obj.metadata.namespace ?? '').map((q) => `${q.metadata.namespace}/${q.metadata.name}`);
  // As upstream, a quota's own update wakes the controller only when its spec changed: a status
  // written by the admission plugin must not be recomputed from caches that lack the object being created.
  const specChanged = (o: Readonly<KubeObject>, n: Readonly<KubeObject>) => JSON.stringify(o.spec) !== JSON.stringify(n.spec);
  let b = mgr.controller('resourcequota').for(resources.resourcequotas, { predicate: specChanged });
  for (const ref of WATCHED) b = b.watches(ref, quotasOf);
  // Deletes of other counted resources wake their namespace's quotas once one of them names the
  // resource and it is served (upstream's QuotaMonitor replenishment): usage is released at once,
  // not at the next full recalculation. Creates are charged by admission.
  const replenishing = new Set<string>();
  const replenishFrom = (ref: ResourceRef): void => {
    const key = `${ref.resource}.${ref.group}`;
    if (replenishing.has(key)) return;
    replenishing.add(key);
    mgr.informers.informerFor(ref).addEventHandler(enqueueMapped((k) => controller.enqueue(k), quotasOf));
  };
  const controller = b.complete(async (req) => {
    const rq = quotas.indexer.get(`${req.namespace}/${req.name}`);
    if (!rq) {
      // A deleted quota frees `resourcequotas` in the namespace's other quotas (upstream's replenishment on delete).
      for (const key of quotasOf({ metadata: { namespace: req.namespace } } as KubeObject)) controller.enqueue(key);
      return;
    }
    const ns = rq.metadata.namespace ?? '';
    const objects = informers.map(({ ref, informer }) => ({ group: ref.group, plural: ref.resource, items: informer.indexer.listNamespace(ns).filter((o) => !(ref.resource === 'pods' && o.metadata.deletionTimestamp && o.metadata.deletionGracePeriodSeconds === 0)) }));
    // The quotas themselves, for `resourcequotas` and `count/resourcequotas`.
    objects.push({ group: '', plural: 'resourcequotas', items: quotas.indexer.listNamespace(ns) });
    for (const name of Object.keys(rq.spec?.hard ?? {})) {
      const ref = countRef(name);
      if (!ref) continue;
      try {
        objects.push({ group: ref.group, plural: ref.resource, items: (await mgr.client.listAll(ref, ns)).items });
        replenishFrom(ref);
      } catch (err) {
        if (!isNotFound(err)) throw err; // a resource nobody serves counts zero
      }
    }
    const status = desiredQuotaStatus(rq, objects);
    if (status) {
      try {
        await mgr.client.updateStatus(resources.resourcequotas, ns, { ...rq, status } as ResourceQuota);
      } catch (err) {
        if (isConflict(err)) return { requeue: true };
        if (!isNotFound(err)) throw err;
      }
    }
    return { requeueAfter: resyncMs };
  });
  return controller;
}
