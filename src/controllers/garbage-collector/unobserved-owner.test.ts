/**
 * An owner the collector found by a live GET but has not observed through an informer (its custom
 * kind not yet watched: discovery adds it on the next round) must be checked again until it is
 * observed or gone, as upstream requeues an unobserved ("virtual") owner (issue 56121). Otherwise an
 * owner deleted before its informer starts leaves its dependents for ever: the e2e flake in
 * test/e2e/operator-pod.test.ts, where the Widget was created, owned a Deployment and was deleted
 * within the 5 s between two discovery rounds. Here discovery runs once, before the CRDs exist, so
 * Widgets and Gadgets are never watched: every owner is looked up through the client's kind resolver.
 */
import { after, before, test } from 'node:test';
import type { KubeObject, OwnerReference } from '../../api/meta.js';
import type { KubeClient } from '../../client/kube-client.js';
import type { ResourceRef } from '../../client/resource-ref.js';
import type { Controller } from '../../controller-runtime/controller.js';
import { startControllerEnv, type ControllerEnv } from '../../testing/controller-env.js';
import { eventually } from '../../testing/eventually.js';
import { addGarbageCollector } from './garbage-collector.js';
import { createTestCrd, gadgets, gone, widgets } from '../../testing/example-crds.js';

const NS = `gc-unobserved-${process.pid}`;
let env: ControllerEnv;
let client: KubeClient;
let gc: Controller;

before(async () => {
  env = await startControllerEnv({
    namespace: NS,
    // One discovery round at start (no CRD yet), the next long after the test.
    add: (mgr) => { gc = addGarbageCollector(mgr, { discoveryIntervalMs: 3_600_000 }); },
  });
  ({ client } = env);
  await createTestCrd(client, widgets, NS);
});
after(() => env?.stop());

const idle = () => gc.queue.len() === 0 && gc.queue.processingCount() === 0;

/**
 * Create a `ref` object and a ConfigMap it owns; resolves once the collector has looked at the
 * ConfigMap (its owner then present, found by GET), so a delete after it tests the second look.
 */
async function ownedConfigMap(ref: ResourceRef, name: string): Promise<OwnerReference> {
  const apiVersion = `${ref.group}/${ref.version}`;
  const o = await client.create<KubeObject>(ref, NS, { apiVersion, kind: ref.kind, metadata: { name }, spec: { color: 'red' } });
  await eventually(idle, 'the collector idle');
  const before = gc.reconciles;
  const owner = { apiVersion, kind: ref.kind!, name, uid: o.metadata.uid!, controller: true, blockOwnerDeletion: true };
  await client.configMaps(NS).create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ownerReferences: [owner] } });
  await eventually(() => gc.reconciles > before, 'the ConfigMap reconciled');
  return owner;
}

test('a dependent of an owner deleted before its kind is watched is collected', async () => {
  await ownedConfigMap(widgets, 'shop');
  await client.delete(widgets, NS, 'shop');
  await eventually(() => gone(client.configMaps(NS).get('shop')), 'the ConfigMap collected', 30_000);
});

// The kind resolver cached example.com/v1's discovery while it served Widgets only; a Gadget, from a
// CRD in the same group-version created afterwards, was then unresolvable for the client's life, so
// its dependents stayed for ever. A miss now refetches the group-version (at most once a second).
test('an owner of a kind added later to a group-version the collector already resolved is verified', async () => {
  await env.mgr.client.resolve('example.com/v1', 'Widget');
  await createTestCrd(client, gadgets, NS);
  await ownedConfigMap(gadgets, 'background');
  await client.delete(gadgets, NS, 'background');
  await eventually(() => gone(client.configMaps(NS).get('background')), 'the ConfigMap of a deleted Gadget collected');
  // Foreground: the owner stays (deletionTimestamp, foregroundDeletion finalizer) and is seen waiting
  // for its dependents, which the collector then deletes. (Its finalizer would go once the collector
  // observes Gadgets, which it never does here.)
  await ownedConfigMap(gadgets, 'foreground');
  await client.delete(gadgets, NS, 'foreground', { propagationPolicy: 'Foreground' });
  await eventually(() => gone(client.configMaps(NS).get('foreground')), 'the ConfigMap of a foreground-deleting Gadget collected');
});
