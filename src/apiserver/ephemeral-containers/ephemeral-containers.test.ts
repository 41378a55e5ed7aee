/**
 * pods/ephemeralcontainers as kube-apiserver serves it (pkg/registry/core/pod/storage EphemeralContainersREST,
 * strategy podEphemeralContainersStrategy, validation ValidatePodEphemeralContainersUpdate and
 * validateEphemeralContainers in pkg/apis/core/validation): the real kubectl debug PATCHes it with a
 * strategic merge patch; entries may be added, never changed or removed; the main pod update may
 * not touch them. An in-process API server without nodes (the pods are never run).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { RawClient } from '../../testing/raw-client.js';
import { startTestServer, type TestServer } from '../../testing/test-cluster.js';
import type { AdmissionRequest } from '../admission/dynamic/admission-review.js';
import { startWebhookServer, type TestWebhookServer } from '../admission/dynamic/testing/webhook-server.js';

const NS = 'eph-api';
const BASE = `/api/v1/namespaces/${NS}/pods`;
const POD = {
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'eph-web', labels: { app: 'eph' } },
  spec: { containers: [{ name: 'app', image: 'bosun.test/busybox:1', command: ['sleep', '3600'] }] },
};
const debugger1 = { name: 'debugger', image: 'bosun.test/busybox:1', command: ['sh'], stdin: true, tty: true, targetContainerName: 'app' };

describe('pods/ephemeralcontainers', { timeout: 120_000 }, () => {
  let srv: TestServer;
  let raw: RawClient;
  let hooks: TestWebhookServer | undefined;
  const patch = (body: unknown, type = 'strategic-merge-patch+json', name = 'eph-web') =>
    raw.request(`${BASE}/${name}/ephemeralcontainers`, { method: 'PATCH', headers: { 'Content-Type': `application/${type}` }, body: JSON.stringify(body) });

  before(async () => {
    srv = await startTestServer();
    raw = new RawClient(srv.url, srv.dataDir);
    assert.equal((await raw.request('/api/v1/namespaces', { method: 'POST', body: JSON.stringify({ metadata: { name: NS } }) })).status, 201);
    const made = await raw.request(BASE, { method: 'POST', body: JSON.stringify(POD) });
    assert.equal(made.status, 201, made.body);
  });
  after(async () => {
    await srv?.stop();
    await hooks?.close();
  });

  test('discovery lists pods/ephemeralcontainers (kind Pod; get, patch, update) and GET answers the Pod', async () => {
    const list = (await raw.request('/api/v1')).json;
    const sub = list.resources.find((r: { name: string }) => r.name === 'pods/ephemeralcontainers');
    assert.deepEqual(sub && { kind: sub.kind, verbs: sub.verbs }, { kind: 'Pod', verbs: ['get', 'patch', 'update'] });
    const got = await raw.request(`${BASE}/eph-web/ephemeralcontainers`);
    assert.equal(got.status, 200, got.body);
    assert.equal(got.json.kind, 'Pod');
    assert.equal(got.json.metadata.name, 'eph-web');
  });

  test('a create naming ephemeral containers is refused (ValidatePodCreate)', async () => {
    const r = await raw.request(BASE, { method: 'POST', body: JSON.stringify({ ...POD, metadata: { name: 'eph-bad' }, spec: { ...POD.spec, ephemeralContainers: [debugger1] } }) });
    assert.equal(r.status, 422, r.body);
    assert.match(r.json.message, /spec\.ephemeralContainers: Forbidden: cannot be set on create/);
  });

  test('kubectl debug adds one by a strategic merge patch; labels sent along are not changed', async () => {
    const out = await srv.kubectl(['debug', '-n', NS, 'eph-web', '--image=bosun.test/busybox:1', '--target=app', '-c', 'debugger', '--', 'sh', '-c', 'ps; sleep 3600']);
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout + out.stderr, /Targeting container "app"/);
    const pod = (await raw.request(`${BASE}/eph-web`)).json;
    const ec = pod.spec.ephemeralContainers;
    assert.deepEqual(ec.map((c: { name: string }) => c.name), ['debugger']);
    assert.equal(ec[0].targetContainerName, 'app');
    assert.deepEqual(ec[0].command, ['sh', '-c', 'ps; sleep 3600']);
    // Defaults as every container's (SetDefaults_EphemeralContainer through the Container defaults).
    assert.equal(ec[0].terminationMessagePath, '/dev/termination-log');
    // Only spec.ephemeralContainers moves through the subresource (dropNonEphemeralContainerUpdates).
    // As kubectl's CreateTwoWayMergePatch writes it: the list's order in a directive.
    const order = [{ name: 'debugger' }, { name: 'second' }];
    const r = await patch({ metadata: { labels: { app: 'changed' } }, spec: { '$setElementOrder/ephemeralContainers': order, ephemeralContainers: [{ ...debugger1, name: 'second' }] } });
    assert.equal(r.status, 200, r.body);
    assert.deepEqual(r.json.metadata.labels, { app: 'eph' });
    assert.deepEqual(r.json.spec.ephemeralContainers.map((c: { name: string }) => c.name), ['debugger', 'second']);
    const managers = (r.json.metadata.managedFields as { manager: string; subresource?: string }[]).filter((m) => m.subresource === 'ephemeralcontainers');
    assert.ok(managers.length > 0, 'field ownership recorded under the subresource');
  });

  test('an existing ephemeral container may not be changed or removed (422 on spec.ephemeralContainers)', async () => {
    const changed = await patch([{ op: 'replace', path: '/spec/ephemeralContainers/0/image', value: 'bosun.test/other:1' }], 'json-patch+json');
    assert.equal(changed.status, 422, changed.body);
    assert.equal(changed.json.reason, 'Invalid');
    assert.equal(changed.json.details.causes[0].field, 'spec.ephemeralContainers');
    // Upstream's message ends with go-cmp's cmp.Diff of the internal EphemeralContainer (its plain-space form).
    assert.equal(changed.json.message, `Pod "eph-web" is invalid: spec.ephemeralContainers: Forbidden: existing ephemeral containers "debugger" may not be changed
  core.EphemeralContainer{
  \tEphemeralContainerCommon: core.EphemeralContainerCommon{
  \t\tName:    "debugger",
- \t\tImage:   "bosun.test/busybox:1",
+ \t\tImage:   "bosun.test/other:1",
  \t\tCommand: {"sh", "-c", "ps; sleep 3600"},
  \t\tArgs:    nil,
  \t\t... // 20 identical fields
  \t},
  \tTargetContainerName: "app",
  }
`);
    const target = await patch([{ op: 'replace', path: '/spec/ephemeralContainers/0/targetContainerName', value: 'other' }], 'json-patch+json');
    assert.equal(target.status, 422, target.body);
    // The other field changed: the unchanged struct on one line (zero fields elided, four shown), keys aligned with it.
    assert.equal(target.json.message.slice(target.json.message.indexOf('spec.ephemeralContainers: Forbidden')), `spec.ephemeralContainers: Forbidden: existing ephemeral containers "debugger" may not be changed
  core.EphemeralContainer{
  \tEphemeralContainerCommon: {Name: "debugger", Image: "bosun.test/busybox:1", Command: {"sh", "-c", "ps; sleep 3600"}, TerminationMessagePath: "/dev/termination-log", ...},
- \tTargetContainerName:      "app",
+ \tTargetContainerName:      "other",
  }
`);
    const removed = await patch({ spec: { ephemeralContainers: [] } }, 'merge-patch+json');
    assert.equal(removed.status, 422, removed.body);
    assert.match(removed.json.message, /existing ephemeral containers "debugger" may not be removed/);
  });

  test('ports, probes, resources and lifecycle are refused; the target must be a container of the pod', async () => {
    const r = await patch({
      spec: {
        ephemeralContainers: [{
          name: 'bad', image: 'bosun.test/busybox:1', targetContainerName: 'nope', ports: [{ containerPort: 80 }],
          readinessProbe: { exec: { command: ['true'] } }, resources: { limits: { cpu: '1' } }, lifecycle: { preStop: { exec: { command: ['true'] } } },
        }],
      },
    });
    assert.equal(r.status, 422, r.body);
    const fields = (r.json.details.causes as { field: string }[]).map((c) => c.field).sort();
    for (const f of ['ports', 'readinessProbe', 'resources', 'lifecycle', 'targetContainerName']) {
      assert.ok(fields.some((x) => new RegExp(`^spec\\.ephemeralContainers\\[\\d\\]\\.${f}$`).test(x)), `${f} in ${fields.join(', ')}`);
    }
    const dup = await patch({ spec: { ephemeralContainers: [{ name: 'app', image: 'bosun.test/busybox:1' }] } });
    assert.equal(dup.status, 422, dup.body);
    assert.match(dup.json.message, /spec\.ephemeralContainers\[\d\]\.name: Duplicate value: "app"/);
  });

  test('the main resource may not change them, and other pod updates still work with them present', async () => {
    const pod = (await raw.request(`${BASE}/eph-web`)).json;
    const put = await raw.request(`${BASE}/eph-web`, { method: 'PUT', body: JSON.stringify({ ...pod, spec: { ...pod.spec, ephemeralContainers: [pod.spec.ephemeralContainers[0]] } }) });
    assert.equal(put.status, 422, put.body);
    assert.match(put.json.message, /spec: Forbidden: pod updates may not change fields other than/);
    const labelled = await raw.request(`${BASE}/eph-web`, { method: 'PATCH', headers: { 'Content-Type': 'application/merge-patch+json' }, body: JSON.stringify({ metadata: { labels: { extra: 'yes' } } }) });
    assert.equal(labelled.status, 200, labelled.body);
    const status = await raw.request(`${BASE}/eph-web/status`, { method: 'PATCH', headers: { 'Content-Type': 'application/merge-patch+json' }, body: JSON.stringify({ status: { ephemeralContainerStatuses: [{ name: 'debugger', image: 'bosun.test/busybox:1', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }] } }) });
    assert.equal(status.status, 200, status.body);
  });

  test('a PUT to the subresource adds too; a missing pod is 404', async () => {
    const pod = (await raw.request(`${BASE}/eph-web/ephemeralcontainers`)).json;
    pod.spec.ephemeralContainers.push({ name: 'third', image: 'bosun.test/busybox:1' });
    const put = await raw.request(`${BASE}/eph-web/ephemeralcontainers`, { method: 'PUT', body: JSON.stringify(pod) });
    assert.equal(put.status, 200, put.body);
    assert.deepEqual(put.json.spec.ephemeralContainers.map((c: { name: string }) => c.name), ['debugger', 'second', 'third']);
    const missing = await patch({ spec: { ephemeralContainers: [debugger1] } }, 'strategic-merge-patch+json', 'nobody');
    assert.equal(missing.status, 404, missing.body);
  });

  test('RBAC: its own resource pods/ephemeralcontainers, which the edit role does not grant (upstream bootstrap policy)', async () => {
    const asUser = { 'Impersonate-User': 'eph-dana' };
    const send = (path: string, method: string, body: unknown, type = 'application/json') =>
      raw.request(path, { method, headers: { ...asUser, 'Content-Type': type }, body: JSON.stringify(body) });
    const rbac = `/apis/rbac.authorization.k8s.io/v1/namespaces/${NS}`;
    const bind = (name: string, kind: string, role: string) => raw.request(`${rbac}/rolebindings`, {
      method: 'POST', body: JSON.stringify({ metadata: { name }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind, name: role }, subjects: [{ kind: 'User', name: 'eph-dana' }] }),
    });
    assert.equal((await bind('eph-edit', 'ClusterRole', 'edit')).status, 201);
    const body = { spec: { ephemeralContainers: [{ name: 'by-dana', image: 'bosun.test/busybox:1' }] } };
    const path = `${BASE}/eph-web/ephemeralcontainers`;
    const denied = await send(path, 'PATCH', body, 'application/strategic-merge-patch+json');
    assert.equal(denied.status, 403, denied.body);
    assert.match(denied.json.message, /cannot patch resource "pods\/ephemeralcontainers" in API group "" in the namespace "eph-api"/);
    const role = { metadata: { name: 'eph-debugger' }, rules: [{ apiGroups: [''], resources: ['pods/ephemeralcontainers'], verbs: ['patch'] }] };
    assert.equal((await raw.request(`${rbac}/roles`, { method: 'POST', body: JSON.stringify(role) })).status, 201);
    assert.equal((await bind('eph-debugger', 'Role', 'eph-debugger')).status, 201);
    const allowed = await send(path, 'PATCH', body, 'application/strategic-merge-patch+json');
    assert.equal(allowed.status, 200, allowed.body);
  });

  test('a validating webhook whose rules name pods/ephemeralcontainers gets upstream\'s AdmissionReview (kind Pod, subResource ephemeralcontainers, UPDATE) and may refuse; a "pods" rule is not called', async () => {
    hooks = await startWebhookServer({
      '/ephemeral': (req) => (req.object?.spec?.ephemeralContainers?.some((c: { name: string }) => c.name === 'refused')
        ? { allowed: false, status: { message: 'no debugging here', code: 403, reason: 'Forbidden' } }
        : { allowed: true }),
      '/pods': () => ({ allowed: true }),
      // Adds an env var to the container named "mutated" and a label: as upstream (mutating admission,
      // then the strategy's dropNonEphemeralContainerUpdates) only the first is kept.
      '/mutate': (req) => {
        const n = ((req.object?.spec?.ephemeralContainers ?? []) as { name: string }[]).findIndex((c) => c.name === 'mutated');
        const ops = [{ op: 'add', path: `/spec/ephemeralContainers/${n}/env`, value: [{ name: 'INJECTED', value: 'yes' }] }, { op: 'add', path: '/metadata/labels/mutated', value: 'yes' }];
        return { allowed: true, patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(ops)).toString('base64') };
      },
    });
    const hook = (name: string, path: string, resources: string) => `- name: ${name}
  clientConfig: {url: "https://127.0.0.1:${hooks!.port}${path}", caBundle: ${hooks!.caBundle}}
  rules: [{operations: [UPDATE], apiGroups: [""], apiVersions: [v1], resources: [${resources}]}]
  namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ${NS}}}
  sideEffects: None
  admissionReviewVersions: [v1]
`;
    const applied = await srv.kubectl(['apply', '-f', '-'], { input: `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: eph-validate}
webhooks:
${hook('ephemeral.eph.example.com', '/ephemeral', 'pods/ephemeralcontainers')}${hook('pods.eph.example.com', '/pods', 'pods')}` });
    assert.equal(applied.code, 0, applied.stderr);
    try {
      const out = await srv.kubectl(['debug', '-n', NS, 'eph-web', '--image=bosun.test/busybox:1', '-c', 'webhooked', '--', 'true']);
      assert.equal(out.code, 0, out.stderr);
      const reqs = (hooks.received.get('/ephemeral') ?? []) as AdmissionRequest[];
      assert.equal(reqs.length, 1, 'called once');
      const r = reqs[0]!;
      assert.deepEqual(
        { kind: r.kind, resource: r.resource, subResource: r.subResource, requestKind: r.requestKind, requestResource: r.requestResource, requestSubResource: r.requestSubResource, operation: r.operation, name: r.name, namespace: r.namespace, options: r.options?.kind },
        { kind: { group: '', version: 'v1', kind: 'Pod' }, resource: { group: '', version: 'v1', resource: 'pods' }, subResource: 'ephemeralcontainers',
          requestKind: { group: '', version: 'v1', kind: 'Pod' }, requestResource: { group: '', version: 'v1', resource: 'pods' }, requestSubResource: 'ephemeralcontainers',
          operation: 'UPDATE', name: 'eph-web', namespace: NS, options: 'UpdateOptions' });
      // The whole Pod, before and after: only the new ephemeral container differs.
      const names = (o: unknown) => ((o as { spec: { ephemeralContainers?: { name: string }[] } }).spec.ephemeralContainers ?? []).map((c) => c.name);
      assert.deepEqual(names(r.object).filter((n) => !names(r.oldObject).includes(n)), ['webhooked']);
      assert.equal((r.object as { kind: string }).kind, 'Pod');
      assert.equal(hooks.received.get('/pods'), undefined, 'a rule for "pods" does not match the subresource');
      const refused = await patch({ spec: { ephemeralContainers: [{ name: 'refused', image: 'bosun.test/busybox:1' }] } });
      assert.equal(refused.status, 403, refused.body);
      assert.equal(refused.json.message, 'admission webhook "ephemeral.eph.example.com" denied the request: no debugging here');
      const pod = (await raw.request(`${BASE}/eph-web`)).json;
      assert.ok(!names(pod).includes('refused'), 'nothing was written');
    } finally {
      await srv.kubectl(['delete', 'validatingwebhookconfiguration', 'eph-validate']);
    }
  });

  test('a mutating webhook on pods/ephemeralcontainers changes the new container; its label change is dropped (dropNonEphemeralContainerUpdates after admission)', async () => {
    assert.ok(hooks, 'the webhook server of the test before');
    const applied = await srv.kubectl(['apply', '-f', '-'], { input: `apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: {name: eph-mutate}
webhooks:
- name: mutate.eph.example.com
  clientConfig: {url: "https://127.0.0.1:${hooks.port}/mutate", caBundle: ${hooks.caBundle}}
  rules: [{operations: [UPDATE], apiGroups: [""], apiVersions: [v1], resources: [pods/ephemeralcontainers]}]
  namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ${NS}}}
  sideEffects: None
  admissionReviewVersions: [v1]
` });
    assert.equal(applied.code, 0, applied.stderr);
    try {
      const r = await patch({ spec: { ephemeralContainers: [{ name: 'mutated', image: 'bosun.test/busybox:1' }] } });
      assert.equal(r.status, 200, r.body);
      const ec = (r.json.spec.ephemeralContainers as { name: string; env?: unknown }[]).find((c) => c.name === 'mutated');
      assert.deepEqual(ec?.env, [{ name: 'INJECTED', value: 'yes' }]);
      assert.equal(r.json.metadata.labels.mutated, undefined);
      const req = hooks.received.get('/mutate')?.at(-1);
      assert.deepEqual([req?.operation, req?.subResource, req?.kind.kind], ['UPDATE', 'ephemeralcontainers', 'Pod']);
    } finally {
      await srv.kubectl(['delete', 'mutatingwebhookconfiguration', 'eph-mutate']);
    }
  });
});
