/**
 * The generic storage over the real kind definitions (schemas, defaults, validation, field
 * facts from src/api/kinds), as kubectl drives it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pods } from '../../api/kinds/core/pod.js';
import { registry } from '../../api/registry.js';
import { MemoryStore } from '../../store/memory.js';
import { objectKey } from './keys.js';
import { createStorages } from './storage-set.js';
import { ctx } from './testing/fixtures.js';
import { rejectsStatus } from './testing/assert-status.js';

async function env() {
  const store = new MemoryStore();
  const set = createStorages(store, registry);
  await set.get('', 'v1', 'namespaces')!.create(ctx(), undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'app' } });
  return { store, set, close: () => store.close() };
}

const webPod = {
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', labels: { app: 'web' } },
  spec: { containers: [{ name: 'nginx', image: 'nginx:1.25', ports: [{ containerPort: 80 }] }, { name: 'side', image: 'busybox' }] },
};

test('kinds: a pod is defaulted, Pending, and its spec is immutable apart from images', async () => {
  const e = await env();
  try {
    const s = e.set.get('', 'v1', 'pods')!;
    const p = await s.create(ctx(), 'app', structuredClone(webPod));
    assert.equal(p.status.phase, 'Pending');
    assert.equal(p.status.qosClass, 'BestEffort');
    assert.equal(p.spec.restartPolicy, 'Always');
    const img = await s.patch(ctx(), 'app', 'web', { type: 'strategic', body: { spec: { containers: [{ name: 'side', image: 'busybox:1.36' }] } } });
    assert.deepEqual(img.object.spec.containers.map((c: { image: string }) => c.image), ['nginx:1.25', 'busybox:1.36']);
    await rejectsStatus(s.patch(ctx(), 'app', 'web', { type: 'merge', body: { spec: { restartPolicy: 'Never' } } }), 422, 'Invalid');
    await rejectsStatus(s.create(ctx(), 'app', { ...structuredClone(webPod), metadata: { name: 'typo' }, spec: { containers: [{ name: 'c', imagee: 'x' }] } }), 400, 'BadRequest', (err) => {
      assert.match(err.message, /unknown field "spec\.containers\[0\]\.imagee"/);
    });
  } finally {
    await e.close();
  }
});

test('kinds: a pod /status write validates metadata and status, not the stored spec (as upstream ValidatePodStatusUpdate)', async () => {
  const e = await env();
  try {
    const s = e.set.get('', 'v1', 'pods')!;
    await s.create(ctx(), 'app', structuredClone(webPod));
    // A spec stored before a rule existed (written past validation here): upstream's status
    // strategy copies spec from the stored object and validates only metadata and status.
    const key = objectKey(pods, 'app', 'web');
    const kv = (await e.store.get(key))!;
    const stored = JSON.parse(kv.value);
    stored.spec.restartPolicy = 'Sometimes';
    await e.store.update(key, JSON.stringify(stored), kv.modRevision);

    const running = await s.patch(ctx(), 'app', 'web', { type: 'merge', body: { status: { phase: 'Running', podIP: '10.1.0.7' } } }, 'status');
    assert.equal(running.object.status.phase, 'Running');
    assert.equal(running.object.spec.restartPolicy, 'Sometimes');
    await rejectsStatus(s.patch(ctx(), 'app', 'web', { type: 'merge', body: { status: { phase: 'Later' } } }, 'status'), 422, 'Invalid', (err) => {
      assert.deepEqual(err.status.details?.causes?.map((c) => c.field), ['status.phase']);
    });
    await rejectsStatus(s.patch(ctx(), 'app', 'web', { type: 'merge', body: { status: { podIP: 'not-an-ip' } } }, 'status'), 422, 'Invalid');
    await rejectsStatus(s.patch(ctx(), 'app', 'web', { type: 'merge', body: { metadata: { labels: { 'bad label!': 'x' } } } }, 'status'), 422, 'Invalid', (err) => {
      assert.match(err.status.details?.causes?.[0]?.field ?? '', /^metadata\.labels/);
    });
    // The main resource validates the whole pod (ValidatePodUpdate), stored spec included.
    await rejectsStatus(s.patch(ctx(), 'app', 'web', { type: 'merge', body: { metadata: { labels: { app: 'web2' } } } }), 422, 'Invalid', (err) => {
      assert.deepEqual(err.status.details?.causes?.map((c) => c.field), ['spec.restartPolicy']);
    });
  } finally {
    await e.close();
  }
});

test('kinds: a namespace gets its name label, Active phase and finalizer', async () => {
  const e = await env();
  try {
    const ns = await e.set.get('', 'v1', 'namespaces')!.get(ctx(), undefined, 'app');
    assert.equal(ns.metadata.labels?.['kubernetes.io/metadata.name'], 'app');
    assert.equal(ns.status.phase, 'Active');
    assert.deepEqual(ns.spec.finalizers, ['kubernetes']);
  } finally {
    await e.close();
  }
});

test('kinds: deployment apply, scale and status as kubectl uses them', async () => {
  const e = await env();
  try {
    const s = e.set.get('apps', 'v1', 'deployments')!;
    const manifest = {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
      spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx' }] } } },
    };
    const applied = await s.patch(ctx({ fieldManager: 'kubectl' }), 'app', 'web', { type: 'apply', body: manifest });
    assert.equal(applied.created, true);
    assert.equal(applied.object.metadata.generation, 1);
    const scaled = await s.patch(ctx(), 'app', 'web', { type: 'merge', body: { spec: { replicas: 4 } } }, 'scale');
    assert.equal(scaled.object.spec.replicas, 4);
    assert.equal(scaled.object.status.selector, 'app=web');
    const d = await s.get(ctx(), 'app', 'web');
    assert.equal(d.spec.replicas, 4);
    assert.equal(d.metadata.generation, 2);
    // Re-applying the manifest conflicts with the scale's owner on spec.replicas unless forced.
    await rejectsStatus(s.patch(ctx({ fieldManager: 'kubectl' }), 'app', 'web', { type: 'apply', body: manifest }), 409, 'Conflict');
    const forced = await s.patch(ctx({ fieldManager: 'kubectl' }), 'app', 'web', { type: 'apply', body: manifest, force: true });
    assert.equal(forced.object.spec.replicas, 2);
    const st = await s.patch(ctx(), 'app', 'web', { type: 'merge', body: { status: { replicas: 2, observedGeneration: 3 } } }, 'status');
    assert.equal(st.object.status.replicas, 2);
    assert.equal(st.object.metadata.generation, forced.object.metadata.generation);
  } finally {
    await e.close();
  }
});

test('kinds: configmap and node basics', async () => {
  const e = await env();
  try {
    const cm = await e.set.get('', 'v1', 'configmaps')!.create(ctx(), 'app', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: '1' } });
    assert.deepEqual(cm.data, { a: '1' });
    await rejectsStatus(e.set.get('', 'v1', 'configmaps')!.create(ctx(), 'app', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Bad' } }), 422, 'Invalid');
    const n = await e.set.get('', 'v1', 'nodes')!.create(ctx(), undefined, {
      apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, status: { capacity: { cpu: '4', memory: '8Gi', pods: '110' } },
    });
    assert.equal(n.status.capacity.cpu, '4');
  } finally {
    await e.close();
  }
});

test('kinds: every registered resource gets a storage that lists, and field selectors know its fields', async () => {
  const e = await env();
  try {
    for (const def of registry.all()) {
      const s = e.set.get(def.group, def.version, def.plural);
      assert.ok(s, `${def.plural} has a storage`);
      const list = await s.list(ctx(), def.namespaced ? 'app' : undefined, { fieldSelector: 'metadata.name=x' });
      assert.equal(list.kind, def.listKind);
    }
    const pods = e.set.get('', 'v1', 'pods')!;
    await pods.create(ctx(), 'app', { ...structuredClone(webPod), spec: { ...structuredClone(webPod.spec), nodeName: 'n1' } });
    assert.equal((await pods.list(ctx(), 'app', { fieldSelector: 'spec.nodeName=n1' })).items.length, 1);
    assert.equal((await pods.list(ctx(), undefined, { fieldSelector: 'status.phase=Pending' })).items.length, 1);
    assert.ok(e.set.action('pods', 'binding') && e.set.action('pods', 'eviction') && e.set.action('namespaces', 'finalize'));
  } finally {
    await e.close();
  }
});

test('kinds: a /status write leaves the stored object the watchers share as it was, whatever the kind\'s defaulter assigns (a Node\'s podCIDR)', async () => {
  // Writes read the stored object from the watchers' decoding (frozen here: tests run under the
  // cache mutation detector); the Node defaulter assigns spec.podCIDR on every write.
  const e = await env();
  try {
    const s = e.set.get('', 'v1', 'nodes')!;
    const events: unknown[] = [];
    const w = await s.watch(ctx(), undefined, { resourceVersion: String(e.store.currentRevision()) }, { onEvent: (ev) => events.push(ev.object), onClose: () => undefined });
    await s.create(ctx(), undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, spec: { podCIDR: '10.244.1.0/24' } });
    await new Promise((r) => setImmediate(r));
    const delivered = JSON.stringify(events[0]);
    const { object } = await s.patch(ctx(), undefined, 'n1', { type: 'merge', body: { status: { capacity: { pods: '110' } } } }, 'status');
    assert.deepEqual(object.spec, { podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24'] });
    assert.deepEqual(object.status.capacity, { pods: '110' });
    assert.equal(JSON.stringify(events[0]), delivered);
    w.stop();
  } finally {
    await e.close();
  }
});
