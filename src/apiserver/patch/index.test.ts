/** The public entry point: one write path as the storage will drive it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apply, patchObject, trackUpdate } from './index.js';
import { testFieldInfo } from './testdata/field-info.js';

test('patchObject dispatches by type', () => {
  const obj = { metadata: { name: 'd', labels: { a: '1' } }, spec: { containers: [{ name: 'c', image: 'x' }] } };
  assert.deepEqual(patchObject('json', obj, [{ op: 'replace', path: '/metadata/labels/a', value: '2' }], testFieldInfo).metadata, { name: 'd', labels: { a: '2' } });
  assert.deepEqual(patchObject('merge', obj, { spec: { containers: [{ name: 'z' }] } }, testFieldInfo).spec, { containers: [{ name: 'z' }] });
  assert.deepEqual(patchObject('strategic', obj, { spec: { containers: [{ name: 'z' }] } }, testFieldInfo).spec,
    { containers: [{ name: 'z' }, { name: 'c', image: 'x' }] }); // upstream order without $setElementOrder
});

test('create by apply, edit by strategic patch (tracked), re-apply conflicts on the edited field only', () => {
  const fieldInfo = testFieldInfo;
  const cfg = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { app: 'a' } }, spec: { containers: [{ name: 'c', image: 'x:1' }] } };
  const created = apply(undefined, cfg, { manager: 'kubectl', apiVersion: 'v1', fieldInfo, now: '2026-01-01T00:00:00Z' }).object;
  const patched = patchObject('strategic', created, { spec: { containers: [{ name: 'c', image: 'x:2' }] } }, fieldInfo);
  const tracked = trackUpdate(created, patched, { manager: 'kubectl-patch', apiVersion: 'v1', fieldInfo, now: '2026-01-01T00:01:00Z' }).object;
  const relabel = { ...cfg, metadata: { name: 'p', labels: { app: 'b' } } };
  const ok = apply(tracked, { ...relabel, spec: { containers: [{ name: 'c', image: 'x:2' }] } },
    { manager: 'kubectl', apiVersion: 'v1', fieldInfo, now: '2026-01-01T00:02:00Z' });
  assert.equal((ok.object.metadata as any).labels.app, 'b');
  assert.throws(() => apply(tracked, relabel, { manager: 'kubectl', apiVersion: 'v1', fieldInfo, now: '2026-01-01T00:02:00Z' }),
    /conflict with "kubectl-patch" using v1: \.spec\.containers\[name="c"\]\.image/);
});
