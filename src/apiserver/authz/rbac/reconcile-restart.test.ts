/**
 * The bootstrap policy is reconciled at every start, as upstream's RBAC post-start hook: a
 * bootstrap role stripped of its rules and a binding stripped of its subjects are repaired by a
 * restart on the same data, and a role annotated rbac.authorization.kubernetes.io/autoupdate=false
 * is left as its owner made it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KubeClient } from '../../../client/kube-client.js';
import { resources } from '../../../client/resource-ref.js';
import { startTestServer } from '../../../testing/test-cluster.js';
import { bootstrapClusterRoles } from './bootstrap-policy.js';

test('a restart puts back bootstrap rules and subjects, except where autoupdate is false', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'bosun-rbac-reconcile-'));
  try {
    let ts = await startTestServer({ store: 'sqlite', dataDir });
    let admin = KubeClient.fromKubeconfig(ts.kubeconfig);
    const roles = () => admin.resource(resources.clusterroles);
    const basic = await roles().get('system:basic-user');
    await roles().update({ ...basic, rules: [] });
    const pub = await roles().get('system:public-info-viewer');
    await roles().update({ ...pub, metadata: { ...pub.metadata, annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'false' } }, rules: [] });
    const crb = await admin.resource(resources.clusterrolebindings).get('system:discovery');
    await admin.resource(resources.clusterrolebindings).update({ ...crb, subjects: [] });
    admin.close();
    await ts.stop();

    ts = await startTestServer({ store: 'sqlite', dataDir });
    admin = KubeClient.fromKubeconfig(ts.kubeconfig);
    try {
      const want = bootstrapClusterRoles().find((r) => r.metadata.name === 'system:basic-user')!.rules!.flatMap((r) => r.resources);
      assert.deepEqual((await roles().get('system:basic-user')).rules?.flatMap((r) => r.resources), want);
      assert.deepEqual((await roles().get('system:public-info-viewer')).rules, []);
      assert.deepEqual((await admin.resource(resources.clusterrolebindings).get('system:discovery')).subjects?.map((s) => s.name), ['system:authenticated']);
    } finally {
      admin.close();
      await ts.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
