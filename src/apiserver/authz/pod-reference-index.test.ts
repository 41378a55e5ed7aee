/**
 * The node authorizer's in-memory index against a real pods storage: it learns bindings, counts
 * two pods holding one secret, forgets a deleted pod's references, and follows a pod to the node
 * it is bound to.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/meta.js';
import { KubeClient } from '../../client/kube-client.js';
import { resources } from '../../client/resource-ref.js';
import { eventually } from '../../testing/eventually.js';
import { startTestServer, type TestServer } from '../../testing/test-cluster.js';
import { systemContext, type ApiServer } from '../server.js';
import { PodReferenceIndex } from './pod-reference-index.js';

let ts: TestServer & { server: ApiServer };
before(async () => {
  ts = await startTestServer();
});
after(async () => {
  await ts?.stop();
});

const pod = (name: string, nodeName: string | undefined, secret: string) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' },
  spec: { ...(nodeName ? { nodeName } : {}), containers: [{ name: 'c', image: 'x', envFrom: [{ secretRef: { name: secret } }] }] },
}) as KubeObject;

test('the index follows pods and their bindings', async () => {
  const pods = ts.server.storage('', 'v1', 'pods')!;
  const ctx = systemContext();
  const index = new PodReferenceIndex(() => pods);
  try {
    await pods.create(ctx, 'default', pod('ix-a', 'n1', 'shared'));
    assert.equal(index.has('n1', 'secrets', 'default', 'shared'), false, 'nothing known before the first list');
    await eventually(() => index.has('n1', 'secrets', 'default', 'shared'), 'the first list');
    assert.equal(index.has('n1', 'serviceaccounts', 'default', 'default'), true, 'the default service account (admission set it)');
    assert.equal(index.has('n2', 'secrets', 'default', 'shared'), false);
    assert.equal(index.has('n1', 'secrets', 'other', 'shared'), false, 'namespaces are apart');

    await pods.create(ctx, 'default', pod('ix-b', 'n1', 'shared'));
    await pods.create(ctx, 'default', pod('ix-c', undefined, 'pending-only'));
    await pods.delete(ctx, 'default', 'ix-a', { gracePeriodSeconds: 0 });
    // Events arrive in order: once a later pod is seen, so is the deletion.
    await pods.create(ctx, 'default', pod('ix-sentinel', 'n3', 'sentinel'));
    await eventually(() => index.has('n3', 'secrets', 'default', 'sentinel'), 'the sentinel seen');
    assert.equal(index.has('n1', 'secrets', 'default', 'shared'), true, 'ix-b still holds it');
    assert.equal(index.has('n1', 'secrets', 'default', 'pending-only'), false, 'an unscheduled pod gives nothing');

    // Binding moves the pod's references to its node.
    const admin = KubeClient.fromKubeconfig(ts.kubeconfig);
    await admin.createSubresource(resources.pods, 'default', 'ix-c', 'binding', {
      apiVersion: 'v1', kind: 'Binding', metadata: { name: 'ix-c' }, target: { apiVersion: 'v1', kind: 'Node', name: 'n2' },
    }).finally(() => admin.close());
    await eventually(() => index.has('n2', 'secrets', 'default', 'pending-only'), 'the binding seen');
    await pods.delete(ctx, 'default', 'ix-b', { gracePeriodSeconds: 0 });
    await eventually(() => !index.has('n1', 'secrets', 'default', 'shared'), 'the last holder gone');
  } finally {
    index.stop();
  }
});
