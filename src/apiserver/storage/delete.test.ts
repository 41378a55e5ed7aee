import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ctx, cm, newEnv, pod, storage } from './testing/fixtures.js';
import { rejectsStatus } from './testing/assert-status.js';

test('delete: removes at once without finalizers and returns the object; 404 after', async () => {
  const env = await newEnv();
  try {
    const s = storage(env, 'configmaps');
    await s.create(ctx(), 'ns1', cm('a'));
    const out = await s.delete(ctx(), 'ns1', 'a', { propagationPolicy: 'Background' });
    assert.equal(out.deleted, true);
    assert.equal(out.object.metadata.name, 'a');
    await rejectsStatus(s.get(ctx(), 'ns1', 'a'), 404, 'NotFound');
    await rejectsStatus(s.delete(ctx(), 'ns1', 'a', {}), 404, 'NotFound');
  } finally {
    await env.close();
  }
});

test('delete: uid and resourceVersion preconditions are 409; dryRun keeps the object', async () => {
  const env = await newEnv();
  try {
    const s = storage(env, 'configmaps');
    const a = await s.create(ctx(), 'ns1', cm('a'));
    await rejectsStatus(s.delete(ctx(), 'ns1', 'a', { preconditions: { uid: 'other' } }), 409, 'Conflict', (e) => {
      assert.match(e.message, /the UID in the precondition \(other\) does not match the UID in record/);
    });
    await rejectsStatus(s.delete(ctx(), 'ns1', 'a', { preconditions: { resourceVersion: '1' } }), 409, 'Conflict');
    const dry = await s.delete(ctx({ dryRun: true }), 'ns1', 'a', {});
    assert.equal(dry.deleted, true);
    assert.ok(await s.get(ctx(), 'ns1', 'a'));
    const ok = await s.delete(ctx(), 'ns1', 'a', { preconditions: { uid: a.metadata.uid, resourceVersion: a.metadata.resourceVersion } });
    assert.equal(ok.deleted, true);
  } finally {
    await env.close();
  }
});

test('delete: invalid DeleteOptions are 422', async () => {
  const env = await newEnv();
  try {
    const s = storage(env, 'configmaps');
    await s.create(ctx(), 'ns1', cm('a'));
    await rejectsStatus(s.delete(ctx(), 'ns1', 'a', { propagationPolicy: 'Sideways' as 'Orphan' }), 422, 'Invalid');
    await rejectsStatus(s.delete(ctx(), 'ns1', 'a', { propagationPolicy: 'Orphan', orphanDependents: true }), 422, 'Invalid');
    assert.ok(await s.get(ctx(), 'ns1', 'a'));
  } finally {
    await env.close();
  }
});

test('delete: finalizers keep the object marked; generation bumps once', async () => {
  const env = await newEnv();
  try {
    const s = storage(env, 'deployments');
    await s.create(ctx(), 'ns1', { metadata: { name: 'd', finalizers: ['example.com/x'] }, spec: {} });
    const first = await s.delete(ctx(), 'ns1', 'd', {});
    assert.equal(first.deleted, false);
    assert.ok(first.object.metadata.deletionTimestamp);
    assert.equal(first.object.metadata.deletionGracePeriodSeconds, 0);
    assert.equal(first.object.metadata.generation, 2);
    const rev = env.store.currentRevision();
    const second = await s.delete(ctx(), 'ns1', 'd', {});
    assert.equal(second.deleted, false);
    assert.equal(second.object.metadata.generation, 2);
    assert.equal(env.store.currentRevision(), rev, 'a repeated delete changes nothing');
  } finally {
    await env.close();
  }
});

test('update: removing the last finalizer of an object marked for deletion deletes it; new finalizers are refused', async () => {
  const env = await newEnv();
  try {
    const s = storage(env, 'configmaps');
    await s.create(ctx(), 'ns1', { metadata: { name: 'f', finalizers: ['example.com/a', 'example.com/b'] } });
    const del = await s.delete(ctx(), 'ns1', 'f', {});
    assert.equal(del.deleted, false);
    assert.ok(del.object.metadata.deletionTimestamp);
    await rejectsStatus(s.patch(ctx(), 'ns1', 'f', { type: 'merge', body: { metadata: { finalizers: ['example.com/a', 'example.com/b', 'example.com/c'] } } }), 422, 'Invalid', (e) => {
      assert.equal(e.status.details?.causes?.[0]?.field, 'metadata.finalizers');
    });
    await s.patch(ctx(), 'ns1', 'f', { type: 'merge', body: { metadata: { finalizers: ['example.com/b'] } } });
    assert.ok(await s.get(ctx(), 'ns1', 'f'));
    await s.patch(ctx(), 'ns1', 'f', { type: 'json', body: [{ op: 'remove', path: '/metadata/finalizers' }] });
    await rejectsStatus(s.get(ctx(), 'ns1', 'f'), 404, 'NotFound');
  } finally {
    await env.close();
  }
});

test('delete: propagationPolicy Foreground and Orphan add GC finalizers; Background adds none', async () => {
  const env = await newEnv();
  try {
    const s = storage(env, 'configmaps');
    await s.create(ctx(), 'ns1', cm('fg'));
    const fg = await s.delete(ctx(), 'ns1', 'fg', { propagationPolicy: 'Foreground' });
    assert.equal(fg.deleted, false);
    assert.deepEqual(fg.object.metadata.finalizers, ['foregroundDeletion']);
    assert.ok(fg.object.metadata.deletionTimestamp);
    await s.create(ctx(), 'ns1', cm('or'));
    const or = await s.delete(ctx(), 'ns1', 'or', { propagationPolicy: 'Orphan' });
    assert.deepEqual(or.object.metadata.finalizers, ['orphan']);
    await s.create(ctx(), 'ns1', cm('legacy'));
    const legacy = await s.delete(ctx(), 'ns1', 'legacy', { orphanDependents: true });
    assert.deepEqual(legacy.object.metadata.finalizers, ['orphan']);
    await s.create(ctx(), 'ns1', cm('bg'));
    assert.equal((await s.delete(ctx(), 'ns1', 'bg', { propagationPolicy: 'Background' })).deleted, true);
    // The garbage collector removes its finalizer: the object goes.
    await s.patch(ctx(), 'ns1', 'fg', { type: 'merge', body: { metadata: { finalizers: null } } });
    await rejectsStatus(s.get(ctx(), 'ns1', 'fg'), 404, 'NotFound');
  } finally {
    await env.close();
  }
});

test('delete: a bound pod terminates gracefully until the node agent deletes it with grace 0', async () => {
  const env = await newEnv();
  try {
    const s = storage(env, 'pods');
    await s.create(ctx(), 'ns1', pod('bound', { spec: { containers: [{ name: 'c', image: 'i' }], nodeName: 'n1', terminationGracePeriodSeconds: 20 } }));
    const first = await s.delete(ctx(), 'ns1', 'bound', {});
    assert.equal(first.deleted, false);
    assert.equal(first.object.metadata.deletionGracePeriodSeconds, 20);
    const ts = Date.parse(first.object.metadata.deletionTimestamp!);
    assert.ok(Math.abs(ts - (Date.now() + 20_000)) < 2000, 'deletionTimestamp is now + grace');
    const longer = await s.delete(ctx(), 'ns1', 'bound', { gracePeriodSeconds: 60 });
    assert.equal(longer.object.metadata.deletionGracePeriodSeconds, 20, 'a grace period can only shrink');
    const shorter = await s.delete(ctx(), 'ns1', 'bound', { gracePeriodSeconds: 5 });
    assert.equal(shorter.deleted, false);
    assert.equal(shorter.object.metadata.deletionGracePeriodSeconds, 5);
    // Updates to a terminating pod do not delete it.
    await s.patch(ctx(), 'ns1', 'bound', { type: 'merge', body: { metadata: { labels: { a: 'b' } } } });
    assert.ok(await s.get(ctx(), 'ns1', 'bound'));
    const last = await s.delete(ctx(), 'ns1', 'bound', { gracePeriodSeconds: 0 });
    assert.equal(last.deleted, true);
    await rejectsStatus(s.get(ctx(), 'ns1', 'bound'), 404, 'NotFound');
    await s.create(ctx(), 'ns1', pod('unbound'));
    assert.equal((await s.delete(ctx(), 'ns1', 'unbound', {})).deleted, true);
    await s.create(ctx(), 'ns1', pod('default-grace', { spec: { containers: [{ name: 'c', image: 'i' }], nodeName: 'n1' } }));
    assert.equal((await s.delete(ctx(), 'ns1', 'default-grace', {})).object.metadata.deletionGracePeriodSeconds, 30);
  } finally {
    await env.close();
  }
});

test('deleteCollection: deletes what the selector picks, in one namespace', async () => {
  const env = await newEnv();
  try {
    const s = storage(env, 'configmaps');
    await s.create(ctx(), 'ns1', cm('a', {}, { app: 'x' }));
    await s.create(ctx(), 'ns1', cm('b', {}, { app: 'x' }));
    await s.create(ctx(), 'ns1', cm('c', {}, { app: 'y' }));
    await s.create(ctx(), 'default', cm('d', {}, { app: 'x' }));
    const out = await s.deleteCollection(ctx(), 'ns1', { labelSelector: 'app=x' }, {});
    assert.deepEqual(out.items.map((i) => i.metadata.name), ['a', 'b']);
    assert.deepEqual((await s.list(ctx(), undefined, {})).items.map((i) => i.metadata.name), ['d', 'c']);
  } finally {
    await env.close();
  }
});

test('namespaces: delete marks Terminating; finalize empties spec.finalizers and removes it', async () => {
  const env = await newEnv();
  try {
    const s = storage(env, 'namespaces');
    await s.create(ctx(), undefined, { metadata: { name: 'gone' } });
    const first = await s.delete(ctx(), undefined, 'gone', {});
    assert.equal(first.deleted, false);
    assert.equal(first.object.status.phase, 'Terminating');
    assert.ok(first.object.metadata.deletionTimestamp);
    // Main-resource writes cannot change spec.finalizers.
    const upd = await s.patch(ctx(), undefined, 'gone', { type: 'merge', body: { spec: { finalizers: [] }, status: { phase: 'Active' } } });
    assert.deepEqual(upd.object.spec.finalizers, ['kubernetes']);
    assert.equal(upd.object.status.phase, 'Terminating');
    assert.equal((await s.delete(ctx(), undefined, 'gone', {})).deleted, false, 'kept while spec.finalizers remain');
    const finalize = env.set.action('namespaces', 'finalize')!;
    await finalize.update!(ctx(), undefined, 'gone', { metadata: { name: 'gone' }, spec: { finalizers: [] } });
    await rejectsStatus(s.get(ctx(), undefined, 'gone'), 404, 'NotFound');
    await rejectsStatus(s.delete(ctx(), undefined, 'default', {}), 403, 'Forbidden');
  } finally {
    await env.close();
  }
});

test('namespaces: finalize on a live namespace only changes spec.finalizers', async () => {
  const env = await newEnv();
  try {
    const s = storage(env, 'namespaces');
    await s.create(ctx(), undefined, { metadata: { name: 'live' } });
    const finalize = env.set.action('namespaces', 'finalize')!;
    const out = await finalize.update!(ctx(), undefined, 'live', { metadata: { name: 'live', labels: { no: 'pe' } }, spec: { finalizers: [] }, status: { phase: 'X' } });
    assert.deepEqual(out.spec.finalizers, []);
    assert.equal(out.status.phase, 'Active');
    assert.equal(out.metadata.labels, undefined);
    // Now a delete marks it; a second delete removes it since nothing holds it.
    assert.equal((await s.delete(ctx(), undefined, 'live', {})).deleted, false);
    assert.equal((await s.delete(ctx(), undefined, 'live', {})).deleted, true);
  } finally {
    await env.close();
  }
});
