/**
 * Server-side apply through /scale, as kube-apiserver's scale field manager (ScaleHandler): the
 * apply runs on the Scale with the managedFields of whoever owns the parent's replicas, so it
 * conflicts with them unless forced, and the parent records an Apply entry of subresource scale.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/meta.js';
import { ctx, newEnv, storage } from './testing/fixtures.js';
import { rejectsStatus } from './testing/assert-status.js';

const owners = (o: KubeObject) => (o.metadata.managedFields ?? []).map((e) => [e.manager, e.operation, e.apiVersion, e.subresource ?? '', JSON.stringify(e.fieldsV1)]);
const deployment = (replicas: number) => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
  spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } } } },
});
const scale = (replicas: number) => ({ apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'web' }, spec: { replicas } });

test('apply to /scale conflicts with the replicas owner, force moves the field, the parent records an Apply of subresource scale', async () => {
  const env = await newEnv();
  try {
    const s = storage(env, 'deployments');
    const apply = (manager: string, body: unknown, sub?: 'scale', force = false) =>
      s.patch(ctx({ fieldManager: manager }), 'ns1', 'web', { type: 'apply', body, force }, sub);
    await apply('applier', deployment(2));
    await rejectsStatus(apply('hpa', scale(3), 'scale'), 409, 'Conflict', (e) => {
      assert.equal(e.message, 'Apply failed with 1 conflict: conflict with "applier": .spec.replicas');
    });
    // The same value is shared, as on any apply.
    await apply('hpa', scale(2), 'scale');
    const shared = await s.get(ctx(), 'ns1', 'web');
    assert.ok(owners(shared).some(([m, op, v, sub, f]) => m === 'hpa' && op === 'Apply' && v === 'apps/v1' && sub === 'scale' && f === '{"f:spec":{"f:replicas":{}}}'));
    assert.ok(owners(shared).find(([m]) => m === 'applier')![4]!.includes('f:replicas'), 'shared: the applier keeps it too');

    const forced = await apply('hpa', scale(3), 'scale', true);
    assert.deepEqual(forced.object.spec, { replicas: 3 });
    const parent = await s.get(ctx(), 'ns1', 'web');
    assert.equal((parent.spec as { replicas: number }).replicas, 3);
    assert.ok(!owners(parent).find(([m]) => m === 'applier')![4]!.includes('f:replicas'), 'the applier lost the replicas');
    // The scale applier owns it now: re-applying another value needs no force; the main applier conflicts.
    await apply('hpa', scale(4), 'scale');
    await rejectsStatus(apply('applier', deployment(5)), 409, 'Conflict', (e) => {
      assert.equal(e.message, 'Apply failed with 1 conflict: conflict with "hpa" with subresource "scale": .spec.replicas');
    });
    // An Update through /scale takes it from the scale applier, whose next apply then conflicts.
    await s.patch(ctx({ fieldManager: 'kubectl-scale' }), 'ns1', 'web', { type: 'merge', body: { spec: { replicas: 6 } } }, 'scale');
    await rejectsStatus(apply('hpa', scale(7), 'scale'), 409, 'Conflict', (e) => {
      assert.equal(e.message, 'Apply failed with 1 conflict: conflict with "kubectl-scale" with subresource "scale" using autoscaling/v1: .spec.replicas');
    });
    await rejectsStatus(apply('hpa', { ...scale(7), apiVersion: 'autoscaling/v2' }, 'scale'), 400, 'BadRequest');
    assert.equal(((await s.get(ctx(), 'ns1', 'web')).spec as { replicas: number }).replicas, 6);
  } finally {
    await env.close();
  }
});
