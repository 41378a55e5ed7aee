/**
 * Custom resources (a CRD created while the controllers run) are collected like built-in kinds: the
 * garbage collector finds them through discovery and follows ownerReferences to and from custom
 * objects; the namespace controller deletes them with their namespace.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject, OwnerReference } from '../../api/meta.js';
import type { KubeClient } from '../../client/kube-client.js';
import { startControllerEnv, type ControllerEnv } from '../../testing/controller-env.js';
import { eventually } from '../../testing/eventually.js';
import { addNamespaceController } from '../namespace/namespace-controller.js';
import { addGarbageCollector } from './garbage-collector.js';
import { createTestCrd, gadgets, gone, widgets } from '../../testing/example-crds.js';
import { apiserverRegistry } from '../../apiserver/prometheus/apiserver-metrics.js';

const NS = `gc-crd-${process.pid}`;
let env: ControllerEnv;
let client: KubeClient;
let gc: ReturnType<typeof addGarbageCollector>;

before(async () => {
  env = await startControllerEnv({
    namespace: NS,
    add: (mgr) => {
      gc = addGarbageCollector(mgr, { discoveryIntervalMs: 200 });
      addNamespaceController(mgr, { recheckMs: 200 });
    },
  });
  ({ client } = env);
  await createTestCrd(client, widgets, NS);
});
after(() => env?.stop());

const ref = (o: KubeObject): OwnerReference => ({ apiVersion: o.apiVersion!, kind: o.kind!, name: o.metadata.name!, uid: o.metadata.uid! });
const widget = (name: string, ns = NS, owner?: KubeObject) => client.create<KubeObject>(widgets, ns, {
  apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name, ...(owner ? { ownerReferences: [ref(owner)] } : {}) }, spec: { color: 'red' },
});

test('a ConfigMap owned by a custom object goes with it', async () => {
  const owner = { ...(await widget('owner')), apiVersion: 'example.com/v1', kind: 'Widget' };
  await client.configMaps(NS).create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dependent', ownerReferences: [ref(owner)] } });
  await client.delete(widgets, NS, 'owner');
  await eventually(() => gone(client.configMaps(NS).get('dependent')), 'the ConfigMap collected');
});

test('a custom object owned by a ConfigMap goes with it', async () => {
  const owner = { ...(await client.configMaps(NS).create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'owner' } })), apiVersion: 'v1', kind: 'ConfigMap' };
  await widget('dependent', NS, owner);
  await client.configMaps(NS).delete('owner');
  await eventually(() => gone(client.get(widgets, NS, 'dependent')), 'the Widget collected');
});

test('deleting a namespace deletes its custom objects', async () => {
  const ns = `${NS}-doomed`;
  await client.namespaces().create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  await widget('w', ns);
  await client.namespaces().delete(ns);
  await eventually(() => gone(client.namespaces().get(ns)), 'the namespace gone');
  assert.equal(await gone(client.get(widgets, ns, 'w')), true);
});

// A second CRD in the group-version the collector already watches (example.com/v1): its kind joins
// the graph on the next discovery round, and foreground and orphan deletion of its objects work as
// for any kind. Then the CRD goes: its objects are deleted with it and, the collector having seen them
// go, their dependents are collected although the kind no longer resolves (upstream's
// absentOwnerCache), rather than waiting for ever on an owner nobody can look up.
test('a second kind in a watched group-version: foreground, orphan, then its CRD deleted', async () => {
  await createTestCrd(client, gadgets, NS);
  const gadget = async (name: string) => ({ ...(await client.create<KubeObject>(gadgets, NS, { apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { name } })), apiVersion: 'example.com/v1', kind: 'Gadget' });
  const dependent = (name: string, owner: KubeObject) => client.configMaps(NS).create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ownerReferences: [{ ...ref(owner), blockOwnerDeletion: true }] } });

  await dependent('fg-dependent', await gadget('fg'));
  await client.delete(gadgets, NS, 'fg', { propagationPolicy: 'Foreground' });
  await eventually(() => gone(client.get(gadgets, NS, 'fg')), 'the foreground-deleted Gadget gone');
  assert.equal(await gone(client.configMaps(NS).get('fg-dependent')), true, 'its dependent went first');

  await dependent('orphan-dependent', await gadget('orphan'));
  await client.delete(gadgets, NS, 'orphan', { propagationPolicy: 'Orphan' });
  await eventually(() => gone(client.get(gadgets, NS, 'orphan')), 'the orphaning Gadget gone');
  assert.equal((await client.configMaps(NS).get('orphan-dependent')).metadata.ownerReferences, undefined, 'its dependent kept, unowned');

  const owner = await gadget('doomed');
  // Observed by the collector before the CRD goes (its deletion is what tells the collector it is gone).
  await dependent('doomed-dependent', owner);
  await eventually(async () => (await client.configMaps(NS).get('doomed-dependent')).metadata.ownerReferences, 'the dependent created');
  await client.raw('DELETE', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gadgets.example.com');
  await eventually(() => gone(client.raw('GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gadgets.example.com')), 'the CRD gone');
  await eventually(() => gone(client.configMaps(NS).get('doomed-dependent')), 'the dependent of a Gadget deleted with its CRD collected');
});

/** The in-process server's metric `name` summed over the series with `labels`. */
const metric = async (name: string, labels: Record<string, string | number>): Promise<number> =>
  ((await apiserverRegistry.getSingleMetric(name)?.get())?.values ?? [])
    .filter((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((a, s) => a + s.value, 0);

// As upstream's resyncMonitors on each Sync: the monitor of a resource no longer served stops (its
// informer and watch, which before kept listing a 404 for ever), and a resource served again with
// other details (v2, cluster-scoped) gets a new monitor: the stale one (v1) never saw its objects,
// so a foreground-deleted Gadget kept its finalizer for ever. Follows the test above (CRD deleted).
test('a deleted CRD\'s monitor stops; recreated at v2 cluster-scoped, its kind is collected through a new monitor', async () => {
  const v1 = { group: 'example.com', version: 'v1', resource: 'gadgets' };
  const v2 = { ...v1, version: 'v2' };
  await eventually(() => !gc.monitoredResources().some((r) => r.resource === 'gadgets'), 'the Gadget monitor stopped');
  const listsOfV1 = await metric('apiserver_request_total', { ...v1, verb: 'LIST' });
  await client.raw('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'gadgets.example.com' },
    spec: {
      group: 'example.com', scope: 'Cluster', names: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget' },
      versions: [{ name: 'v2', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
    },
  });
  await eventually(async () => await metric('apiserver_longrunning_requests', { ...v2, verb: 'WATCH' }) === 1, 'the collector watching Gadgets at v2');
  const clusterGadgets = { ...gadgets, version: 'v2', namespaced: false };
  const owner = await client.create<KubeObject>(clusterGadgets, undefined, { apiVersion: 'example.com/v2', kind: 'Gadget', metadata: { name: `fg-${process.pid}` } });
  const ownerRef = { apiVersion: 'example.com/v2', kind: 'Gadget', name: owner.metadata.name!, uid: owner.metadata.uid!, blockOwnerDeletion: true };
  await client.configMaps(NS).create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'v2-dependent', ownerReferences: [ownerRef] } });
  await client.delete(clusterGadgets, undefined, owner.metadata.name!, { propagationPolicy: 'Foreground' });
  await eventually(() => gone(client.get(clusterGadgets, undefined, owner.metadata.name!)), 'the foreground-deleted v2 Gadget gone');
  assert.equal(await gone(client.configMaps(NS).get('v2-dependent')), true, 'its dependent went first');
  assert.equal(await metric('apiserver_longrunning_requests', { ...v1, verb: 'WATCH' }), 0, 'no watch of v1 open');
  assert.equal(await metric('apiserver_request_total', { ...v1, verb: 'LIST' }), listsOfV1, 'no list of v1 since its monitor stopped');
});
