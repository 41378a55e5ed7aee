/**
 * Objects whose fields nobody is tracked on, as apimachinery's FieldManager treats them
 * (decodeLiveOrNew, isResetManagedFields, skipNonAppliedManager): which managedFields a write
 * starts from, an untracked object staying untracked through Updates, and the `before-first-apply`
 * owner an apply to it meets.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../../../api/status.js';
import { apply, trackUpdate } from './apply.js';
import { LAST_APPLIED } from './last-applied.js';
import type { JsonObject } from '../json-value.js';
import { base, T1, T2 } from './testing/deployment-fixtures.js';

const v1 = { ...base, apiVersion: 'v1' };
const cm = (data: Record<string, string>, meta: JsonObject = {}): JsonObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', ...meta }, data });
/** A ConfigMap created by `creator` (tracked from its creation, as every create). */
const created = (data: Record<string, string>) => trackUpdate(undefined, cm(data), { ...v1, manager: 'creator', now: T1 }).object;
const managers = (o: JsonObject) => (((o.metadata as JsonObject).managedFields ?? []) as { manager: string; operation: string }[]).map((e) => `${e.manager}/${e.operation}`);

test('the managedFields a write sends: [] and [{}] reset, absent or undecodable ones keep the live entries', () => {
  const live = created({ a: '1' });
  const liveEntries = (live.metadata as JsonObject).managedFields;
  const cases: { name: string; sent: unknown; want: string[] }[] = [
    { name: 'absent', sent: undefined, want: ['creator/Update', 'writer/Update'] },
    { name: 'null', sent: null, want: ['creator/Update', 'writer/Update'] },
    { name: 'the stored ones', sent: liveEntries, want: ['creator/Update', 'writer/Update'] },
    { name: '[] (isResetManagedFields: non-nil and empty)', sent: [], want: [] },
    { name: '[{}]', sent: [{}], want: [] },
    { name: 'one entry of zero values', sent: [{ manager: '', operation: '' }], want: [] },
    // Older clients dropped fieldsType: kube-apiserver cannot decode them and keeps the live ones.
    { name: 'without fieldsType', sent: [{ manager: 'creator', operation: 'Update', apiVersion: 'v1', fieldsV1: {} }], want: ['creator/Update', 'writer/Update'] },
    { name: 'an unknown operation', sent: [{ manager: 'x', operation: 'Patch', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: {} }], want: ['creator/Update', 'writer/Update'] },
    { name: 'without apiVersion', sent: [{ manager: 'x', operation: 'Update', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': {} } }], want: ['creator/Update', 'writer/Update'] },
    { name: 'edited ones (csaupgrade)', sent: [{ manager: 'kubectl', operation: 'Apply', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:a': {} } } }],
      want: ['kubectl/Apply', 'writer/Update'] },
  ];
  for (const c of cases) {
    const next = cm({ a: '1', b: '2' }, c.sent === undefined ? {} : { managedFields: c.sent });
    const r = trackUpdate(live, next, { ...v1, manager: 'writer', now: T2 });
    assert.deepEqual(managers(r.object), c.want, c.name);
    if (c.want.length === 0) assert.equal((r.object.metadata as JsonObject).managedFields, undefined, c.name);
  }
});

test('an untracked object stays untracked through Updates, including subresource ones; a create is tracked', () => {
  const untracked = cm({ a: '1' });
  for (const subresource of [undefined, 'status']) {
    const r = trackUpdate(untracked, cm({ a: '2', b: '3' }), { ...v1, manager: 'writer', now: T2, subresource });
    assert.deepEqual(r.managedFields, [], String(subresource));
  }
  assert.deepEqual(managers(trackUpdate(undefined, cm({ a: '1' }), { ...v1, manager: 'writer', now: T1 }).object), ['writer/Update']);
});

test('apply to an untracked object: its fields belong to before-first-apply (conflict, shared value, force)', () => {
  const untracked = cm({ a: '1', b: '2' }, { labels: { l: 'x' } });
  assert.throws(() => apply(untracked, cm({ a: 'changed' }), { ...v1, manager: 'ssa', now: T2 }), (e: unknown) => {
    assert.ok(e instanceof StatusError && e.code === 409);
    assert.equal(e.message, 'Apply failed with 1 conflict: conflict with "before-first-apply" using v1: .data.a');
    return true;
  });
  // The same value is shared; the rest stays with before-first-apply.
  const shared = apply(untracked, cm({ a: '1' }), { ...v1, manager: 'ssa', now: T2 });
  assert.deepEqual(shared.managedFields.map((e) => [e.manager, e.operation, e.apiVersion, e.time, e.fieldsV1]), [
    ['ssa', 'Apply', 'v1', T2, { 'f:data': { 'f:a': {} } }],
    ['before-first-apply', 'Update', 'v1', T2, { 'f:data': { '.': {}, 'f:a': {}, 'f:b': {} }, 'f:metadata': { 'f:labels': { '.': {}, 'f:l': {} } } }],
  ]);
  const forced = apply(untracked, cm({ a: 'changed' }), { ...v1, manager: 'ssa', now: T2, force: true });
  assert.deepEqual((forced.object as any).data, { a: 'changed', b: '2' });
  assert.deepEqual(forced.managedFields.find((e) => e.manager === 'before-first-apply')!.fieldsV1,
    { 'f:data': { '.': {}, 'f:b': {} }, 'f:metadata': { 'f:labels': { '.': {}, 'f:l': {} } } });
  // Through /status the entry carries the subresource; an apply that creates meets nobody.
  const viaStatus = apply(untracked, cm({ a: '1' }), { ...v1, manager: 'ssa', now: T2, subresource: 'status' });
  assert.equal(viaStatus.managedFields.find((e) => e.manager === 'before-first-apply')!.subresource, 'status');
  assert.deepEqual(managers(apply(undefined, cm({ a: '1' }), { ...v1, manager: 'ssa', now: T1 }).object), ['ssa/Apply']);
});

test('kubectl apply --server-side over an untracked client-side-applied object takes the annotated fields without 409', () => {
  const last = JSON.stringify(cm({ a: '1' }));
  const untracked = cm({ a: '1', b: '2' }, { annotations: { [LAST_APPLIED]: last } });
  const r = apply(untracked, cm({ a: 'changed' }), { ...v1, manager: 'kubectl', now: T2 });
  assert.equal((r.object as any).data.a, 'changed');
  // A field the annotation does not hold (b, set by someone else) still conflicts.
  assert.throws(() => apply(untracked, cm({ b: 'changed' }), { ...v1, manager: 'kubectl', now: T2 }),
    (e: unknown) => e instanceof StatusError && e.code === 409 && e.message.includes('.data.b'));
});
