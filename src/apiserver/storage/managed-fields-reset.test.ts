/**
 * Resetting managedFields through the storage, as upstream's TestClearManagedFieldsWithUpdateEmptyList
 * (test/integration/apiserver/apply): a PUT sending `managedFields: []` clears them, later writes
 * do not track again, and the next apply meets `before-first-apply`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ctx, newEnv, storage } from './testing/fixtures.js';
import { rejectsStatus } from './testing/assert-status.js';

test('PUT with managedFields: [] stops tracking until the next apply, which conflicts with before-first-apply', async () => {
  const env = await newEnv();
  try {
    const s = storage(env, 'configmaps');
    const body = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', labels: { 'test-label': 'test' } }, data: { key: 'value' } };
    const applied = await s.patch(ctx({ fieldManager: 'apply_test' }), 'ns1', 'cm', { type: 'apply', body });
    assert.equal(applied.object.metadata.managedFields?.length, 1);
    const put = await s.update(ctx(), 'ns1', 'cm', { ...body, metadata: { ...body.metadata, managedFields: [] } });
    assert.equal(put.metadata.managedFields, undefined);
    const patched = await s.patch(ctx({ fieldManager: 'updater' }), 'ns1', 'cm', { type: 'merge', body: { metadata: { labels: { 'test-label': 'v1' } } } });
    assert.equal(patched.object.metadata.managedFields, undefined, 'an untracked object stays untracked');
    assert.equal(patched.object.metadata.labels?.['test-label'], 'v1');
    await rejectsStatus(s.patch(ctx({ fieldManager: 'apply_test' }), 'ns1', 'cm', { type: 'apply', body }), 409, 'Conflict', (e) => {
      assert.equal(e.message, 'Apply failed with 1 conflict: conflict with "before-first-apply" using v1: .metadata.labels.test-label');
    });
  } finally {
    await env.close();
  }
});
