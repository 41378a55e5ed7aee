/**
 * Custom resources (a CRD created while the controllers run) are collected like built-in kinds: the
 * garbage collector finds them through discovery and follows ownerReferences to and from custom
 * objects; the namespace controller deletes them with their namespace.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { KubeObject } from '../../api/meta.js';
import { isNotFound } from '../../client/errors.js';
import type { KubeClient } from '../../client/kube-client.js';
import type { ResourceRef } from '../../client/resource-ref.js';
import { startControllerEnv, type ControllerEnv } from '../../testing/controller-env.js';
import { eventually } from '../../testing/eventually.js';
import { addNamespaceController } from '../namespace/namespace-controller.js';
import { addGarbageCollector } from './garbage-collector.js';

const NS = `gc-crd-${process.pid}`;
const widgets: ResourceRef = { group: 'example.com', version: 'v1', resource: 'widgets', namespaced: true, kind: 'Widget' };
let env: ControllerEnv;
let client: KubeClient;

before(async () => {
  env = await startControllerEnv({
    namespace: NS,
    add: (mgr) => {
      addGarbageCollector(mgr, { discoveryIntervalMs: 200 });
      addNamespaceController(mgr, { recheckMs: 200 });
    },
  });
  ({ client } = env);
  const crd = parse(readFileSync(join(import.meta.dirname, '../../apiserver/crd/testdata/widgets-crd.yaml'), 'utf8')) as KubeObject;
  await client.raw('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd);
  await eventually(async () => (await client.raw<{ items: unknown[] }>('GET', `/apis/example.com/v1/namespaces/${NS}/widgets`)).items, 'the Widget kind served');
});
after(() => env?.stop());

const ref = (o: KubeObject) => ({ apiVersion: o.apiVersion!, kind: o.kind!, name: o.metadata.name!, uid: o.metadata.uid! });
const widget = (name: string, ns = NS, owner?: KubeObject) => client.create<KubeObject>(widgets, ns, {
  apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name, ...(owner ? { ownerReferences: [ref(owner)] } : {}) }, spec: { color: 'red' },
});
const gone = async (p: Promise<unknown>) => {
  try {
    await p;
    return false;
  } catch (err) {
    return isNotFound(err);
  }
};

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
