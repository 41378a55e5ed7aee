/**
 * Client-side `kubectl apply`: the three-way strategic merge patches kubectl v1.32 really sends
 * (captured verbatim from `kubectl.1.32 apply` against a stub server, see
 * testdata/kubectl-apply-patches.json: last-applied-configuration annotation plus
 * `$setElementOrder`, `$patch: delete`, `$retainKeys`, nulls) applied to the live, server-defaulted
 * Deployment. Expected: what kube-apiserver stores — the edit made to the config, with
 * server-defaulted fields kubectl never mentioned left alone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { applyStrategicMergePatch } from './strategic-merge.js';
import { testFieldInfo } from '../testdata/field-info.js';

const LAST = 'kubectl.kubernetes.io/last-applied-configuration';
const fixture = JSON.parse(readFileSync(new URL('../testdata/kubectl-apply-patches.json', import.meta.url), 'utf8')) as {
  live: Record<string, any>;
  patches: Record<string, any>;
};

const edits: Record<string, (d: Record<string, any>) => void> = {
  image: (d) => { d.spec.template.spec.containers[0].image = 'nginx:1.26'; },
  env: (d) => { d.spec.template.spec.containers[0].env = [{ name: 'A', value: '1' }, { name: 'C', value: '3' }]; },
  addport: (d) => { d.spec.template.spec.containers[0].ports = [{ containerPort: 8443, name: 'https' }, { containerPort: 80, protocol: 'TCP' }]; },
  rmport: (d) => { delete d.spec.template.spec.containers[0].ports; },
  rmlabel: (d) => {
    delete d.metadata.labels.tier;
    delete d.spec.replicas;
  },
  rmsidecar: (d) => { d.spec.template.spec.containers.splice(1, 1); },
  addlog: (d) => { d.spec.template.spec.containers.splice(1, 0, { image: 'fluentd', name: 'log' }); },
  recreate: (d) => { d.spec.strategy = { type: 'Recreate' }; },
  command: (d) => { d.spec.template.spec.containers[1].command = ['sleep', '60']; },
};

for (const [name, edit] of Object.entries(edits)) {
  test(`kubectl 1.32 client-side apply patch: ${name}`, () => {
    const patch = fixture.patches[name];
    assert.ok(patch, `fixture has a patch for ${name}`);
    const expected = structuredClone(fixture.live);
    edit(expected);
    expected.metadata.annotations[LAST] = patch.metadata.annotations[LAST];
    const got = applyStrategicMergePatch(fixture.live, patch, testFieldInfo);
    assert.deepEqual(got, expected);
    // The annotation comes back exactly as sent (kubectl compares it on the next apply).
    assert.equal((got.metadata as any).annotations[LAST], patch.metadata.annotations[LAST]);
  });
}

test('kubectl 1.32 client-side apply: a later apply of the same config is a no-op patch target', () => {
  const once = applyStrategicMergePatch(fixture.live, fixture.patches.image, testFieldInfo);
  assert.deepEqual(applyStrategicMergePatch(once, fixture.patches.image, testFieldInfo), once);
});
