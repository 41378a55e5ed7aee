/**
 * The resource quota controller (upstream pkg/controller/resourcequota): every ResourceQuota's
 * status.hard is its spec.hard and status.used the namespace's observed usage of those resources,
 * recomputed when the quota or an object it counts changes (pods, services, configmaps, secrets,
 * claims from informers; other `count/<resource>.<group>` names by a list) and every
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
import type { Manager } from '../../controller-runtime/manager.js';

export interface ResourceQuotaControllerOptions {
  /** Full recalculation period (default 5 min, as kube-controller-manager). */
  resyncMs?: number;
}

const WATCHED: ResourceRef[] = [resources.pods, resources.services, resources.configmaps, resources.secrets, resources.persistentvolumeclaims];

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
  return b.complete(async (req) => {
    const rq = quotas.indexer.get(`${req.namespace}/${req.name}`);
    if (!rq) return;
    const ns = rq.metadata.namespace ?? '';
    const objects = informers.map(({ ref, informer }) => ({ group: ref.group, plural: ref.resource, items: informer.indexer.listNamespace(ns).filter((o) => !(ref.resource === 'pods' && o.metadata.deletionTimestamp && o.metadata.deletionGracePeriodSeconds === 0)) }));
    for (const name of Object.keys(rq.spec?.hard ?? {})) {
      const ref = countRef(name);
      if (!ref) continue;
      try {
        objects.push({ group: ref.group, plural: ref.resource, items: (await mgr.client.listAll(ref, ns)).items });
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
}
