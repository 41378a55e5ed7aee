import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/meta.js';
import type { Status } from '../../api/status.js';
import { ctx, newEnv, pod, storage } from './testing/fixtures.js';
import { rejectsStatus } from './testing/assert-status.js';

const deployment = (name: string): KubeObject => ({
  metadata: { name }, spec: { replicas: 2, selector: { matchLabels: { app: 'web', tier: 'fe' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['prod', 'dev'] }] } },
});

test('scale: get an autoscaling/v1 Scale; update and patch change only the parent replicas', async () => {
  const env = await newEnv();
  try {
    const s = storage(env, 'deployments');
    const d = await s.create(ctx(), 'ns1', deployment('web'));
    await s.update(ctx(), 'ns1', 'web', { ...d, status: { replicas: 2 } }, 'status');
    const scale = await s.get(ctx(), 'ns1', 'web', 'scale');
    assert.equal(scale.apiVersion, 'autoscaling/v1');
    assert.equal(scale.kind, 'Scale');
    assert.deepEqual(scale.spec, { replicas: 2 });
    assert.deepEqual(scale.status, { replicas: 2, selector: 'app=web,env in (dev,prod),tier=fe' });
    assert.equal(scale.metadata.uid, d.metadata.uid);

    const patched = await s.patch(ctx(), 'ns1', 'web', { type: 'merge', body: { spec: { replicas: 5 } } }, 'scale');
    assert.equal(patched.object.kind, 'Scale');
    assert.equal(patched.object.spec.replicas, 5);
    const parent = await s.get(ctx(), 'ns1', 'web');
    assert.equal(parent.spec.replicas, 5);
    assert.equal(parent.metadata.generation, 2);
    assert.deepEqual(parent.status, { replicas: 2 });

    await rejectsStatus(s.update(ctx(), 'ns1', 'web', { ...scale, spec: { replicas: 3 } }, 'scale'), 409, 'Conflict');
    const fresh = await s.get(ctx(), 'ns1', 'web', 'scale');
    const updated = await s.update(ctx(), 'ns1', 'web', { ...fresh, spec: { replicas: 0 } }, 'scale');
    assert.equal(updated.spec.replicas, 0);
    assert.equal((await s.get(ctx(), 'ns1', 'web')).spec.replicas, 0);
    await rejectsStatus(s.patch(ctx(), 'ns1', 'web', { type: 'merge', body: { spec: { replicas: -1 } } }, 'scale'), 422, 'Invalid', (e) => {
      assert.equal(e.status.details?.kind, 'Scale');
      assert.equal(e.status.details?.causes?.[0]?.field, 'spec.replicas');
    });
    await rejectsStatus(storage(env, 'configmaps').get(ctx(), 'ns1', 'x', 'scale'), 404, 'NotFound');
    await rejectsStatus(s.get(ctx(), 'ns1', 'missing', 'scale'), 404, 'NotFound');
  } finally {
    await env.close();
  }
});

test('status: patch through /status changes status only', async () => {
  const env = await newEnv();
  try {
    const s = storage(env, 'pods');
    await s.create(ctx(), 'ns1', pod('p'));
    const out = await s.patch(ctx(), 'ns1', 'p', {
      type: 'merge', body: { metadata: { labels: { via: 'status' } }, spec: { nodeName: 'sneaky' }, status: { phase: 'Running', podIP: '10.0.0.5' } },
    }, 'status');
    assert.deepEqual(out.object.metadata.labels, { via: 'status' }, 'pods take metadata through /status, as upstream');
    assert.equal(out.object.status.phase, 'Running');
    assert.equal(out.object.spec.nodeName, undefined);
    const viaGet = await s.get(ctx(), 'ns1', 'p', 'status');
    assert.equal(viaGet.status.podIP, '10.0.0.5');
    const main = await s.patch(ctx(), 'ns1', 'p', { type: 'merge', body: { status: { phase: 'Failed' } } });
    assert.equal(main.object.status.phase, 'Running', 'main resource ignores status');
    const d = storage(env, 'deployments');
    await d.create(ctx(), 'ns1', { metadata: { name: 'd', labels: { a: '1' } }, spec: {} });
    const ds = await d.patch(ctx(), 'ns1', 'd', { type: 'merge', body: { metadata: { labels: { a: '2' } }, status: { replicas: 1 } } }, 'status');
    assert.deepEqual(ds.object.metadata.labels, { a: '1' }, 'deployments keep labels on /status writes, as upstream');
    assert.equal(ds.object.status.replicas, 1);
    // An apply through /status never creates (StatusREST passes forceAllowCreate=false): 404.
    const statusApply = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'gone' }, status: { phase: 'Running' } };
    await rejectsStatus(s.patch(ctx({ fieldManager: 'm' }), 'ns1', 'gone', { type: 'apply', body: statusApply }, 'status'), 404, 'NotFound');
  } finally {
    await env.close();
  }
});

test('pods/binding: binds once, sets PodScheduled, 409 when already bound', async () => {
  const env = await newEnv();
  try {
    await storage(env, 'pods').create(ctx(), 'ns1', pod('p'));
    const bind = env.set.action('pods', 'binding')!;
    const res = (await bind.create(ctx(), 'ns1', 'p', { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'p', annotations: { a: 'b' } }, target: { kind: 'Node', name: 'n1' } })) as Status;
    assert.equal(res.status, 'Success');
    assert.equal(res.code, 201);
    const p = await storage(env, 'pods').get(ctx(), 'ns1', 'p');
    assert.equal(p.spec.nodeName, 'n1');
    assert.equal(p.metadata.annotations?.a, 'b');
    assert.equal(p.status.conditions.find((c: { type: string }) => c.type === 'PodScheduled')?.status, 'True');
    assert.equal(p.status.phase, 'Pending');
    await rejectsStatus(bind.create(ctx(), 'ns1', 'p', { metadata: { name: 'p' }, target: { name: 'n2' } }), 409, 'Conflict', (e) => {
      assert.equal(e.message, 'Operation cannot be fulfilled on pods/binding "p": pod p is already assigned to node "n1"');
    });
    await rejectsStatus(bind.create(ctx(), 'ns1', 'p', { metadata: { name: 'p' }, target: {} }), 422, 'Invalid');
    await rejectsStatus(bind.create(ctx(), 'ns1', 'p', { metadata: { name: 'q' }, target: { name: 'n1' } }), 400, 'BadRequest');
    await rejectsStatus(bind.create(ctx(), 'ns1', 'nope', { metadata: { name: 'nope' }, target: { name: 'n1' } }), 404, 'NotFound');
  } finally {
    await env.close();
  }
});

test('pods/eviction: deletes the pod with the eviction deleteOptions', async () => {
  const env = await newEnv();
  try {
    const s = storage(env, 'pods');
    await s.create(ctx(), 'ns1', pod('p', { spec: { containers: [{ name: 'c', image: 'i' }], nodeName: 'n1' } }));
    await s.create(ctx(), 'ns1', pod('q', { spec: { containers: [{ name: 'c', image: 'i' }], nodeName: 'n1' } }));
    const evict = env.set.action('pods', 'eviction')!;
    const res = (await evict.create(ctx(), 'ns1', 'p', { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'p' }, deleteOptions: { gracePeriodSeconds: 0 } })) as Status;
    assert.equal(res.code, 201);
    await rejectsStatus(s.get(ctx(), 'ns1', 'p'), 404, 'NotFound');
    await evict.create(ctx(), 'ns1', 'q', { metadata: { name: 'q' } });
    const q = await s.get(ctx(), 'ns1', 'q');
    assert.ok(q.metadata.deletionTimestamp, 'default grace for a bound pod: marked, not gone');
    await rejectsStatus(evict.create(ctx(), 'ns1', 'zz', { metadata: { name: 'zz' } }), 404, 'NotFound');
  } finally {
    await env.close();
  }
});

test('storage set: lookup by group/version/plural and actions by plural/subresource', async () => {
  const env = await newEnv();
  try {
    assert.equal(env.set.get('apps', 'v1', 'deployments')?.def.kind, 'Deployment');
    assert.equal(env.set.get('', 'v1', 'deployments'), undefined);
    assert.equal(env.set.action('pods', 'binding')?.subresource, 'binding');
    assert.equal(env.set.action('pods', 'log'), undefined);
    // The five stored kinds, plus the create-only `bindings` collection served beside pods/binding.
    assert.equal(env.set.all().length, 6);
    assert.deepEqual(env.set.all().filter((x) => x.def.plural === 'bindings').map((x) => x.def.verbs), [['create']]);
  } finally {
    await env.close();
  }
});
