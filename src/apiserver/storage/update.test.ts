import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ctx, cm, newEnv, pod, Recorder, storage } from './testing/fixtures.js';
import type { GenericStorage } from './generic-storage.js';
import { rejectsStatus } from './testing/assert-status.js';
import { tapStoreWatches } from './testing/test-store.js';
import type { KubeObject } from '../../api/meta.js';

/** A ConfigMap's data (KubeObject leaves kind-specific fields unknown). */
const dataOf = (o: KubeObject): Record<string, string> => o.data as Record<string, string>;

test('update: optimistic concurrency (stale resourceVersion 409, empty unconditional)', async () => {
  const env = await newEnv();
  try {
    const s = storage(env, 'configmaps');
    const a = await s.create(ctx(), 'ns1', cm('a', { k: '1' }));
    const b = await s.update(ctx(), 'ns1', 'a', { ...a, data: { k: '2' } });
    assert.notEqual(b.metadata.resourceVersion, a.metadata.resourceVersion);
    await rejectsStatus(s.update(ctx(), 'ns1', 'a', { ...a, data: { k: '3' } }), 409, 'Conflict', (e) => {
      assert.equal(e.message, 'Operation cannot be fulfilled on configmaps "a": the object has been modified; please apply your changes to the latest version and try again');
    });
    const c = await s.update(ctx(), 'ns1', 'a', { metadata: { name: 'a' }, data: { k: '4' } });
    assert.deepEqual(c.data, { k: '4' });
    assert.equal(dataOf(await s.get(ctx(), 'ns1', 'a')).k, '4');
  } finally {
    await env.close();
  }
});

test('update: system metadata is preserved; name mismatch 400; missing object 404', async () => {
  const env = await newEnv();
  try {
    const s = storage(env, 'configmaps');
    const a = await s.create(ctx(), 'ns1', cm('a'));
    const b = await s.update(ctx(), 'ns1', 'a', {
      metadata: { name: 'a', creationTimestamp: '2000-01-01T00:00:00Z', generation: 7, labels: { x: 'y' } },
      data: {},
    });
    assert.equal(b.metadata.uid, a.metadata.uid, 'omitted uid is carried over');
    assert.equal(b.metadata.creationTimestamp, a.metadata.creationTimestamp);
    assert.equal(b.metadata.generation, undefined);
    assert.deepEqual(b.metadata.labels, { x: 'y' });
    // A PUT's uid is a storage precondition (409, upstream's defaultUpdatedObjectInfo); a patch
    // that changes it is refused by the metadata validation (422).
    await rejectsStatus(s.update(ctx(), 'ns1', 'a', { metadata: { name: 'a', uid: 'forged' } }), 409, 'Conflict', (e) => {
      assert.match(e.message, /Precondition failed: UID in precondition: forged, UID in object meta: /);
    });
    await rejectsStatus(s.patch(ctx(), 'ns1', 'a', { type: 'merge', body: { metadata: { uid: 'forged' } } }), 422, 'Invalid', (e) => {
      assert.equal(e.status.details?.causes?.[0]?.field, 'metadata.uid');
    });
    await rejectsStatus(s.update(ctx(), 'ns1', 'a', { metadata: { name: 'a', deletionTimestamp: '2000-01-01T00:00:00Z' } }), 422, 'Invalid', (e) => {
      assert.equal(e.status.details?.causes?.[0]?.field, 'metadata.deletionTimestamp');
    });
    await rejectsStatus(s.update(ctx(), 'ns1', 'a', { metadata: { name: 'b' } }), 400, 'BadRequest', (e) => {
      assert.equal(e.message, 'the name of the object (b) does not match the name on the URL (a)');
    });
    await rejectsStatus(s.update(ctx(), 'ns1', 'zz', { metadata: { name: 'zz' } }), 404, 'NotFound');
  } finally {
    await env.close();
  }
});

test('update: a no-op write stores nothing and keeps the resourceVersion', async () => {
  const env = await newEnv();
  try {
    const s = storage(env, 'configmaps');
    const a = await s.create(ctx(), 'ns1', cm('a', { k: 'v' }));
    const rev = env.store.currentRevision();
    const b = await s.update(ctx(), 'ns1', 'a', structuredClone(a));
    assert.equal(b.metadata.resourceVersion, a.metadata.resourceVersion);
    assert.equal(env.store.currentRevision(), rev);
    const p = await s.patch(ctx(), 'ns1', 'a', { type: 'merge', body: { data: { k: 'v' } } });
    assert.equal(p.object.metadata.resourceVersion, a.metadata.resourceVersion);
    assert.equal(env.store.currentRevision(), rev);
  } finally {
    await env.close();
  }
});

test('update: status subresource separation and generation bumps only on spec changes', async () => {
  const env = await newEnv();
  try {
    const s = storage(env, 'deployments');
    const d = await s.create(ctx(), 'ns1', { metadata: { name: 'd' }, spec: { replicas: 1 } });
    const st = await s.update(ctx(), 'ns1', 'd', { ...d, spec: { replicas: 9 }, status: { replicas: 1 } }, 'status');
    assert.equal(st.spec.replicas, 1, 'a /status write keeps the stored spec');
    assert.deepEqual(st.status, { replicas: 1 });
    assert.equal(st.metadata.generation, 1);
    const main = await s.update(ctx(), 'ns1', 'd', { ...st, spec: { replicas: 3 }, status: { replicas: 42 } });
    assert.equal(main.spec.replicas, 3);
    assert.deepEqual(main.status, { replicas: 1 }, 'a main write keeps the stored status');
    assert.equal(main.metadata.generation, 2);
    const labels = await s.update(ctx(), 'ns1', 'd', { ...main, metadata: { ...main.metadata, labels: { a: 'b' } } });
    assert.equal(labels.metadata.generation, 2, 'metadata changes do not bump generation');
    await rejectsStatus(s.update(ctx(), 'ns1', 'd', { ...labels, spec: { replicas: -5 } }), 422, 'Invalid');
    await rejectsStatus(storage(env, 'configmaps').update(ctx(), 'ns1', 'x', cm('x'), 'status'), 404, 'NotFound');
  } finally {
    await env.close();
  }
});

test('update: unknown fields per fieldValidation', async () => {
  const env = await newEnv();
  try {
    const s = storage(env, 'configmaps');
    const a = await s.create(ctx(), 'ns1', cm('a'));
    await rejectsStatus(s.update(ctx(), 'ns1', 'a', { ...a, extra: 1 }), 400, 'BadRequest', (e) => {
      // As upstream's PUT handler decodes the body (transformDecodeError).
      assert.equal(e.message, 'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "extra"');
    });
    // A patch's result is reported as upstream's patcher (handlers/patch.go) does: 422 on the field
    // `patch`, valued the patched object's JSON (merge, JSON patch) or the patch as Go prints a map.
    await rejectsStatus(s.patch(ctx(), 'ns1', 'a', { type: 'merge', body: { extra: 1 } }), 422, 'Invalid', (e) => {
      const [cause] = e.status.details?.causes ?? [];
      assert.equal(cause?.field, 'patch');
      assert.match(cause?.message ?? '', /^Invalid value: "\{.*\\"extra\\":1.*\}": strict decoding error: unknown field "extra"$/);
      assert.equal(e.message, ` "" is invalid: patch: ${cause?.message}`);
    });
    await rejectsStatus(s.patch(ctx(), 'ns1', 'a', { type: 'strategic', body: { data: { k: 'v' }, extra: [1, null] } }), 422, 'Invalid', (e) => {
      assert.equal(e.status.details?.causes?.[0]?.message, 'Invalid value: "map[data:map[k:v] extra:[1 <nil>]]": strict decoding error: unknown field "extra"');
    });
    assert.equal((await s.get(ctx(), 'ns1', 'a')).metadata.resourceVersion, a.metadata.resourceVersion, 'nothing written');
    const warn = ctx({ fieldValidation: 'Warn' });
    const b = await s.update(warn, 'ns1', 'a', { ...a, extra: 1, data: { z: '1' } });
    assert.deepEqual(warn.warnings, ['unknown field "extra"']);
    assert.equal(b.extra, undefined);
  } finally {
    await env.close();
  }
});

test('update: PUT creates a missing object only for kinds that allow it', async () => {
  const env = await newEnv();
  try {
    await rejectsStatus(storage(env, 'configmaps').update(ctx(), 'ns1', 'a', cm('a')), 404, 'NotFound');
    const nodesDef = storage(env, 'nodes');
    await rejectsStatus(nodesDef.update(ctx(), undefined, 'n', { metadata: { name: 'n' } }), 404, 'NotFound');
  } finally {
    await env.close();
  }
});

test('patch: merge, json and strategic; 404 when missing; conflicts on a stale resourceVersion in the patch', async () => {
  const env = await newEnv();
  try {
    const s = storage(env, 'pods');
    const p = await s.create(ctx(), 'ns1', pod('p', { spec: { containers: [{ name: 'a', image: 'i1' }, { name: 'b', image: 'i2' }] } }));
    const m = await s.patch(ctx(), 'ns1', 'p', { type: 'merge', body: { metadata: { labels: { x: '1' } } } });
    assert.deepEqual(m.object.metadata.labels, { x: '1' });
    assert.equal(m.created, false);
    const j = await s.patch(ctx(), 'ns1', 'p', { type: 'json', body: [{ op: 'replace', path: '/metadata/labels/x', value: '2' }] });
    assert.deepEqual(j.object.metadata.labels, { x: '2' });
    const sm = await s.patch(ctx(), 'ns1', 'p', { type: 'strategic', body: { spec: { containers: [{ name: 'b', image: 'i3' }] } } });
    assert.deepEqual(sm.object.spec.containers.map((c: { image: string }) => c.image), ['i1', 'i3'], 'containers merge by name');
    await rejectsStatus(s.patch(ctx(), 'ns1', 'nope', { type: 'merge', body: {} }), 404, 'NotFound');
    await rejectsStatus(s.patch(ctx(), 'ns1', 'p', { type: 'merge', body: { metadata: { resourceVersion: p.metadata.resourceVersion } } }), 409, 'Conflict');
    await rejectsStatus(s.patch(ctx(), 'ns1', 'p', { type: 'json', body: [{ op: 'test', path: '/metadata/name', value: 'zz' }] }), 422, 'Invalid');
    await rejectsStatus(s.patch(ctx(), 'ns1', 'p', { type: 'merge', body: { spec: { containers: [{ name: 'a' }] } } }), 422, 'Invalid', (e) => {
      assert.equal(e.status.details?.causes?.[0]?.field, 'spec.containers[0].image');
    });
    await rejectsStatus(s.patch(ctx(), 'ns1', 'p', { type: 'merge', body: { spec: { bogus: true } } }), 422, 'Invalid');
  } finally {
    await env.close();
  }
});

test('patch: concurrent patches all land (internal retry on store conflicts)', async () => {
  const env = await newEnv();
  try {
    const s = storage(env, 'configmaps');
    await s.create(ctx(), 'ns1', cm('a'));
    await Promise.all(Array.from({ length: 20 }, (_, i) => s.patch(ctx(), 'ns1', 'a', { type: 'merge', body: { data: { [`k${i}`]: String(i) } } })));
    const got = await s.get(ctx(), 'ns1', 'a');
    assert.equal(Object.keys(dataOf(got)).length, 20);
  } finally {
    await env.close();
  }
});

test('patch: server-side apply creates, tracks managers, conflicts 409 unless forced', async () => {
  const env = await newEnv();
  try {
    const s = storage(env, 'configmaps');
    const body = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, data: { k: 'v' } };
    const created = await s.patch(ctx({ fieldManager: 'alice' }), 'ns1', 'a', { type: 'apply', body });
    assert.equal(created.created, true);
    assert.deepEqual(created.object.data, { k: 'v' });
    assert.equal(created.object.metadata.managedFields?.[0]?.manager, 'alice');
    assert.equal(created.object.metadata.managedFields?.[0]?.operation, 'Apply');
    const again = await s.patch(ctx({ fieldManager: 'alice' }), 'ns1', 'a', { type: 'apply', body });
    assert.equal(again.created, false);
    assert.equal(again.object.metadata.resourceVersion, created.object.metadata.resourceVersion, 'same apply is a no-op');
    await rejectsStatus(s.patch(ctx({ fieldManager: 'bob' }), 'ns1', 'a', { type: 'apply', body: { ...body, data: { k: 'other' } } }), 409, 'Conflict');
    const forced = await s.patch(ctx({ fieldManager: 'bob' }), 'ns1', 'a', { type: 'apply', body: { ...body, data: { k: 'other' } }, force: true });
    assert.equal(dataOf(forced.object).k, 'other');
    await rejectsStatus(s.patch(ctx({ fieldManager: undefined }), 'ns1', 'a', { type: 'apply', body }), 422, 'Invalid');
    const upd = await s.patch(ctx({ fieldManager: 'kubectl-edit' }), 'ns1', 'a', { type: 'merge', body: { data: { k2: 'x' } } });
    assert.ok(upd.object.metadata.managedFields?.some((m) => m.manager === 'kubectl-edit' && m.operation === 'Update'));
  } finally {
    await env.close();
  }
});

test('update: dryRun computes the result and stores nothing', async () => {
  const env = await newEnv();
  try {
    const s = storage(env, 'configmaps');
    const a = await s.create(ctx(), 'ns1', cm('a', { k: '1' }));
    const rev = env.store.currentRevision();
    const out = await s.update(ctx({ dryRun: true }), 'ns1', 'a', { ...a, data: { k: '2' } });
    assert.equal(dataOf(out).k, '2');
    const p = await s.patch(ctx({ dryRun: true }), 'ns1', 'a', { type: 'merge', body: { data: { k: '3' } } });
    assert.equal(dataOf(p.object).k, '3');
    assert.equal(env.store.currentRevision(), rev);
    assert.equal(dataOf(await s.get(ctx(), 'ns1', 'a')).k, '1');
  } finally {
    await env.close();
  }
});

test('update: writes read the watchers\' shared decoding of the stored object without a copy and leave it as delivered', async () => {
  // As in production (no mutation detector): readOnly hands out the very object the watchers got,
  // so any write into it by the update pipeline would show in the events recorded below.
  const env = await newEnv({ detectMutations: false });
  try {
    const s = storage(env, 'deployments') as GenericStorage;
    const taps = tapStoreWatches(env.store, s.core.prefix);
    const r = new Recorder();
    const w = await s.watch(ctx(), 'ns1', { resourceVersion: String(env.store.currentRevision()) }, r);
    const delivered: string[] = [];
    const settle = async (n: number) => {
      await r.until(() => r.events.length >= n);
      while (delivered.length < r.events.length) delivered.push(JSON.stringify(r.events[delivered.length].object));
    };
    const d = await s.create(ctx(), 'ns1', { metadata: { name: 'd', labels: { a: '1' } }, spec: { replicas: 1, selector: { app: 'd' } } });
    await settle(1);
    // Writers read the watchers' decoding where the store hands reads the KeyValue its watches got
    // (the memory store); SQLite and etcd build a fresh KeyValue per read, so nothing is shared there.
    const kv = (await env.store.get(s.core.key('ns1', 'd')))!;
    const sameKv = kv === taps[0][0].kv;
    assert.equal(s.core.readOnly(kv) === r.events[0].object, sameKv, `the shared decoding itself, not a copy, when the KeyValue is the watched one (${sameKv})`);
    assert.equal(s.core.readOnly(taps[0][0].kv), r.events[0].object, 'the watched KeyValue\'s shared decoding itself, not a copy');
    const writes: (() => Promise<unknown>)[] = [
      () => s.update(ctx(), 'ns1', 'd', { ...d, metadata: { ...d.metadata, resourceVersion: undefined, labels: { a: '2' } }, spec: { replicas: 2, selector: { app: 'd' } } }),
      () => s.update(ctx(), 'ns1', 'd', { metadata: { name: 'd' }, spec: { replicas: 2, selector: { app: 'd' } }, status: { replicas: 5 } }, 'status'),
      () => s.patch(ctx(), 'ns1', 'd', { type: 'merge', body: { status: { replicas: 6, readyReplicas: 1 } } }, 'status'),
      () => s.patch(ctx(), 'ns1', 'd', { type: 'strategic', body: { metadata: { labels: { b: '1' } } } }),
      () => s.patch(ctx(), 'ns1', 'd', { type: 'json', body: [{ op: 'replace', path: '/spec/replicas', value: 3 }] }),
      () => s.update(ctx(), 'ns1', 'd', { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'd' }, spec: { replicas: 4 } }, 'scale'),
      () => s.patch(ctx({ fieldManager: 'm' }), 'ns1', 'd', { type: 'apply', body: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', annotations: { x: 'y' } } }, force: false }),
    ];
    for (const [i, write] of writes.entries()) {
      await write();
      await settle(i + 2);
    }
    await s.patch(ctx(), 'ns1', 'd', { type: 'merge', body: { spec: { replicas: 4 } } }); // a no-op
    await s.delete(ctx(), 'ns1', 'd', {});
    await settle(writes.length + 2);
    assert.deepEqual(r.summary(), ['ADDED d', ...writes.map(() => 'MODIFIED d'), 'DELETED d']);
    assert.deepEqual(r.events.map((e) => JSON.stringify(e.object)), delivered, 'every object as it was delivered');
    w.stop();
  } finally {
    await env.close();
  }
});

test('update: under the mutation detector (tests) the stored object a write reads is a frozen copy', async () => {
  const env = await newEnv();
  try {
    const s = storage(env, 'configmaps') as GenericStorage;
    await s.create(ctx(), 'ns1', cm('a', { k: '1' }));
    const old = s.core.readOnly((await env.store.get(s.core.key('ns1', 'a')))!);
    assert.equal(Object.isFrozen(old.metadata), true);
    assert.throws(() => { (old.data as Record<string, string>).k = '2'; }, TypeError);
  } finally {
    await env.close();
  }
});

test('a pod warns on create only, as upstream (podStrategy.WarningsOnUpdate returns nil: status and binding writes are the hot path)', async () => {
  const env = await newEnv();
  try {
    const s = storage(env, 'pods');
    const created = ctx();
    // A name that is no DNS label and a non-functional seccomp annotation: two create warnings.
    const p = await s.create(created, 'ns1', pod('w.x', { metadata: { name: 'w.x', annotations: { 'seccomp.security.alpha.kubernetes.io/pod': 'runtime/default' } } }));
    assert.equal(created.warnings.length, 2, created.warnings.join('; '));
    assert.ok(created.warnings.some((w) => w.startsWith('metadata.annotations[seccomp.security.alpha.kubernetes.io/pod]')), created.warnings.join('; '));
    const updated = ctx();
    await s.update(updated, 'ns1', 'w.x', { ...p, metadata: { ...p.metadata, labels: { a: 'b' } } });
    assert.deepEqual(updated.warnings, []);
  } finally {
    await env.close();
  }
});
