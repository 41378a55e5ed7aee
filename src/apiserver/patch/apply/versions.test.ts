/**
 * Entries of another apiVersion (versions.ts) on a toy kind whose v1 `spec.size` is v2's
 * `spec.replicas`: conflicts and lost fields are computed in the entry's version; an entry of a
 * version the converter does not know is compared in the written version, as without a converter.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apply, trackUpdate } from './apply.js';
import type { JsonObject } from '../json-value.js';
import type { VersionConverter } from './versions.js';

const T = '2026-01-01T00:00:00Z';
const noInfo = () => undefined;
/** Written through toy/v2; v1 names spec.replicas spec.size. */
const toV1: VersionConverter = (obj, apiVersion) => {
  if (apiVersion !== 'toy/v1') return undefined;
  const { replicas, ...rest } = (obj.spec ?? {}) as JsonObject;
  return { object: { ...obj, apiVersion, spec: { ...rest, ...(replicas === undefined ? {} : { size: replicas }) } }, fieldInfo: noInfo };
};
const v2 = (replicas: number, note = 'x'): JsonObject => ({ apiVersion: 'toy/v2', kind: 'Toy', metadata: { name: 't' }, spec: { replicas, note } });
const opts = (manager: string) => ({ manager, apiVersion: 'toy/v2', fieldInfo: noInfo, now: T, convert: toV1 });
/** A live object written through v2 whose `owner` entry was recorded through `apiVersion` owning v1's spec.size. */
function live(apiVersion: string): JsonObject {
  const o = v2(2);
  (o.metadata as JsonObject).managedFields = [{ manager: 'owner', operation: 'Apply', apiVersion, time: T, fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:size': {} } } }];
  return o;
}

test('apply: a change of the field an entry of another version owns conflicts, named in that version', () => {
  assert.throws(() => apply(live('toy/v1'), v2(3), opts('b')), (e: Error) => e.message === 'Apply failed with 1 conflict: conflict with "owner": .spec.size');
  // Another field, or the same value, is no conflict; force moves the field.
  const other = apply(live('toy/v1'), v2(2, 'y'), opts('b'));
  assert.deepEqual(other.managedFields.find((e) => e.manager === 'owner')?.fieldsV1, { 'f:spec': { 'f:size': {} } });
  const forced = apply(live('toy/v1'), v2(3), { ...opts('b'), force: true });
  assert.equal(forced.managedFields.find((e) => e.manager === 'owner'), undefined);
});

test('trackUpdate: a write through v2 takes the field from the v1 entry; an unknown version is compared as v2', () => {
  const updated = trackUpdate(live('toy/v1'), v2(4), opts('editor'));
  assert.equal(updated.managedFields.find((e) => e.manager === 'owner'), undefined);
  // toy/v0 is not served: its entry's paths are read as v2 paths, where spec.size is untouched.
  const unknown = trackUpdate(live('toy/v0'), v2(4), opts('editor'));
  assert.deepEqual(unknown.managedFields.find((e) => e.manager === 'owner')?.fieldsV1, { 'f:spec': { 'f:size': {} } });
});
