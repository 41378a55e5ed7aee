/**
 * A built-in kind's body with a value of the wrong JSON type fails as upstream's decoder fails it
 * (the body is decoded into Go types before defaulting and validation): create and PUT answer 400
 * `<Kind> in version "v1" cannot be handled as a <Kind>: json: cannot unmarshal ...`
 * (handlers/rest.go transformDecodeError around sigs.k8s.io/json's UnmarshalTypeError); a JSON or
 * merge patch whose result does not decode is 422 Invalid on `patch` valued the patched JSON, a
 * strategic one 422 with the unstructured converter's words (handlers/patch.go); nothing is written.
 * Custom resources are not decoded into types: their wrong types stay the schema's 422.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually } from '../../testing/eventually.js';
import { RawClient, type RawResponse } from '../../testing/raw-client.js';
import { startTestServer, type TestServer } from '../../testing/test-cluster.js';

const PODS = '/api/v1/namespaces/default/pods';
const pod = (name: string, spec: Record<string, unknown> = {}): Record<string, unknown> => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec },
});

function badRequest(r: RawResponse, message: string): void {
  assert.equal(r.status, 400, r.body);
  assert.equal(r.json.reason, 'BadRequest');
  assert.equal(r.json.message, message);
}

describe('wrong JSON types in a built-in kind body', () => {
  let server: TestServer;
  let api: RawClient;
  before(async () => {
    server = await startTestServer();
    api = new RawClient(server.url, server.dataDir);
  });
  after(async () => {
    api?.close();
    await server?.stop();
  });

  test('create: 400 with the decoder message naming the Go struct field and type; nothing written', async () => {
    const cases: [Record<string, unknown>, string][] = [
      // The example, as upstream words it.
      [pod('dt-a', { containers: 'busybox' }), 'json: cannot unmarshal string into Go struct field PodSpec.spec.containers of type []v1.Container'],
      // The website's pod-with-node-affinity.yaml stored version: a list where NodeSelector is an object.
      [pod('dt-b', { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ nodeSelectorTerms: [] }] } } }),
        'json: cannot unmarshal array into Go struct field NodeAffinity.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution of type v1.NodeSelector'],
      // List indices and map keys are not in Go's path; the innermost struct names the field.
      [pod('dt-c', { containers: [{ name: 'c', image: 'busybox', args: ['x', 5] }] }), 'json: cannot unmarshal number into Go struct field Container.spec.containers.args of type string'],
      [pod('dt-d', { terminationGracePeriodSeconds: 'soon' }), 'json: cannot unmarshal string into Go struct field PodSpec.spec.terminationGracePeriodSeconds of type int64'],
      [pod('dt-e', { containers: [{ name: 'c', image: 'busybox', ports: [{ containerPort: 80.5 }] }] }), 'json: cannot unmarshal number 80.5 into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32'],
      [{ ...pod('dt-f'), metadata: { name: 'dt-f', labels: { a: true } } }, 'json: cannot unmarshal bool into Go struct field ObjectMeta.metadata.labels of type string'],
      [pod('dt-g', { hostNetwork: 'yes' }), 'json: cannot unmarshal string into Go struct field PodSpec.spec.hostNetwork of type bool'],
      // resource.Quantity's own UnmarshalJSON refuses it, without a field.
      [pod('dt-h', { containers: [{ name: 'c', image: 'busybox', resources: { limits: { cpu: { n: 1 } } } }] }), "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"],
      // ...and a string that is no quantity (Bosun stored `abc` before).
      [pod('dt-h2', { containers: [{ name: 'c', image: 'busybox', resources: { requests: { memory: 'abc' } } }] }), "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"],
      // Upstream saves the first type error and goes on; an Unmarshaler's error (IntOrString here) stops decoding and wins.
      [pod('dt-i', { hostNetwork: 'yes', containers: [{ name: 'c', image: 'busybox', readinessProbe: { httpGet: { port: true } } }] }),
        'json: cannot unmarshal bool into Go struct field HTTPGetAction.spec.containers.readinessProbe.httpGet.port of type int32'],
    ];
    for (const [body, why] of cases) {
      const r = await api.request(PODS, { method: 'POST', body: JSON.stringify(body) });
      badRequest(r, `Pod in version "v1" cannot be handled as a Pod: ${why}`);
      const name = (body.metadata as { name: string }).name;
      assert.equal((await api.request(`${PODS}/${name}`)).status, 404, `${name} was not stored`);
    }
    // A type error comes before field validation's unknown fields, as upstream's decoder returns it first.
    const r = await api.request(`${PODS}?fieldValidation=Strict`, { method: 'POST', body: JSON.stringify({ ...pod('dt-j', { containers: 'x' }), bogus: 1 }) });
    badRequest(r, 'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal string into Go struct field PodSpec.spec.containers of type []v1.Container');
  });

  test('update (PUT): 400 as on create, the stored object unchanged', async () => {
    const created = await api.request('/api/v1/namespaces/default/configmaps', { method: 'POST', body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dt-cm' }, data: { k: 'v' } }) });
    assert.equal(created.status, 201, created.body);
    const put = await api.request('/api/v1/namespaces/default/configmaps/dt-cm', { method: 'PUT', body: JSON.stringify({ ...created.json, data: ['k', 'v'] }) });
    badRequest(put, 'ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal array into Go struct field ConfigMap.data of type map[string]string');
    assert.deepEqual((await api.request('/api/v1/namespaces/default/configmaps/dt-cm')).json.data, { k: 'v' });
    const dep = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'dt-dep' }, spec: { replicas: 1, selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } } };
    const d = await api.request('/apis/apps/v1/namespaces/default/deployments', { method: 'POST', body: JSON.stringify(dep) });
    assert.equal(d.status, 201, d.body);
    const bad = await api.request('/apis/apps/v1/namespaces/default/deployments/dt-dep', { method: 'PUT', body: JSON.stringify({ ...d.json, spec: { ...d.json.spec, replicas: '3' } }) });
    badRequest(bad, 'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32');
  });

  test('patch: JSON and merge patches 422 on patch valued the patched JSON; strategic with the converter words', async () => {
    const path = '/api/v1/namespaces/default/configmaps/dt-cm-p';
    const c = await api.request('/api/v1/namespaces/default/configmaps', { method: 'POST', body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dt-cm-p' }, data: { k: 'v' } }) });
    assert.equal(c.status, 201, c.body);
    const merge = await api.request(path, { method: 'PATCH', headers: { 'Content-Type': 'application/merge-patch+json' }, body: JSON.stringify({ data: 'x' }) });
    assert.equal(merge.status, 422, merge.body);
    assert.equal(merge.json.reason, 'Invalid');
    const [cause] = merge.json.details.causes as { field: string; message: string }[];
    assert.equal(cause?.field, 'patch');
    assert.match(cause?.message ?? '', /^Invalid value: "\{.*\\"data\\":\\"x\\".*\}": json: cannot unmarshal string into Go struct field ConfigMap.data of type map\[string\]string$/);
    const jsonPatch = await api.request(path, { method: 'PATCH', headers: { 'Content-Type': 'application/json-patch+json' }, body: JSON.stringify([{ op: 'add', path: '/immutable', value: 'no' }]) });
    assert.equal(jsonPatch.status, 422, jsonPatch.body);
    assert.match(jsonPatch.json.details.causes[0].message, /json: cannot unmarshal string into Go struct field ConfigMap.immutable of type bool$/);
    const smp = await api.request(path, { method: 'PATCH', headers: { 'Content-Type': 'application/strategic-merge-patch+json' }, body: JSON.stringify({ data: 'x' }) });
    assert.equal(smp.status, 422, smp.body);
    assert.equal(smp.json.details.causes[0].message, 'Invalid value: "map[data:x]": cannot restore map from string');
    assert.deepEqual((await api.request(path)).json.data, { k: 'v' }, 'nothing was written');
  });

  test('custom resources are not decoded into types: a wrong type stays the schema 422', async () => {
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.dt.example.com' },
      spec: {
        group: 'dt.example.com', scope: 'Namespaced', names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } } } } }],
      },
    };
    const made = await api.request('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', { method: 'POST', body: JSON.stringify(crd) });
    assert.equal(made.status, 201, made.body);
    try {
      const body = JSON.stringify({ apiVersion: 'dt.example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { size: 'big' } });
      const r = await eventually(async () => {
        const res = await api.request('/apis/dt.example.com/v1/namespaces/default/widgets', { method: 'POST', body });
        return res.status === 404 ? undefined : res;
      }, 'the CRD is served');
      assert.equal(r.status, 422, r.body);
      assert.equal(r.json.reason, 'Invalid');
      assert.match(r.json.message, /spec.size: Invalid value: "string": spec.size in body must be of type integer: "string"/);
    } finally {
      await api.request('/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.dt.example.com', { method: 'DELETE' });
    }
  });
});
