/**
 * Upstream's VolumeAttachment conformance tests (test/e2e/storage/volume_attachment.go), step by
 * step, against an API server alone: the attachments name a node (a Node object registered here,
 * as upstream picks one of the cluster's) and a PV that need not exist; nothing attaches them.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../api/meta.js';
import { isNotFound } from '../client/errors.js';
import { resources } from '../client/resource-ref.js';
import { startClientEnv, type ClientEnv } from '../testing/controller-env.js';

let env: ClientEnv;
before(async () => {
  env = await startClientEnv();
  await env.client.nodes().create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'cf-va-node' } });
});
after(() => env.stop());

const vas = () => env.client.resource(resources.volumeattachments);
const attached = (o: KubeObject) => (o.status as { attached?: boolean } | undefined)?.attached;

/** createVolumeAttachment: attacher e2e-test.storage.k8s.io, on a listed node, for pv-<suffix>, attached false. */
async function createVolumeAttachment(): Promise<string> {
  const id = `e2e-${Math.random().toString(36).slice(2, 7)}`;
  const nodes = (await env.client.nodes().list()).items;
  const nodeName = nodes[Math.floor(Math.random() * nodes.length)]!.metadata.name!;
  const created = await vas().create({
    apiVersion: 'storage.k8s.io/v1', kind: 'VolumeAttachment', metadata: { name: `va-${id}`, uid: `va-${id}` },
    spec: { attacher: 'e2e-test.storage.k8s.io', nodeName, source: { persistentVolumeName: `pv-${id}` } },
    status: { attached: false },
  });
  assert.equal(created.metadata.name, `va-${id}`);
  assert.notEqual(created.metadata.uid, `va-${id}`, 'the server assigns the uid');
  return created.metadata.name!;
}

const absent = async (name: string) => assert.ok(await vas().get(name).then(() => false, (e: unknown) => (isNotFound(e) ? true : Promise.reject(e))), `${name} deleted`);

test('[sig-storage] VolumeAttachment Conformance should run through the lifecycle of a VolumeAttachment [Conformance]', async () => {
  const first = await createVolumeAttachment();
  assert.equal((await vas().get(first)).metadata.name, first);
  const patched = await vas().patch(first, 'merge', { metadata: { labels: { [first]: 'patched' } } });
  assert.equal(patched.metadata.labels?.[first], 'patched');
  assert.equal((await vas().list({ labelSelector: `${first}=patched` })).items.length, 1);
  await vas().delete(first);
  assert.deepEqual((await vas().list({ labelSelector: `${first}=patched` })).items, []);

  const updateLabel = async (name: string) => {
    const cur = await vas().get(name);
    const updated = await vas().update({ ...cur, metadata: { ...cur.metadata, labels: { 'va-e2e': 'updated' } } });
    assert.equal(updated.metadata.labels?.['va-e2e'], 'updated');
  };
  const second = await createVolumeAttachment();
  await updateLabel(second);
  const third = await createVolumeAttachment();
  await updateLabel(third);
  await vas().deleteCollection({ labelSelector: 'va-e2e=updated' });
  assert.deepEqual((await vas().list({ labelSelector: 'va-e2e=updated' })).items, []);
  await absent(second);
  await absent(third);
});

test('[sig-storage] VolumeAttachment Conformance should apply changes to a volumeattachment status [Conformance]', async () => {
  const name = await createVolumeAttachment();
  const patched = await vas().patch(name, 'merge', { metadata: { labels: { [name]: 'patched' } } });
  assert.equal(patched.metadata.labels?.[name], 'patched');
  const status = await env.client.raw<KubeObject>('GET', `/apis/storage.k8s.io/v1/volumeattachments/${name}/status`);
  assert.equal(attached(status), false, 'the status read');
  const statusPatched = await vas().patch(name, 'merge', { status: { attached: true } }, { subresource: 'status' });
  assert.equal(attached(statusPatched), true, 'the status patched');
  const cur = await vas().get(name);
  const updated = await vas().updateStatus({ ...cur, status: { ...(cur.status as object), attached: false } });
  assert.equal(attached(updated), false, 'the status updated');
  await vas().delete(name);
  assert.deepEqual((await vas().list({ labelSelector: `${name}=patched` })).items, []);
});
