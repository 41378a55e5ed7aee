/**
 * The namespace controller (upstream pkg/controller/namespace): when a namespace is deleted the API
 * server marks it Terminating and keeps it while spec.finalizers holds `kubernetes`. This
 * controller then deletes every namespaced object in it (a deletecollection per resource), lists
 * what is left, reports that in the upstream status conditions, and checks again after
 * `recheckMs` until nothing is left. Then it removes `kubernetes` through namespaces/<name>/finalize,
 * and the API server deletes the namespace.
 */
import type { Namespace } from '../../api/kinds/index.js';
import type { KubeObject } from '../../api/meta.js';
import { registry } from '../../api/registry.js';
import { isConflict, isNotFound } from '../../client/errors.js';
import { discoverCustomResources } from '../../client/discovery.js';
import type { KubeClient } from '../../client/kube-client.js';
import { resources, type ResourceRef } from '../../client/resource-ref.js';
import type { Controller } from '../../controller-runtime/controller.js';
import type { Manager } from '../../controller-runtime/manager.js';
import type { Result } from '../../controller-runtime/reconcile.js';
import { mergeConditions, namespaceConditions, type PassResult } from './conditions.js';
import { copyOf } from '../../controller-runtime/informer/indexer.js';

export const NAMESPACE_FINALIZER = 'kubernetes';

export interface NamespaceControllerOptions {
  /** How often a terminating namespace with content left is checked again. Default 1000 ms. */
  recheckMs?: number;
  /** Concurrent namespaces (upstream --concurrent-namespace-syncs, 10). Default 2. */
  workers?: number;
}

/** Namespaced resources that can be emptied: list and deletecollection. */
function namespacedResources(): ResourceRef[] {
  return registry.all()
    .filter((d) => d.namespaced && d.verbs.includes('list') && d.verbs.includes('deletecollection'))
    .map((d) => ({ group: d.group, version: d.version, resource: d.plural, namespaced: true, kind: d.kind }));
}

/** Declare the namespace controller on `mgr`; it runs when the manager starts. */
export function addNamespaceController(mgr: Manager, opts: NamespaceControllerOptions = {}): Controller {
  const informer = mgr.informers.informerFor<Namespace>(resources.namespaces);
  const recheckMs = opts.recheckMs ?? 1000;
  const client = mgr.client;
  const clock = mgr.controllerDefaults.clock ?? { now: () => Date.now() };
  return mgr.controller('namespace')
    .for(resources.namespaces)
    .withOptions({ workers: opts.workers ?? 2 })
    .complete(async (req): Promise<Result | void> => {
      const ns = informer.indexer.get(req.name);
      if (!ns?.metadata.deletionTimestamp) return;
      if (!(ns.spec?.finalizers ?? []).includes(NAMESPACE_FINALIZER)) return;
      const pass = await deleteContent(client, req.name);
      await reportConditions(client, ns, pass, new Date(clock.now()));
      if (pass.remaining.size > 0 || pass.failures.size > 0) return { requeueAfter: recheckMs };
      await finalize(client, ns);
    });
}

/** Delete everything in the namespace, then count what is left (terminating pods, finalizers). */
async function deleteContent(client: KubeClient, namespace: string): Promise<PassResult> {
  const pass: PassResult = { remaining: new Map(), finalizers: new Map(), failures: new Map() };
  // Custom resources (CRDs) too, found through discovery on each pass.
  const custom = (await discoverCustomResources(client, ['list', 'deletecollection'])).filter((r) => r.namespaced);
  await Promise.all([...namespacedResources(), ...custom].map(async (ref) => {
    const gr = ref.group ? `${ref.resource}.${ref.group}` : ref.resource;
    try {
      await client.deleteCollection(ref, namespace);
      const left = await client.listAll<KubeObject>(ref, namespace);
      if (left.items.length > 0) pass.remaining.set(gr, left.items.length);
      for (const o of left.items) for (const f of o.metadata.finalizers ?? []) pass.finalizers.set(f, (pass.finalizers.get(f) ?? 0) + 1);
    } catch (err) {
      pass.failures.set(gr, `${gr}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }));
  return pass;
}

async function reportConditions(client: KubeClient, ns: Readonly<Namespace>, pass: PassResult, now: Date): Promise<void> {
  const conditions = mergeConditions(ns.status?.conditions ?? [], namespaceConditions(pass), now.toISOString().replace(/\.\d{3}Z$/, 'Z'));
  if (!conditions) return;
  const next = copyOf(ns);
  next.status = { ...(next.status ?? {}), conditions };
  try {
    await client.updateStatus(resources.namespaces, undefined, next);
  } catch (err) {
    // A stale cache or a namespace that just left: the next pass reports again.
    if (!isConflict(err) && !isNotFound(err)) throw err;
  }
}

/** PUT namespaces/<name>/finalize without `kubernetes`; the server removes the namespace when none are left. */
async function finalize(client: KubeClient, ns: Readonly<Namespace>): Promise<void> {
  const body = copyOf(ns);
  body.spec = { ...(body.spec ?? {}), finalizers: (ns.spec?.finalizers ?? []).filter((f) => f !== NAMESPACE_FINALIZER) };
  try {
    await client.updateSubresource(resources.namespaces, undefined, ns.metadata.name!, 'finalize', body);
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}
