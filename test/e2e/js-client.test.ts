/**
 * The JavaScript client (@kubernetes/client-node 1.4) against bosun: list, watch, and an informer
 * that sees add, update and delete.
 */
import { strict as assert } from 'node:assert';
import { after, before, describe, test } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { eventually } from '../../src/testing/eventually.js';
import { startTestServer, type TestServer } from '../../src/testing/test-cluster.js';

const NS = 'e2e-js';

describe('@kubernetes/client-node', () => {
  let s: TestServer;
  let kc: k8s.KubeConfig;
  let core: k8s.CoreV1Api;
  before(async () => {
    s = await startTestServer();
    kc = new k8s.KubeConfig();
    kc.loadFromFile(s.kubeconfig);
    core = kc.makeApiClient(k8s.CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: NS } } });
  });
  after(() => s?.stop());

  test('list', async () => {
    const list = await core.listNamespace();
    assert.ok(list.items.some((n) => n.metadata?.name === 'kube-system'));
    assert.ok(list.metadata?.resourceVersion);
  });

  test('watch delivers ADDED for a new object', async () => {
    const watch = new k8s.Watch(kc);
    const seen: string[] = [];
    const req = await watch.watch(`/api/v1/namespaces/${NS}/configmaps`, {}, (type, obj) => seen.push(`${type}:${obj.metadata.name}`), () => undefined);
    try {
      await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'watched' }, data: { a: '1' } } });
      await eventually(() => seen.includes('ADDED:watched'), 'ADDED:watched');
    } finally {
      req.abort();
    }
  });

  test('an informer sees add, update and delete', async () => {
    const informer = k8s.makeInformer(kc, `/api/v1/namespaces/${NS}/configmaps`, () => core.listNamespacedConfigMap({ namespace: NS }));
    const events: string[] = [];
    informer.on('add', (o) => events.push(`add:${o.metadata?.name}`));
    informer.on('update', (o) => events.push(`update:${o.metadata?.name}:${o.data?.a}`));
    informer.on('delete', (o) => events.push(`delete:${o.metadata?.name}`));
    await informer.start();
    try {
      await eventually(() => events.includes('add:watched'), 'the initial list');
      await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'inf' }, data: { a: '1' } } });
      await eventually(() => events.includes('add:inf'), 'add');
      await core.patchNamespacedConfigMap({ namespace: NS, name: 'inf', body: { data: { a: '2' } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
      await eventually(() => events.includes('update:inf:2'), 'update');
      await core.deleteNamespacedConfigMap({ namespace: NS, name: 'inf' });
      await eventually(() => events.includes('delete:inf'), 'delete');
      assert.ok(informer.list().every((o) => o.metadata?.name !== 'inf'));
    } finally {
      await informer.stop();
    }
  });
});
