/**
 * Update tracking (trackUpdate), against what kube-apiserver records for non-apply writes
 * (structured-merge-diff semantics; managedFields shapes as seen on real clusters): the fields a
 * create or update owns, moved between managers, reset by the client, ignored, capped at 10 entries.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { trackUpdate } from './apply.js';
import type { JsonObject } from '../json-value.js';
import { base, config, stored, T1, T2 } from './testing/deployment-fixtures.js';

test('trackUpdate on create: labels, lists and items own themselves (`.`), empty structs are leaves', () => {
  const obj = stored(config());
  (obj as any).spec.template.spec.containers[0].resources = {};
  const { managedFields } = trackUpdate(undefined, obj, { ...base, manager: 'kubectl-create', now: T1 });
  assert.equal(managedFields.length, 1);
  assert.deepEqual(managedFields[0]!.fieldsV1, {
    'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
    'f:spec': {
      'f:replicas': {}, 'f:revisionHistoryLimit': {}, 'f:selector': {},
      'f:template': {
        'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
        'f:spec': { 'f:containers': { '.': {}, 'k:{"name":"web"}': {
          '.': {}, 'f:image': {}, 'f:imagePullPolicy': {}, 'f:name': {},
          'f:ports': { '.': {}, 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {}, 'f:protocol': {} } },
          'f:resources': {},
        } } },
      },
    },
  });
});

test('trackUpdate moves changed fields, drops emptied entries, ignores no-ops', () => {
  const a = trackUpdate(undefined, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { x: '1' } }, { ...base, apiVersion: 'v1', manager: 'a', now: T1 }).object;
  const noop = trackUpdate(a, structuredClone(a), { ...base, apiVersion: 'v1', manager: 'b', now: T2 });
  assert.deepEqual(noop.managedFields.map((e) => [e.manager, e.time]), [['a', T1]]);
  const changed = structuredClone(a) as any;
  changed.data.x = '2';
  const b = trackUpdate(a, changed, { ...base, apiVersion: 'v1', manager: 'b', now: T2 });
  // a keeps the map it created (`.`), loses the key b changed.
  assert.deepEqual(b.managedFields.map((e) => [e.manager, e.fieldsV1]), [['a', { 'f:data': {} }], ['b', { 'f:data': { 'f:x': {} } }]]);
  const removed = structuredClone(b.object) as any;
  delete removed.data;
  assert.deepEqual(trackUpdate(b.object, removed, { ...base, apiVersion: 'v1', manager: 'c', now: T2 }).managedFields, []);
  assert.equal((trackUpdate(b.object, removed, { ...base, apiVersion: 'v1', manager: 'c', now: T2 }).object.metadata as any).managedFields, undefined);
});

test('trackUpdate: managedFields sent by the client replace the stored ones; [{}] resets them', () => {
  const a = trackUpdate(undefined, { metadata: { name: 'c' }, data: { x: '1' } }, { ...base, apiVersion: 'v1', manager: 'a', now: T1 }).object;
  const reset = structuredClone(a) as any;
  reset.metadata.managedFields = [{}];
  assert.deepEqual(trackUpdate(a, reset, { ...base, apiVersion: 'v1', manager: 'b', now: T2 }).managedFields, []);
  const untouched = structuredClone(a) as any;
  delete untouched.metadata.managedFields;
  assert.equal(trackUpdate(a, untouched, { ...base, apiVersion: 'v1', manager: 'b', now: T2 }).managedFields[0]!.manager, 'a');
});

test('ignoredFields: a status change through the main resource is owned by nobody', () => {
  const created = { metadata: { name: 'd' }, spec: { replicas: 1 }, status: { replicas: 1 } };
  const before = trackUpdate(undefined, created, { ...base, manager: 'c', now: T1, ignoredFields: [['status']] }).object;
  const after = { metadata: { name: 'd' }, spec: { replicas: 2 }, status: { replicas: 2 } };
  const r = trackUpdate(before, after, { ...base, manager: 'm', now: T1, ignoredFields: [['status']] });
  assert.deepEqual(r.managedFields[0]!.fieldsV1, { 'f:spec': { 'f:replicas': {} } });
});

test('trackUpdate caps Update entries at 10, folding the oldest into ancient-changes', () => {
  let obj: JsonObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: {} };
  for (let i = 0; i < 12; i++) {
    const next = structuredClone(obj) as any;
    next.data[`k${i}`] = 'v';
    // m0 creates the object (an object untracked since its creation would stay untracked).
    obj = trackUpdate(i === 0 ? undefined : obj, next, { ...base, apiVersion: 'v1', manager: `m${i}`, now: `2026-01-01T00:00:${String(i).padStart(2, '0')}Z` }).object;
  }
  const entries = (obj.metadata as any).managedFields as any[];
  assert.equal(entries.length, 10);
  const ancient = entries.find((e) => e.manager === 'ancient-changes');
  // m0 (the creator, owning the map too), m1 and m2 fold into one bucket carrying m2's time.
  assert.deepEqual(ancient.fieldsV1, { 'f:data': { '.': {}, 'f:k0': {}, 'f:k1': {}, 'f:k2': {} } });
  assert.equal(ancient.time, '2026-01-01T00:00:02Z');
  assert.ok(!entries.some((e) => ['m0', 'm1', 'm2'].includes(e.manager)));
});
