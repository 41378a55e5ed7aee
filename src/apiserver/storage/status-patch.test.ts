/**
 * A /status merge patch is applied copy on write to the request's own copy of the stored object
 * (patch-adapter's `owned`): the result shares the subtrees the patch leaves alone. What it
 * stores and answers must be exactly what a patch of a deep copy gives, and the objects the
 * watchers got must stay as they were (frozen under the cache mutation detector, on in tests).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { registry } from '../../api/registry.js';
import type { KubeObject } from '../../api/meta.js';
import { MAX_JSON_DEPTH } from '../../api/json-depth.js';
import { MemoryStore } from '../../store/memory.js';
import { applyMergePatch } from '../patch/merge-patch.js';
import type { JsonObject } from '../patch/json-value.js';
import { pods } from '../../api/kinds/core/pod.js';
import { objectKey } from './keys.js';
import { createStorages } from './storage-set.js';
import { ctx, Recorder } from './testing/fixtures.js';
import { rejectsStatus } from './testing/assert-status.js';

async function env() {
  const store = new MemoryStore();
  const set = createStorages(store, registry);
  await set.get('', 'v1', 'namespaces')!.create(ctx(), undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'app' } });
  return { store, pods: set.get('', 'v1', 'pods')!, close: () => store.close() };
}

const kubelet = () => ({ ...ctx(), fieldManager: 'kubelet' });
const strip = (o: KubeObject) => {
  const c = structuredClone(o);
  delete c.metadata.resourceVersion;
  delete c.metadata.managedFields;
  return c;
};

test('status merge patches: results as a patch of a deep copy, the watchers\' objects untouched', async () => {
  const e = await env();
  try {
    const rec = new Recorder();
    await e.pods.watch(ctx(), 'app', {} as never, rec);
    const make = (name: string) => e.pods.create({ ...ctx(), fieldManager: 'job-controller' }, 'app', {
      apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: 'w' }, finalizers: ['batch.kubernetes.io/job-tracking'] },
      spec: { containers: [{ name: 'work', image: 'busybox:1.36' }], restartPolicy: 'Never' },
    });
    const p = await make('w-1');
    // The reference: the same changes as PUTs of a patched deep copy (no copy on write there).
    let ref = await make('w-2');
    const patches = [
      { metadata: { uid: p.metadata.uid }, status: { phase: 'Running', podIP: '10.0.0.7', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z' }], containerStatuses: [{ name: 'work', image: 'busybox:1.36', imageID: '', ready: true, restartCount: 0, state: { running: { startedAt: '2026-01-01T00:00:00Z' } } }] } },
      { metadata: { uid: p.metadata.uid }, status: { phase: 'Succeeded', conditions: [{ type: 'Ready', status: 'False', reason: 'PodCompleted', lastTransitionTime: '2026-01-01T00:00:05Z' }], containerStatuses: [{ name: 'work', image: 'busybox:1.36', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: '2026-01-01T00:00:00Z', finishedAt: '2026-01-01T00:00:05Z' } } }] } },
    ];
    let prev: KubeObject = p;
    for (const body of patches) {
      const seen = rec.events.map((ev) => structuredClone(ev.object));
      const { object } = await e.pods.patch(kubelet(), 'app', 'w-1', { type: 'merge', body }, 'status');
      ref = await e.pods.update(kubelet(), 'app', 'w-2', applyMergePatch(structuredClone(ref) as unknown as JsonObject, { ...body, metadata: {} }) as unknown as KubeObject, 'status');
      assert.deepEqual(strip(object), { ...strip(ref), metadata: { ...strip(ref).metadata, name: 'w-1', uid: p.metadata.uid, creationTimestamp: p.metadata.creationTimestamp } }, 'as a PUT of a patched deep copy');
      assert.deepEqual(object.metadata.managedFields?.map((m) => m.fieldsV1), ref.metadata.managedFields?.map((m) => m.fieldsV1), 'the same managed fields');
      assert.deepEqual(await e.pods.get(ctx(), 'app', 'w-1'), object, 'stored as answered');
      assert.deepEqual(rec.events.slice(0, seen.length).map((ev) => ev.object), seen, 'earlier events unchanged');
      const entry = object.metadata.managedFields?.find((m) => m.manager === 'kubelet');
      assert.equal(entry?.subresource, 'status');
      assert.ok('f:phase' in ((entry?.fieldsV1 as Record<string, Record<string, unknown>>)['f:status'] ?? {}));
      prev = object;
    }
    assert.equal(prev.status.containerStatuses[0].state.running, undefined);
    // Writing the answer (the client's own object) leaves the stored one alone.
    prev.spec.containers[0].image = 'changed';
    prev.metadata.labels!.app = 'changed';
    const again = await e.pods.get(ctx(), 'app', 'w-1');
    assert.equal(again.spec.containers[0].image, 'busybox:1.36');
    assert.equal(again.metadata.labels!.app, 'w');
  } finally {
    await e.close();
  }
});

test('patch depth: a JSON patch nesting past MAX_JSON_DEPTH is 400; merge patches nest no deeper than their body', async () => {
  const e = await env();
  try {
    await e.pods.create(ctx(), 'app', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'd-1' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
    let deep: unknown = 'x';
    for (let i = 0; i < MAX_JSON_DEPTH - 2; i++) deep = { a: deep };
    // The body nests MAX_JSON_DEPTH deep (an array, an op, the value): the result, 4 levels more.
    const ops = [{ op: 'add', path: '/metadata/annotations', value: {} }, { op: 'add', path: '/metadata/annotations/deep', value: deep }];
    await rejectsStatus(e.pods.patch(ctx(), 'app', 'd-1', { type: 'json', body: ops }), 400, 'BadRequest', (err) => {
      assert.match(err.message, /exceeded max depth of 1000/);
    });
  } finally {
    await e.close();
  }
});

test('unknown fields in a /status patch: what the patch wrote is checked, the stored spec it shares is not walked again', async () => {
  const e = await env();
  try {
    const p = await e.pods.create(ctx(), 'app', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'u-1' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
    const body = { bogusTop: 1, status: { phase: 'Running', bogus: 2 } };
    await rejectsStatus(e.pods.patch(ctx(), 'app', 'u-1', { type: 'merge', body }, 'status'), 422, 'Invalid', (err) => {
      assert.match(err.message, /strict decoding error: unknown field "status.bogus", unknown field "bogusTop"/);
    });
    const warn = ctx({ fieldValidation: 'Warn' });
    const { object } = await e.pods.patch(warn, 'app', 'u-1', { type: 'merge', body }, 'status');
    assert.deepEqual(warn.warnings, ['unknown field "status.bogus"', 'unknown field "bogusTop"']);
    assert.equal(object.bogusTop, undefined);
    assert.equal(object.status.bogus, undefined);
    assert.equal((await e.pods.get(ctx(), 'app', 'u-1')).status.bogus, undefined);
    // A stored spec is known clean (unknown fields are dropped before anything is stored): one
    // planted behind the server's back is not found by a /status write, which shares the spec,
    // and is by a main-resource write, which copies it.
    const key = objectKey(pods, 'app', 'u-1');
    const kv = (await e.store.get(key))!;
    const planted = JSON.parse(kv.value) as KubeObject;
    planted.spec.containers[0].planted = true;
    await e.store.update(key, JSON.stringify(planted), kv.modRevision);
    await e.pods.patch(ctx(), 'app', 'u-1', { type: 'merge', body: { status: { phase: 'Succeeded' } } }, 'status');
    await rejectsStatus(e.pods.patch(ctx(), 'app', 'u-1', { type: 'merge', body: { metadata: { labels: { a: 'b' } } } }), 422, 'Invalid', (err) => {
      assert.match(err.message, /unknown field "spec.containers\[0\].planted"/);
    });
    assert.equal(p.metadata.name, 'u-1');
  } finally {
    await e.close();
  }
});
