/**
 * The contract with src/api/kinds: the real Deployment definition's `fieldInfo` gives the same
 * strategic-merge and server-side-apply results as this folder's test table, for the captured
 * kubectl 1.32 patches and an apply.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { byKind } from '../../api/registry.js';
import { apply, applyStrategicMergePatch } from './index.js';
import { testFieldInfo } from './testdata/field-info.js';

const def = byKind('apps', 'v1', 'Deployment');
const fixture = JSON.parse(readFileSync(new URL('./testdata/kubectl-apply-patches.json', import.meta.url), 'utf8')) as {
  live: Record<string, unknown>;
  patches: Record<string, unknown>;
};

test('registry Deployment fieldInfo: kubectl apply patches merge as with the test table', () => {
  assert.ok(def, 'apps/v1 Deployment is registered');
  const fieldInfo = def.fieldInfo.bind(def);
  for (const [name, patch] of Object.entries(fixture.patches)) {
    assert.deepEqual(applyStrategicMergePatch(fixture.live, patch, fieldInfo), applyStrategicMergePatch(fixture.live, patch, testFieldInfo), name);
  }
});

test('registry Deployment fieldInfo: server-side apply records the same FieldsV1', () => {
  assert.ok(def);
  const cfg = {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'w', labels: { a: 'b' }, finalizers: ['x/y'] },
    spec: { replicas: 1, selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: {
      containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 80 }], env: [{ name: 'E', value: '1' }], resources: { limits: { cpu: '1' } } }],
      volumes: [{ name: 'v', emptyDir: {} }], nodeSelector: { n: '1' },
    } } },
  };
  const now = '2026-01-01T00:00:00Z';
  const real = apply(undefined, cfg, { manager: 'k', apiVersion: 'apps/v1', fieldInfo: def.fieldInfo.bind(def), now });
  const table = apply(undefined, cfg, { manager: 'k', apiVersion: 'apps/v1', fieldInfo: testFieldInfo, now });
  assert.deepEqual(real.managedFields, table.managedFields);
});
