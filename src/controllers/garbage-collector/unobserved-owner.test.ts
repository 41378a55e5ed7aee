/**
 * An owner the collector found by a live GET but has not observed through an informer (its custom
 * kind not yet watched: discovery adds it on the next round) must be checked again until it is
 * observed or gone, as upstream requeues an unobserved ("virtual") owner (issue 56121). Otherwise an
 * owner deleted before its informer starts leaves its dependents for ever: the e2e flake in
 * test/e2e/operator-pod.test.ts, where the Widget was created, owned a Deployment and was deleted
 * within the 5 s between two discovery rounds. Here discovery runs once, before the CRD exists, so
 * Widgets are never watched.
 */
import { after, before, test } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { KubeObject } from '../../api/meta.js';
import { isNotFound } from '../../client/errors.js';
import type { KubeClient } from '../../client/kube-client.js';
import type { ResourceRef } from '../../client/resource-ref.js';
import type { Controller } from '../../controller-runtime/controller.js';
import { startControllerEnv, type ControllerEnv } from '../../testing/controller-env.js';
import { eventually } from '../../testing/eventually.js';
import { addGarbageCollector } from './garbage-collector.js';

const NS = `gc-unobserved-${process.pid}`;
const widgets: ResourceRef = { group: 'example.com', version: 'v1', resource: 'widgets', namespaced: true, kind: 'Widget' };
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
  const crd = parse(readFileSync(join(import.meta.dirname, '../../apiserver/crd/testdata/widgets-crd.yaml'), 'utf8')) as KubeObject;
  await client.raw('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd);
  await eventually(async () => (await client.raw<{ items: unknown[] }>('GET', `/apis/example.com/v1/namespaces/${NS}/widgets`)).items, 'the Widget kind served');
});
after(() => env?.stop());

const idle = () => gc.queue.len() === 0 && gc.queue.processingCount() === 0;

test('a dependent of an owner deleted before its kind is watched is collected', async () => {
  const w = await client.create<KubeObject>(widgets, NS, { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'shop' }, spec: { color: 'red' } });
  await eventually(idle, 'the collector idle');
  const before = gc.reconciles;
  await client.configMaps(NS).create({
    apiVersion: 'v1', kind: 'ConfigMap',
    metadata: { name: 'shop', ownerReferences: [{ apiVersion: 'example.com/v1', kind: 'Widget', name: 'shop', uid: w.metadata.uid!, controller: true, blockOwnerDeletion: true }] },
  });
  // The collector has looked at the ConfigMap (its owner then present, found by GET) before the delete.
  await eventually(() => gc.reconciles > before, 'the ConfigMap reconciled');
  await client.delete(widgets, NS, 'shop');
  await eventually(async () => {
    try {
      await client.configMaps(NS).get('shop');
      return false;
    } catch (err) {
      return isNotFound(err);
    }
  }, 'the ConfigMap collected', 30_000);
});
