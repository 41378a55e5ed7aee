/**
 * Upstream's FieldValidation conformance tests (test/e2e/apimachinery/field_validation.go) against
 * a real API server: fieldValidation=Strict on a typed object (unknown and duplicate fields, unknown
 * metadata) and on custom resources applied as YAML (no schema, a valid CR, an unknown root field,
 * unknown metadata in the root and an embedded object, a duplicate key under preserved unknown
 * fields), with the messages upstream's test looks for.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually } from '../testing/eventually.js';
import { rawEnvForFile } from './testing/raw-env.js';

const NS = 'cf-field-validation';
const file = rawEnvForFile(NS);
const { raw } = file;
let seq = 0;


const deployment = (spec: string, meta = '') => `{"apiVersion": "apps/v1", "kind": "Deployment",
  "metadata": {"name": "my-dep", ${meta} "labels": {"app": "nginx"}},
  "spec": {${spec} "selector": {"matchLabels": {"app": "nginx"}},
    "template": {"metadata": {"labels": {"app": "nginx"}}, "spec": {"containers": [{"name": "nginx", "image": "nginx:latest"}]}}}}`;
const strictPost = (body: string) => raw.request(`/apis/apps/v1/namespaces/${NS}/deployments?fieldManager=field_validation_mgr&fieldValidation=Strict`, {
  method: 'POST', headers: { 'Content-Type': 'application/json' }, body,
});

test('[sig-api-machinery] FieldValidation should detect unknown and duplicate fields of a typed object [Conformance]', async () => {
  const r = await strictPost(deployment('"unknownField": "foo", "replicas": 2, "replicas": 3,'));
  assert.equal(r.status, 400, r.body);
  assert.ok(r.json.message.includes('strict decoding error: unknown field "spec.unknownField", duplicate field "spec.replicas"'), r.json.message);
});

test('[sig-api-machinery] FieldValidation should detect unknown metadata fields of a typed object [Conformance]', async () => {
  const r = await strictPost(deployment('', '"unknownMeta": "foo",'));
  assert.equal(r.status, 400, r.body);
  assert.ok(r.json.message.includes('strict decoding error: unknown field "metadata.unknownMeta"'), r.json.message);
});

const portsSchema = {
  type: 'array', 'x-kubernetes-list-map-keys': ['containerPort', 'protocol'], 'x-kubernetes-list-type': 'map',
  items: {
    type: 'object', required: ['containerPort', 'protocol'],
    properties: { containerPort: { format: 'int32', type: 'integer' }, hostIP: { type: 'string' }, hostPort: { format: 'int32', type: 'integer' }, name: { type: 'string' }, protocol: { type: 'string' } },
  },
};
const specProps = { foo: { type: 'string' }, cronSpec: { type: 'string', pattern: '^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$' }, ports: portsSchema };
const validationSchema = { type: 'object', properties: { spec: { type: 'object', properties: specProps } } };

/** upstream's NewRandomNameMultipleVersionCustomResourceDefinition (cluster-scoped, v1beta1 stored, v1 served), with `schema`. */
async function createCrd(schema: object = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }): Promise<{ path: string; apiVersion: string; kind: string; name: string }> {
  const kind = `E2eFv${++seq}`;
  const plural = `${kind.toLowerCase()}s`;
  const name = `${plural}.mygroup.example.com`;
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name },
    spec: {
      group: 'mygroup.example.com', scope: 'Cluster', names: { plural, singular: kind.toLowerCase(), kind, listKind: `${kind}List` },
      versions: [
        { name: 'v1beta1', served: true, storage: true, schema: { openAPIV3Schema: schema } },
        { name: 'v1', served: true, storage: false, schema: { openAPIV3Schema: schema } },
      ],
    },
  };
  const r = await raw.send('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd);
  assert.equal(r.status, 201, r.body);
  const path = `/apis/mygroup.example.com/v1beta1/${plural}`;
  await eventually(async () => (await raw.request(path)).status === 200, 'the custom resource to be served');
  return { path, apiVersion: 'mygroup.example.com/v1beta1', kind, name };
}

/** Server-side apply of a YAML body, Strict, as upstream's rest.Patch(ApplyPatchType). */
const applyYaml = (path: string, name: string, yaml: string) => raw.request(`${path}/${name}?fieldManager=field_validation_mgr&fieldValidation=Strict`, {
  method: 'PATCH', headers: { 'Content-Type': 'application/apply-patch+yaml' }, body: yaml,
});
const ports = '  cronSpec: "* * * * */5"\n  ports:\n  - name: x\n    containerPort: 80\n    protocol: TCP';
const deleteCrd = (name: string) => raw.request(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`, { method: 'DELETE' });

test('[sig-api-machinery] FieldValidation should create/apply a valid CR for CRD with validation schema [Conformance]', async () => {
  const crd = await createCrd(validationSchema);
  const r = await applyYaml(crd.path, 'mytest', `apiVersion: ${crd.apiVersion}\nkind: ${crd.kind}\nmetadata:\n  name: mytest\nspec:\n  foo: foo1\n${ports}`);
  assert.equal(r.status, 201, r.body);
  await deleteCrd(crd.name);
});

test('[sig-api-machinery] FieldValidation should create/apply a CR with unknown fields for CRD with no validation schema [Conformance]', async () => {
  const crd = await createCrd();
  const r = await applyYaml(crd.path, 'mytest', `apiVersion: ${crd.apiVersion}\nkind: ${crd.kind}\nmetadata:\n  name: mytest\nspec:\n  unknown: uk1\n${ports}`);
  assert.equal(r.status, 201, r.body);
  await deleteCrd(crd.name);
});

test('[sig-api-machinery] FieldValidation should create/apply an invalid CR with extra properties for CRD with validation schema [Conformance]', async () => {
  const crd = await createCrd(validationSchema);
  const r = await applyYaml(crd.path, 'mytest', `apiVersion: ${crd.apiVersion}\nkind: ${crd.kind}\nmetadata:\n  name: mytest\nunknownField: unknown\nspec:\n  foo: foo1\n${ports}`);
  assert.ok(r.body.includes('.unknownField: field not declared in schema'), `${r.status} ${r.body}`);
  await deleteCrd(crd.name);
});

test('[sig-api-machinery] FieldValidation should detect unknown metadata fields in both the root and embedded object of a CR [Conformance]', async () => {
  const schema = {
    type: 'object',
    properties: {
      spec: {
        type: 'object', 'x-kubernetes-preserve-unknown-fields': true,
        properties: {
          template: { type: 'object', 'x-kubernetes-embedded-resource': true, properties: { metadata: { type: 'object', properties: { name: { type: 'string' } } }, spec: { type: 'object' } } },
          ...specProps,
        },
      },
    },
  };
  const crd = await createCrd(schema);
  const yaml = `apiVersion: ${crd.apiVersion}\nkind: ${crd.kind}\nmetadata:\n  name: mytest\n  unknownMeta: unknown\nspec:\n  template:\n    apiversion: foo/v1\n    kind: Sub\n    metadata:\n        unknownSubMeta: unknown\n        name: subobject\n        namespace: ${NS}\n  foo: foo1\n${ports}`;
  const r = await applyYaml(crd.path, 'mytest', yaml);
  assert.ok(r.body.includes('.spec.template.metadata.unknownSubMeta: field not declared in schema') || r.body.includes('.metadata.unknownMeta: field not declared in schema'), `${r.status} ${r.body}`);
  await deleteCrd(crd.name);
});

test('[sig-api-machinery] FieldValidation should detect duplicates in a CR when preserving unknown fields [Conformance]', async () => {
  const crd = await createCrd({ type: 'object', properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: specProps } } });
  const yaml = `\napiVersion: ${crd.apiVersion}\nkind: ${crd.kind}\nmetadata:\n  name: mytest\nspec:\n  unknown: uk1\n  foo: foo1\n  foo: foo2\n${ports}`;
  const r = await applyYaml(crd.path, 'mytest', yaml);
  assert.ok(r.body.includes('line 9: key \\"foo\\" already set in map'), `${r.status} ${r.body}`);
  await deleteCrd(crd.name);
});
