/**
 * ResourceQuota admission runs after the validating webhooks and policies, as upstream's
 * AllOrderedPlugins (pkg/kubeapiserver/options/plugins.go) puts ResourceQuota last: a create or
 * update a validating webhook refuses charges no quota. The webhook here is a stand-in
 * DynamicAdmission on the request context (the real dispatcher is tested in dynamic/).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { registry } from '../../api/registry.js';
import type { KubeObject } from '../../api/meta.js';
import { failure } from '../../api/status.js';
import { MemoryStore } from '../../store/memory.js';
import { createStorages } from '../storage/storage-set.js';
import { rejectsStatus } from '../storage/testing/assert-status.js';
import { ctx } from '../storage/testing/fixtures.js';
import type { DynamicAdmission } from '../storage/types.js';

const refusing: DynamicAdmission = {
  mutate: () => Promise.resolve(undefined),
  validate: () => Promise.reject(failure(403, 'Forbidden', 'admission webhook "deny.example.com" denied the request: no')),
};

test('a create refused by a validating webhook does not charge quota; an admitted one does', async () => {
  const store = new MemoryStore();
  const set = createStorages(store, registry);
  try {
    await set.get('', 'v1', 'namespaces')!.create(ctx(), undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'qo' } });
    const quotas = set.get('', 'v1', 'resourcequotas')!;
    const hard = { 'count/configmaps': '5' };
    await quotas.create(ctx(), 'qo', { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q' }, spec: { hard } });
    // The quota controller's first status, which admission charges against.
    await quotas.update(ctx(), 'qo', 'q', { ...(await quotas.get(ctx(), 'qo', 'q')), status: { hard, used: { 'count/configmaps': '0' } } } as KubeObject, 'status');
    const used = async () => ((await quotas.get(ctx(), 'qo', 'q')) as { status: { used: Record<string, string> } }).status.used['count/configmaps'];

    const cms = set.get('', 'v1', 'configmaps')!;
    await rejectsStatus(cms.create(ctx({ dynamicAdmission: refusing }), 'qo', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'refused' } }), 403, 'Forbidden');
    assert.equal(await used(), '0', 'the refused create charged nothing');
    await cms.create(ctx(), 'qo', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'admitted' } });
    assert.equal(await used(), '1', 'an admitted create is charged');
  } finally {
    await store.close();
  }
});
