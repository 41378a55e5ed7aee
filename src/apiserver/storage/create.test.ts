import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ctx, cm, newEnv, pod, storage } from './testing/fixtures.js';
import { rejectsStatus } from './testing/assert-status.js';

test('create fills uid, creationTimestamp, resourceVersion, kind and namespace', async () => {
  const env = await newEnv();
  try {
    const out = await storage(env, 'configmaps').create(ctx(), 'ns1', { metadata: { name: 'a' }, data: { k: 'v' } });
    assert.match(out.metadata.uid!, /^[0-9a-f-]{36}$/);
    assert.match(out.metadata.creationTimestamp!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(out.metadata.namespace, 'ns1');
    assert.equal(out.kind, 'ConfigMap');
    assert.equal(out.apiVersion, 'v1');
    assert.equal(out.metadata.generation, undefined);
    assert.equal(out.metadata.resourceVersion, String(env.store.currentRevision()));
    const got = await storage(env, 'configmaps').get(ctx(), 'ns1', 'a');
    assert.deepEqual(got, out);
    const raw = await env.store.get('/registry/core/configmaps/ns1/a');
    assert.equal(JSON.parse(raw!.value).metadata.resourceVersion, undefined, 'resourceVersion is not stored');
  } finally {
    await env.close();
  }
});

test('create: generateName appends five characters; generation 1 for kinds that track it', async () => {
  const env = await newEnv();
  try {
    const a = await storage(env, 'configmaps').create(ctx(), 'ns1', { metadata: { generateName: 'web-' } });
    assert.match(a.metadata.name!, /^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    const long = 'x'.repeat(70);
    const b = await storage(env, 'configmaps').create(ctx(), 'ns1', { metadata: { generateName: long } });
    assert.equal(b.metadata.name!.length, 63);
    const d = await storage(env, 'deployments').create(ctx(), 'ns1', { metadata: { name: 'd' }, spec: {} });
    assert.equal(d.metadata.generation, 1);
    assert.equal(d.spec.replicas, 1, 'defaults applied');
  } finally {
    await env.close();
  }
});

test('create: name or generateName required (422 on metadata.name)', async () => {
  const env = await newEnv();
  try {
    await rejectsStatus(storage(env, 'configmaps').create(ctx(), 'ns1', { metadata: {} }), 422, 'Invalid', (e) => {
      assert.equal(e.status.details?.causes?.[0]?.field, 'metadata.name');
    });
  } finally {
    await env.close();
  }
});

test('create: validation errors are 422 naming every field, and nothing is stored', async () => {
  const env = await newEnv();
  try {
    const rev = env.store.currentRevision();
    await rejectsStatus(storage(env, 'pods').create(ctx(), 'ns1', { metadata: { name: 'Bad_Name' }, spec: { containers: [{ name: 'c' }] } }), 422, 'Invalid', (e) => {
      assert.deepEqual(e.status.details?.causes?.map((c) => c.field), ['metadata.name', 'spec.containers[0].image']);
      assert.match(e.message, /^Pod "Bad_Name" is invalid: metadata.name: /);
      assert.equal(e.status.details?.kind, 'Pod');
    });
    await rejectsStatus(storage(env, 'deployments').create(ctx(), 'ns1', { metadata: { name: 'd' }, spec: { replicas: -1 } }), 422, 'Invalid', (e) => {
      assert.match(e.message, /^Deployment\.apps "d" is invalid: spec\.replicas/);
      assert.equal(e.status.details?.group, 'apps');
    });
    assert.equal(env.store.currentRevision(), rev);
  } finally {
    await env.close();
  }
});

test('create: unknown fields per fieldValidation (Strict 400, Warn warns, Ignore drops)', async () => {
  const env = await newEnv();
  try {
    const body = () => pod('p', { spec: { containers: [{ name: 'c', image: 'i' }], foo: 1, bar: 2 } });
    await rejectsStatus(storage(env, 'pods').create(ctx({ fieldValidation: 'Strict' }), 'ns1', body()), 400, 'BadRequest', (e) => {
      assert.equal(e.message, 'Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.foo", unknown field "spec.bar"');
    });
    const warnCtx = ctx({ fieldValidation: 'Warn' });
    const w = await storage(env, 'pods').create(warnCtx, 'ns1', body());
    assert.deepEqual(warnCtx.warnings, ['unknown field "spec.foo"', 'unknown field "spec.bar"']);
    assert.equal(w.spec.foo, undefined);
    const ignoreCtx = ctx({ fieldValidation: 'Ignore' });
    const i = await storage(env, 'pods').create(ignoreCtx, 'ns1', { ...body(), metadata: { name: 'p2' } });
    assert.deepEqual(ignoreCtx.warnings, []);
    assert.equal(i.spec.bar, undefined);
    const stored = await storage(env, 'pods').get(ctx(), 'ns1', 'p2');
    assert.equal(stored.spec.bar, undefined);
  } finally {
    await env.close();
  }
});

test('create: missing namespace is 404, terminating namespace 403 Forbidden', async () => {
  const env = await newEnv();
  try {
    await rejectsStatus(storage(env, 'configmaps').create(ctx(), 'nope', cm('a')), 404, 'NotFound', (e) => {
      assert.equal(e.message, 'namespaces "nope" not found');
    });
    await storage(env, 'namespaces').create(ctx(), undefined, { metadata: { name: 'dying' } });
    await storage(env, 'namespaces').delete(ctx(), undefined, 'dying', {});
    await rejectsStatus(storage(env, 'configmaps').create(ctx(), 'dying', cm('a')), 403, 'Forbidden', (e) => {
      assert.equal(e.message, 'configmaps "a" is forbidden: unable to create new content in namespace dying because it is being terminated');
      assert.equal(e.status.details?.causes?.[0]?.reason, 'NamespaceTerminating');
    });
  } finally {
    await env.close();
  }
});

test('create: body namespace or type meta that disagrees with the request is 400; cluster-scoped drops namespace', async () => {
  const env = await newEnv();
  try {
    await rejectsStatus(storage(env, 'configmaps').create(ctx(), 'ns1', { metadata: { name: 'a', namespace: 'default' } }), 400, 'BadRequest', (e) => {
      assert.equal(e.message, 'the namespace of the provided object does not match the namespace sent on the request');
    });
    await rejectsStatus(storage(env, 'configmaps').create(ctx(), 'ns1', { apiVersion: 'apps/v1', kind: 'ConfigMap', metadata: { name: 'a' } }), 400, 'BadRequest');
    await rejectsStatus(storage(env, 'configmaps').create(ctx(), 'ns1', { metadata: 'a' } as never), 400, 'BadRequest');
    await rejectsStatus(storage(env, 'configmaps').create(ctx(), 'ns1', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'a' } }), 400, 'BadRequest');
    const n = await storage(env, 'nodes').create(ctx(), undefined, { metadata: { name: 'n1', namespace: 'x' } });
    assert.equal(n.metadata.namespace, undefined);
  } finally {
    await env.close();
  }
});

test('create: status is dropped for kinds with a status subresource, except nodes; pods start Pending', async () => {
  const env = await newEnv();
  try {
    const d = await storage(env, 'deployments').create(ctx(), 'ns1', { metadata: { name: 'd' }, spec: {}, status: { replicas: 5 } });
    assert.equal(d.status, undefined);
    const p = await storage(env, 'pods').create(ctx(), 'ns1', pod('p', { status: { phase: 'Running', podIP: '1.2.3.4' } }));
    assert.deepEqual(p.status, { phase: 'Pending', qosClass: 'BestEffort' });
    const g = await storage(env, 'pods').create(ctx(), 'ns1', pod('g', {
      spec: { containers: [{ name: 'c', image: 'i', resources: { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1000m', memory: '1Gi' } } }] },
    }));
    assert.equal(g.status.qosClass, 'Guaranteed');
    const b = await storage(env, 'pods').create(ctx(), 'ns1', pod('b', { spec: { containers: [{ name: 'c', image: 'i', resources: { requests: { cpu: '100m' } } }] } }));
    assert.equal(b.status.qosClass, 'Burstable');
    const n = await storage(env, 'nodes').create(ctx(), undefined, { metadata: { name: 'n1' }, status: { capacity: { cpu: '4' } } });
    assert.deepEqual(n.status, { capacity: { cpu: '4' } });
    const ns = await storage(env, 'namespaces').create(ctx(), undefined, { metadata: { name: 'fresh' }, status: { phase: 'Terminating' } });
    assert.deepEqual(ns.status, { phase: 'Active' });
    assert.deepEqual(ns.spec, { finalizers: ['kubernetes'] });
  } finally {
    await env.close();
  }
});

test('create: an existing name is 409 AlreadyExists; dryRun persists nothing but still checks', async () => {
  const env = await newEnv();
  try {
    await storage(env, 'configmaps').create(ctx(), 'ns1', cm('a'));
    await rejectsStatus(storage(env, 'configmaps').create(ctx(), 'ns1', cm('a')), 409, 'AlreadyExists', (e) => {
      assert.equal(e.message, 'configmaps "a" already exists');
    });
    const rev = env.store.currentRevision();
    const dry = await storage(env, 'configmaps').create(ctx({ dryRun: true }), 'ns1', cm('b'));
    assert.equal(dry.metadata.name, 'b');
    assert.ok(dry.metadata.uid);
    assert.equal(env.store.currentRevision(), rev);
    await rejectsStatus(storage(env, 'configmaps').get(ctx(), 'ns1', 'b'), 404, 'NotFound');
    await rejectsStatus(storage(env, 'configmaps').create(ctx({ dryRun: true }), 'ns1', cm('a')), 409, 'AlreadyExists');
    await rejectsStatus(storage(env, 'configmaps').create(ctx({ dryRun: true }), 'nope', cm('a')), 404, 'NotFound');
  } finally {
    await env.close();
  }
});

test('get: missing object is 404 with the qualified resource', async () => {
  const env = await newEnv();
  try {
    await rejectsStatus(storage(env, 'deployments').get(ctx(), 'ns1', 'x'), 404, 'NotFound', (e) => {
      assert.equal(e.message, 'deployments.apps "x" not found');
    });
  } finally {
    await env.close();
  }
});
