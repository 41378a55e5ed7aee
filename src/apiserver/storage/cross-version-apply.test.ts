/**
 * Field ownership across the versions of one stored kind, as kube-apiserver's field manager
 * (structured-merge-diff's Updater.update with the versionconverter): each managedFields entry names
 * paths of its own apiVersion, so a write is compared for it with both objects converted to that
 * version. A conflict names the field in the owner's version; an Update through one version takes
 * the fields it changed from owners recorded in another. Real kinds (autoscaling v1/v2
 * HorizontalPodAutoscaler, core v1 / events.k8s.io/v1 Event) over a memory store.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/meta.js';
import { registry } from '../../api/registry.js';
import { MemoryStore } from '../../store/memory.js';
import { createStorages } from './storage-set.js';
import { ctx } from './testing/fixtures.js';
import { rejectsStatus } from './testing/assert-status.js';

async function env() {
  const store = new MemoryStore();
  const set = createStorages(store, registry);
  await set.get('', 'v1', 'namespaces')!.create(ctx(), undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'app' } });
  const apply = (group: string, version: string, plural: string, manager: string, body: unknown, force = false) =>
    set.get(group, version, plural)!.patch(ctx({ fieldManager: manager }), 'app', (body as KubeObject).metadata.name!, { type: 'apply', body, force });
  return { set, apply, close: () => store.close() };
}

const target = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' };
const hpaV1 = (cpu: number) => ({
  apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web' },
  spec: { scaleTargetRef: target, maxReplicas: 5, targetCPUUtilizationPercentage: cpu },
});
const hpaV2 = (cpu: number) => ({
  apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web' },
  spec: { scaleTargetRef: target, maxReplicas: 5, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: cpu } } }] },
});
const owned = (o: KubeObject, manager: string) => JSON.stringify(o.metadata.managedFields?.find((e) => e.manager === manager)?.fieldsV1 ?? {});
const coreEvent = (name: string) => ({
  apiVersion: 'v1', kind: 'Event', metadata: { name }, involvedObject: { kind: 'Pod', name: 'p', namespace: 'app' },
  reason: 'Started', message: 'started', type: 'Normal', eventTime: '2026-01-01T00:00:00.000000Z', reportingComponent: 'ctl', reportingInstance: 'ctl-1', action: 'Start',
});
/** The same Event through events.k8s.io/v1, with `note` (core's message) when given. */
const eventsV1Event = (name: string, note?: string) => ({
  apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { name }, regarding: { kind: 'Pod', name: 'p', namespace: 'app' },
  reason: 'Started', ...(note === undefined ? {} : { note }), type: 'Normal', eventTime: '2026-01-01T00:00:00.000000Z', reportingController: 'ctl', reportingInstance: 'ctl-1', action: 'Start',
});

test('HPA: a v2 apply of the metric a v1 applier set conflicts on the v1 field; force moves it; the v1 applier then conflicts on .spec.metrics', async () => {
  const e = await env();
  try {
    await e.apply('autoscaling', 'v1', 'horizontalpodautoscalers', 'a', hpaV1(50));
    await rejectsStatus(e.apply('autoscaling', 'v2', 'horizontalpodautoscalers', 'b', hpaV2(70)), 409, 'Conflict', (err) => {
      assert.equal(err.message, 'Apply failed with 1 conflict: conflict with "a": .spec.targetCPUUtilizationPercentage');
    });
    // The same value through the other version shares ownership, as within one version.
    await e.apply('autoscaling', 'v2', 'horizontalpodautoscalers', 'b', hpaV2(50));
    const forced = (await e.apply('autoscaling', 'v2', 'horizontalpodautoscalers', 'b', hpaV2(70), true)).object;
    assert.equal((forced.spec as any).metrics[0].resource.target.averageUtilization, 70);
    assert.ok(!owned(forced, 'a').includes('targetCPUUtilizationPercentage'), `a lost the field: ${owned(forced, 'a')}`);
    assert.ok(owned(forced, 'a').includes('f:maxReplicas'), 'fields the v2 apply left as they were stay shared');
    await rejectsStatus(e.apply('autoscaling', 'v1', 'horizontalpodautoscalers', 'a', hpaV1(50)), 409, 'Conflict', (err) => {
      assert.equal(err.message, 'Apply failed with 1 conflict: conflict with "b": .spec.metrics');
    });
    const v1 = await e.set.get('autoscaling', 'v1', 'horizontalpodautoscalers')!.get(ctx(), 'app', 'web');
    assert.equal((v1.spec as any).targetCPUUtilizationPercentage, 70, 'the refused apply changed nothing');
  } finally {
    await e.close();
  }
});

test('HPA: an Update through v2 takes the metric from the v1 applier, whose next apply conflicts with the updater', async () => {
  const e = await env();
  try {
    await e.apply('autoscaling', 'v1', 'horizontalpodautoscalers', 'a', hpaV1(50));
    const s2 = e.set.get('autoscaling', 'v2', 'horizontalpodautoscalers')!;
    const edited = (await s2.patch(ctx({ fieldManager: 'editor' }), 'app', 'web', { type: 'merge', body: hpaV2(60) })).object;
    assert.ok(!owned(edited, 'a').includes('targetCPUUtilizationPercentage'), `a lost the field: ${owned(edited, 'a')}`);
    assert.ok(owned(edited, 'a').includes('f:maxReplicas'));
    await rejectsStatus(e.apply('autoscaling', 'v1', 'horizontalpodautoscalers', 'a', hpaV1(50)), 409, 'Conflict', (err) => {
      assert.equal(err.message, 'Apply failed with 1 conflict: conflict with "editor" using autoscaling/v2: .spec.metrics');
    });
    // The v1 view of the same write: the Update through v1 takes the v2 updater's metrics.
    const s1 = e.set.get('autoscaling', 'v1', 'horizontalpodautoscalers')!;
    const back = (await s1.patch(ctx({ fieldManager: 'editor-v1' }), 'app', 'web', { type: 'merge', body: { spec: { targetCPUUtilizationPercentage: 40 } } })).object;
    assert.ok(!owned(back, 'editor').includes('f:metrics'), `editor lost the metrics: ${owned(back, 'editor')}`);
  } finally {
    await e.close();
  }
});

test('Event: an events.k8s.io/v1 apply of the note conflicts with the core v1 applier of the message', async () => {
  const e = await env();
  try {
    const core = coreEvent('ev1');
    await e.apply('', 'v1', 'events', 'a', core);
    const v1 = eventsV1Event('ev1', 'restarted');
    await rejectsStatus(e.apply('events.k8s.io', 'v1', 'events', 'b', v1), 409, 'Conflict', (err) => {
      assert.equal(err.message, 'Apply failed with 1 conflict: conflict with "a": .message');
    });
    const forced = (await e.apply('events.k8s.io', 'v1', 'events', 'b', v1, true)).object;
    assert.equal((forced as any).note, 'restarted');
    await rejectsStatus(e.apply('', 'v1', 'events', 'a', core), 409, 'Conflict', (err) => {
      assert.equal(err.message, 'Apply failed with 1 conflict: conflict with "b": .note');
    });
  } finally {
    await e.close();
  }
});

test('Event: the core v1 applier re-applying through events.k8s.io/v1 without the note prunes the message it applied, unless another manager owns it', async () => {
  const e = await env();
  try {
    await e.apply('', 'v1', 'events', 'a', coreEvent('alone'));
    const pruned = (await e.apply('events.k8s.io', 'v1', 'events', 'a', eventsV1Event('alone'))).object as any;
    assert.equal(pruned.note, undefined);
    assert.equal(pruned.reason, 'Started', 'fields applied again through the new version stay');
    assert.equal((await e.set.get('', 'v1', 'events')!.get(ctx(), 'app', 'alone') as any).message, undefined);

    await e.apply('', 'v1', 'events', 'a', coreEvent('shared'));
    await e.apply('', 'v1', 'events', 'b', coreEvent('shared'));
    assert.equal(((await e.apply('events.k8s.io', 'v1', 'events', 'a', eventsV1Event('shared'))).object as any).note, 'started', 'b still owns the message');
  } finally {
    await e.close();
  }
});
