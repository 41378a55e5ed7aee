/**
 * Patch bodies other kubectl v1.32 commands send (captured verbatim from kubectl.1.32 against a
 * stub server, content type and fieldManager noted), applied to the live Deployment of
 * testdata/kubectl-apply-patches.json, with the managed-fields bookkeeping the write gets.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { patchObject, trackUpdate } from './index.js';
import { testFieldInfo } from './testdata/field-info.js';

const captured = (JSON.parse(readFileSync(new URL('./testdata/kubectl-apply-patches.json', import.meta.url), 'utf8')) as { live: Record<string, any> }).live;
// The live Deployment as `kubectl apply` created it: tracked from its creation (an untracked object stays untracked).
const live = trackUpdate(undefined, captured, { manager: 'kubectl-client-side-apply', apiVersion: 'apps/v1', fieldInfo: testFieldInfo, now: '2026-11-21T19:40:00Z' }).object as Record<string, any>;

const cases: { cmd: string; manager: string; type: 'merge' | 'strategic'; body: unknown; edit: (d: Record<string, any>) => void; owns: string[] }[] = [
  { cmd: 'label deployment web tier-', manager: 'kubectl-label', type: 'merge', body: { metadata: { labels: { tier: null } } },
    edit: (d) => { delete d.metadata.labels.tier; }, owns: [] },
  { cmd: 'label deployment web env=prod', manager: 'kubectl-label', type: 'merge', body: { metadata: { labels: { env: 'prod' } } },
    edit: (d) => { d.metadata.labels.env = 'prod'; }, owns: ['f:metadata', 'f:labels', 'f:env'] },
  { cmd: 'annotate deployment web note=x', manager: 'kubectl-annotate', type: 'merge', body: { metadata: { annotations: { note: 'x' } } },
    edit: (d) => { d.metadata.annotations.note = 'x'; }, owns: ['f:metadata', 'f:annotations', 'f:note'] },
  { cmd: 'set image deployment/web web=nginx:1.27', manager: 'kubectl-set', type: 'strategic',
    body: { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'web' }, { name: 'sidecar' }], containers: [{ image: 'nginx:1.27', name: 'web' }] } } } },
    edit: (d) => { d.spec.template.spec.containers[0].image = 'nginx:1.27'; },
    owns: ['f:spec', 'f:template', 'f:spec', 'f:containers', 'k:{"name":"web"}', 'f:image'] },
  { cmd: 'set env deployment/web --containers=web D=4', manager: 'kubectl-set', type: 'strategic',
    body: { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'web' }, { name: 'sidecar' }], containers: [{ '$setElementOrder/env': [{ name: 'A' }, { name: 'B' }, { name: 'D' }], env: [{ name: 'D', value: '4' }], name: 'web' }] } } } },
    edit: (d) => { d.spec.template.spec.containers[0].env.push({ name: 'D', value: '4' }); },
    owns: ['f:spec', 'f:template', 'f:spec', 'f:containers', 'k:{"name":"web"}', 'f:env', 'k:{"name":"D"}', 'f:value'] },
  { cmd: 'rollout restart deployment/web', manager: 'kubectl-rollout', type: 'strategic',
    body: { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-11-21T19:47:31Z' } } } } },
    edit: (d) => { d.spec.template.metadata.annotations = { 'kubectl.kubernetes.io/restartedAt': '2026-11-21T19:47:31Z' }; },
    owns: ['f:spec', 'f:template', 'f:metadata', 'f:annotations', 'f:kubectl.kubernetes.io/restartedAt'] },
  { cmd: "patch deployment web -p '{\"spec\":{\"replicas\":3}}'", manager: 'kubectl-patch', type: 'strategic', body: { spec: { replicas: 3 } },
    edit: (d) => { d.spec.replicas = 3; }, owns: ['f:spec', 'f:replicas'] },
];

for (const c of cases) {
  test(`kubectl ${c.cmd}`, () => {
    const expected = structuredClone(live);
    c.edit(expected);
    const patched = patchObject(c.type, live, c.body, testFieldInfo);
    assert.deepEqual(patched, expected);
    const { managedFields } = trackUpdate(live, patched, { manager: c.manager, apiVersion: 'apps/v1', fieldInfo: testFieldInfo, now: '2026-11-21T19:47:31Z' });
    const mine = managedFields.find((e) => e.manager === c.manager);
    if (c.owns.length === 0) assert.equal(mine, undefined, 'a pure removal owns nothing');
    else {
      let node: any = mine!.fieldsV1;
      for (const el of c.owns) {
        assert.ok(node[el], `${c.manager} owns ${c.owns.join(' ')}`);
        node = node[el];
      }
    }
  });
}
