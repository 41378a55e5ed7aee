/**
 * The assembled control plane's store compacts its history: without compaction every write ever
 * made (lease renewals above all) would stay in memory or in state.db for good.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { eventually } from '../testing/eventually.js';
import { startControlPlane, DEFAULT_COMPACTION } from './control-plane.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const store of ['memory', 'sqlite'] as const) {
  test(`the ${store} store compacts its history, keeping the configured revisions`, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'bosun-cp-compact-'));
    const cp = await startControlPlane({ dataDir, port: 0, bindAddress: '127.0.0.1', store, compaction: { compactInterval: 50, retainRevisions: 20 } });
    try {
      for (let i = 0; i < 60; i++) {
        await cp.client.configMaps('default').create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}` }, data: { i: String(i) } });
      }
      await eventually(() => cp.api.store.compactedRevision() > 0, 'history compacted', 5_000);
      const compacted = cp.api.store.compactedRevision();
      assert.ok(compacted > 0, 'history was compacted');
      assert.ok(compacted <= cp.api.store.currentRevision() - 20, `kept 20 revisions (compacted ${compacted}, current ${cp.api.store.currentRevision()})`);
      // Nothing current is lost.
      assert.equal((await cp.client.configMaps('default').list()).items.filter((c) => c.metadata.name?.startsWith('cm-')).length, 60);
    } finally {
      await cp.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
}

test('compaction is on by default', () => {
  assert.ok(DEFAULT_COMPACTION.compactInterval > 0 && DEFAULT_COMPACTION.retainRevisions > 0);
});

test('starts on a data dir that does not exist yet (a fresh machine), creating it', async () => {
  const parent = mkdtempSync(join(tmpdir(), 'bosun-cp-fresh-'));
  const dataDir = join(parent, 'var', 'lib', 'bosun');
  try {
    const cp = await startControlPlane({ dataDir, port: 0, bindAddress: '127.0.0.1', store: 'sqlite' });
    try {
      assert.equal((await cp.client.namespaces().get('default')).metadata.name, 'default');
    } finally {
      await cp.stop();
    }
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
});

test('--disable-scheduler and --disable-controller-manager (as k3s) leave pods unbound and Deployments without ReplicaSets', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'bosun-cp-apionly-'));
  const cp = await startControlPlane({ dataDir, port: 0, bindAddress: '127.0.0.1', store: 'memory', disableScheduler: true, disableControllerManager: true });
  try {
    assert.equal(cp.scheduler, undefined);
    const labels = { app: 'api-only' };
    await cp.client.deployments('default').create({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api-only' },
      spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'x' }] } } },
    });
    await cp.client.pods('default').create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'api-only' }, spec: { containers: [{ name: 'c', image: 'x' }] } });
    await sleep(1500);
    assert.equal((await cp.client.replicaSets('default').list()).items.length, 0, 'no deployment controller ran');
    const pod = await cp.client.pods('default').get('api-only');
    assert.equal(pod.status?.conditions, undefined, 'no scheduler looked at the pod');
    const leases = await cp.client.leases('kube-system').list();
    assert.equal(leases.items.length, 0, 'no leader election without control loops');
  } finally {
    await cp.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('with both enabled (the default) a Deployment gets its ReplicaSet', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'bosun-cp-full-'));
  const cp = await startControlPlane({ dataDir, port: 0, bindAddress: '127.0.0.1', store: 'memory' });
  try {
    assert.ok(cp.scheduler);
    const labels = { app: 'full' };
    await cp.client.deployments('default').create({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'full' },
      spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'x' }] } } },
    });
    await eventually(async () => (await cp.client.replicaSets('default').list()).items.length > 0, 'a ReplicaSet');
    assert.equal((await cp.client.replicaSets('default').list()).items.length, 1);
  } finally {
    await cp.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
