/**
 * Upstream's ServerSideApply tests (test/e2e/apimachinery/apply.go, releases v1.21) against a real
 * API server: apply creates, a second manager's identical apply shares ownership (exact fieldsV1),
 * apply reaches status only through /status, an owned field left out is removed, a field another
 * manager still owns stays, and a conflict (409 with causes) yields to force. Not from upstream's
 * file: kubectl apply --server-side of one HorizontalPodAutoscaler field through autoscaling/v1 and v2.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RawResponse } from '../testing/raw-client.js';
import { kubectlOk } from '../testing/kubectl-ok.js';
import { rawEnvForFile } from './testing/raw-env.js';

const NS = 'cf-apply';
const file = rawEnvForFile(NS);
const { raw } = file;


const apply = (path: string, body: string, manager: string, force = false): Promise<RawResponse> =>
  raw.request(`${path}?fieldManager=${manager}${force ? '&force=true' : ''}`, { method: 'PATCH', headers: { 'Content-Type': 'application/apply-patch+yaml' }, body });
const ok = (r: RawResponse): any => {
  assert.ok(r.status === 200 || r.status === 201, `${r.status} ${r.body}`);
  return r.json;
};

const deployment = (name: string, spec: string) => `{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "${name}", "labels": {"app": "nginx"}},
  "spec": {${spec} "selector": {"matchLabels": {"app": "nginx"}}, "template": {"metadata": {"labels": {"app": "nginx"}}, "spec": %POD%}}}`;
const nginx = (extra = '') => `{${extra}"containers": [{"name": "nginx", "image": "registry.k8s.io/e2e-test-images/nginx:1.15-4"%PORTS%}]}`;
const dep = (name: string, spec: string, pod: string, ports = '') => deployment(name, spec).replace('%POD%', pod.replace('%PORTS%', ports));
const deployments = `/apis/apps/v1/namespaces/${NS}/deployments`;

test('ServerSideApply should create an applied object if it does not already exist', async () => {
  const cases = [
    { resource: 'pods', name: 'test-pod', body: '{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "test-pod"}, "spec": {"containers": [{"name": "test-container", "image": "test-image"}]}}',
      fields: '{"f:spec":{"f:containers":{"k:{\\"name\\":\\"test-container\\"}":{".":{},"f:image":{},"f:name":{}}}}}' },
    { resource: 'services', name: 'test-svc', body: '{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "test-svc"}, "spec": {"ports": [{"port": 8080, "protocol": "UDP"}]}}',
      fields: '{"f:spec":{"f:ports":{"k:{\\"port\\":8080,\\"protocol\\":\\"UDP\\"}":{".":{},"f:port":{},"f:protocol":{}}}}}' },
  ];
  for (const c of cases) {
    const path = `/api/v1/namespaces/${NS}/${c.resource}/${c.name}`;
    ok(await apply(path, c.body, 'apply_test'));
    assert.equal((await raw.request(path)).status, 200);
    // The same apply by another manager: no conflict, and both own the same fields.
    const obj = ok(await apply(path, c.body, 'apply_test_2'));
    const entries = (obj.metadata.managedFields as { manager: string; fieldsV1: unknown }[]).filter((e) => e.manager === 'apply_test' || e.manager === 'apply_test_2');
    assert.equal(entries.length, 2);
    for (const e of entries) assert.equal(JSON.stringify(e.fieldsV1), c.fields, `${c.resource} ${e.manager}`);
  }
});

test('ServerSideApply should work for subresources', async () => {
  const path = `/api/v1/namespaces/${NS}/pods/sub-pod`;
  ok(await apply(path, '{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "sub-pod"}, "spec": {"containers": [{"name": "nginx", "image": "registry.k8s.io/e2e-test-images/nginx:1.15-4"}]}}', 'apply_test'));
  const statusPatch = '{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "sub-pod"}, "status": {"conditions": [{"type": "MyStatus", "status": "True"}]}}';
  const conditions = async () => ((await raw.request(path)).json.status?.conditions ?? []).map((c: { type: string }) => c.type) as string[];
  // Applied to the object, status is not touched ...
  ok(await apply(path, statusPatch, 'apply_test2'));
  assert.ok(!(await conditions()).includes('MyStatus'), 'apply to the main resource does not update status');
  // ... applied to /status, it is.
  ok(await apply(`${path}/status`, statusPatch, 'apply_test2'));
  assert.ok((await conditions()).includes('MyStatus'));
});

test('ServerSideApply should remove a field if it is owned but removed in the apply request', async () => {
  ok(await apply(`${deployments}/deployment`, dep('deployment', '"replicas": 3,', nginx(), ', "ports": [{"containerPort": 80, "protocol": "TCP"}]'), 'apply_test'));
  const after = ok(await apply(`${deployments}/deployment`, dep('deployment', '"replicas": 3,', nginx()), 'apply_test'));
  assert.equal(after.spec.template.spec.containers[0].ports, undefined, 'the port the manager stopped applying is gone');
  assert.equal((await raw.request(`${deployments}/deployment`)).json.spec.template.spec.containers[0].ports, undefined);
});

test('ServerSideApply should not remove a field if an owner unsets the field but other managers still have ownership of the field', async () => {
  const full = dep('deployment-shared-unset', '"replicas": 3,', nginx('"hostname": "test-hostname", '));
  for (const manager of ['shared_owner_1', 'shared_owner_2']) ok(await apply(`${deployments}/deployment-shared-unset`, full, manager));
  const patched = ok(await apply(`${deployments}/deployment-shared-unset`, dep('deployment-shared-unset', '', nginx()), 'shared_owner_1'));
  assert.equal(patched.spec.replicas, 3);
  assert.equal(patched.spec.template.spec.hostname, 'test-hostname');
});

test('ServerSideApply should ignore conflict errors if force apply is used', async () => {
  const body = dep('deployment-force', '"replicas": 3,', nginx());
  ok(await apply(`${deployments}/deployment-force`, body, 'apply_test'));
  assert.equal((await raw.send('PATCH', `${deployments}/deployment-force`, { spec: { replicas: 5 } }, { 'Content-Type': 'application/merge-patch+json' })).status, 200);
  const conflict = await apply(`${deployments}/deployment-force`, body, 'apply_test');
  assert.equal(conflict.status, 409, conflict.body);
  assert.equal(conflict.json.reason, 'Conflict');
  assert.ok(conflict.json.details.causes.length >= 1, 'at least one conflict named');
  const forced = ok(await apply(`${deployments}/deployment-force`, body, 'apply_test', true));
  assert.equal(forced.spec.replicas, 3);
});

test('kubectl apply --server-side: an autoscaling/v2 manager conflicts with the autoscaling/v1 owner of the CPU target, and --force-conflicts takes it', async () => {
  const spec = 'scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n  maxReplicas: 5';
  const v1 = `apiVersion: autoscaling/v1\nkind: HorizontalPodAutoscaler\nmetadata: {name: web, namespace: ${NS}}\nspec:\n  ${spec}\n  targetCPUUtilizationPercentage: 50\n`;
  const v2 = `apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: web, namespace: ${NS}}\nspec:\n  ${spec}\n`
    + '  metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}}]\n';
  const ssa = (manager: string, ...extra: string[]) => ['apply', '--server-side', `--field-manager=${manager}`, ...extra, '-f', '-'];
  await kubectlOk(file.ts, ssa('owner-v1'), { input: v1 });
  const refused = await file.ts.kubectl(ssa('tuner-v2'), { input: v2 });
  assert.notEqual(refused.code, 0, refused.stdout);
  assert.match(refused.stderr, /Apply failed with 1 conflict: conflict with "owner-v1": \.spec\.targetCPUUtilizationPercentage/);
  await kubectlOk(file.ts, ssa('tuner-v2', '--force-conflicts'), { input: v2 });
  const got = await kubectlOk(file.ts, ['get', 'horizontalpodautoscalers.v1.autoscaling', 'web', '-n', NS, '-o', 'json']);
  const hpa = JSON.parse(got) as { spec: { targetCPUUtilizationPercentage: number } };
  assert.equal(hpa.spec.targetCPUUtilizationPercentage, 70);
  const again = await file.ts.kubectl(ssa('owner-v1'), { input: v1 });
  assert.match(again.stderr, /conflict with "tuner-v2": \.spec\.metrics/);
});
