/**
 * The Priority admission plugin and PriorityClass validation over the real kinds (as upstream's
 * plugin/pkg/admission/priority/admission_test.go and pkg/apis/scheduling/validation).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { registry } from '../../api/registry.js';
import { MemoryStore } from '../../store/memory.js';
import { createStorages } from '../storage/storage-set.js';
import { ctx } from '../storage/testing/fixtures.js';
import { rejectsStatus } from '../storage/testing/assert-status.js';

async function env() {
  const store = new MemoryStore();
  const set = createStorages(store, registry);
  await set.get('', 'v1', 'namespaces')!.create(ctx(), undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'app' } });
  const pods = set.get('', 'v1', 'pods')!;
  const classes = set.get('scheduling.k8s.io', 'v1', 'priorityclasses')!;
  const pod = (name: string, spec: Record<string, unknown> = {}) =>
    pods.create(ctx(), 'app', { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'i' }], ...spec } });
  const pc = (name: string, value: number, extra: Record<string, unknown> = {}) =>
    classes.create(ctx(), undefined, { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name }, value, ...extra });
  return { pods, classes, pod, pc, close: () => store.close() };
}

test('priority admission: class resolved, default class, unknown class and a pod-set priority refused', async () => {
  const e = await env();
  try {
    const none = await e.pod('none');
    assert.deepEqual([none.spec.priorityClassName, none.spec.priority, none.spec.preemptionPolicy], [undefined, 0, 'PreemptLowerPriority']);
    const polite = await e.pc('polite', 50, { preemptionPolicy: 'Never' });
    assert.equal(polite.preemptionPolicy, 'Never');
    assert.equal((await e.pc('plain', 7)).preemptionPolicy, 'PreemptLowerPriority', 'defaulted');
    const p = await e.pod('p', { priorityClassName: 'polite' });
    assert.deepEqual([p.spec.priority, p.spec.preemptionPolicy], [50, 'Never']);
    assert.equal((await e.pod('same', { priorityClassName: 'polite', priority: 50 })).spec.priority, 50, 'the same value is accepted');
    await rejectsStatus(e.pod('typo', { priorityClassName: 'nope' }), 403, 'Forbidden', (err) => {
      assert.equal(err.message, 'pods "typo" is forbidden: no PriorityClass with name nope was found');
    });
    await rejectsStatus(e.pod('sneaky', { priorityClassName: 'polite', priority: 1000 }), 403, 'Forbidden', (err) => {
      assert.match(err.message, /the integer value of priority \(1000\) must not be provided in pod spec; priority admission controller computed 50 from the given PriorityClass name/);
    });
    await rejectsStatus(e.pod('pushy', { priorityClassName: 'polite', preemptionPolicy: 'PreemptLowerPriority' }), 403, 'Forbidden');
    await rejectsStatus(e.pod('self', { priority: 5 }), 403, 'Forbidden');
    // An update that leaves the admission's fields out keeps them (as the plugin's UPDATE branch).
    const { priority: _p, preemptionPolicy: _pp, ...rest } = p.spec;
    const updated = await e.pods.update(ctx(), 'app', 'p', { ...p, metadata: { ...p.metadata, labels: { x: 'y' } }, spec: rest });
    assert.deepEqual([updated.spec.priority, updated.spec.preemptionPolicy, updated.metadata.labels], [50, 'Never', { x: 'y' }]);

    await e.pc('default-low', 10, { globalDefault: true });
    const d = await e.pod('d');
    assert.deepEqual([d.spec.priorityClassName, d.spec.priority], ['default-low', 10]);
    await rejectsStatus(e.pc('default-two', 20, { globalDefault: true }), 403, 'Forbidden', (err) => {
      assert.match(err.message, /PriorityClass default-low is already marked as default\. Only one default can exist/);
    });
  } finally {
    await e.close();
  }
});

test('PriorityClass validation: reserved system- names, the user maximum, value and preemptionPolicy immutable', async () => {
  const e = await env();
  try {
    await rejectsStatus(e.pc('system-mine', 5), 422, 'Invalid', (err) => {
      assert.equal(err.status.details?.causes?.[0]?.field, 'metadata.name');
      assert.match(err.message, /priority class names with 'system-' prefix are reserved for system use only/);
    });
    await e.pc('system-node-critical', 2_000_001_000);
    await rejectsStatus(e.pc('too-high', 1_000_000_001), 422, 'Invalid', (err) => {
      assert.match(err.message, /value: Forbidden: maximum allowed value of a user defined priority is 1000000000/);
    });
    const c = await e.pc('c', 5);
    await rejectsStatus(e.classes.update(ctx(), undefined, 'c', { ...c, value: 6 }), 422, 'Invalid', (err) => {
      assert.match(err.message, /value: Forbidden: may not be changed in an update\./);
    });
    await rejectsStatus(e.classes.update(ctx(), undefined, 'c', { ...c, preemptionPolicy: 'Never' }), 422, 'Invalid', (err) => {
      assert.match(err.message, /preemptionPolicy: Invalid value: "Never": field is immutable/);
    });
    assert.equal((await e.classes.update(ctx(), undefined, 'c', { ...c, description: 'now described' })).description, 'now described');
  } finally {
    await e.close();
  }
});
