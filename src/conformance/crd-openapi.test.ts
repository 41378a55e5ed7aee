/**
 * Upstream's CustomResourcePublishOpenAPI conformance tests (test/e2e/apimachinery/
 * crd_publish_openapi.go) against a real API server and the real kubectl: a CRD's versions are
 * published in /openapi/v2 under upstream's definition names (group reversed, version, kind), across
 * groups, versions and kinds, follow a version's rename and its serving being turned off, and kubectl
 * validates and explains custom resources from them (a schema, preserved unknown fields at the root
 * and in an embedded object).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kubectlOk } from '../testing/kubectl-ok.js';
import { eventually } from '../testing/eventually.js';
import { rawEnvForFile } from './testing/raw-env.js';

const NS = 'cf-crd-publish-openapi';
const file = rawEnvForFile(NS);
const { raw } = file;
let seq = 0;


interface Version { name: string; served?: boolean; storage?: boolean; schema?: object }
interface Crd { group: string; kind: string; plural: string; name: string; versions: Version[] }

const waiterSchema = {
  type: 'object', description: 'Foo CRD for Testing',
  properties: {
    spec: {
      type: 'object', description: 'Specification of Foo',
      properties: { bars: { type: 'array', description: 'List of Bars and their specs.', items: { type: 'object', required: ['name'], properties: { name: { type: 'string', description: 'Name of Bar.' }, age: { type: 'string', description: 'Age of Bar.' }, bazs: { type: 'array', description: 'List of Bazs.', items: { type: 'string' } } } } } },
    },
    status: { type: 'object', description: 'Status of Foo', properties: { bars: { type: 'array', description: 'List of Bars and their statuses.', items: { type: 'object', properties: { name: { type: 'string' }, available: { type: 'boolean' } } } } } },
  },
};

async function createCrd(versions: Version[], group = `crd-publish-openapi-test-${++seq}.example.com`, kind = `E2eTestCrdPublishOpenapi${++seq}Crd`): Promise<Crd> {
  const plural = `${kind.toLowerCase()}s`;
  const crd: Crd = { group, kind, plural, name: `${plural}.${group}`, versions };
  const r = await raw.send('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: crd.name },
    spec: {
      group, scope: 'Namespaced', names: { plural, singular: kind.toLowerCase(), kind, listKind: `${kind}List` },
      versions: versions.map((v, i) => ({ name: v.name, served: v.served ?? true, storage: v.storage ?? i === 0, schema: { openAPIV3Schema: v.schema ?? waiterSchema } })),
    },
  });
  assert.equal(r.status, 201, r.body);
  return crd;
}

const definition = (c: Crd, version: string) => `${c.group.split('.').reverse().join('.')}.${version}.${c.kind}`;
const definitions = async (): Promise<Record<string, unknown>> => (await raw.request('/openapi/v2', { headers: { Accept: 'application/json' } })).json.definitions;
const published = (c: Crd, version: string) => eventually(async () => definition(c, version) in await definitions(), `${definition(c, version)} in /openapi/v2`);
const unpublished = (c: Crd, version: string) => eventually(async () => !(definition(c, version) in await definitions()), `${definition(c, version)} gone from /openapi/v2`);
const deleteCrd = (c: Crd) => raw.request(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${c.name}`, { method: 'DELETE' });

test('[sig-api-machinery] CustomResourcePublishOpenAPI [Privileged:ClusterAdmin] works for multiple CRDs of different groups [Conformance]', async () => {
  const a = await createCrd([{ name: 'v1' }]);
  const b = await createCrd([{ name: 'v1' }]);
  await published(a, 'v1');
  await published(b, 'v1');
  await deleteCrd(a);
  await deleteCrd(b);
});

test('[sig-api-machinery] CustomResourcePublishOpenAPI [Privileged:ClusterAdmin] works for multiple CRDs of same group but different versions [Conformance]', async () => {
  const multi = await createCrd([{ name: 'v2' }, { name: 'v3' }]);
  await published(multi, 'v2');
  await published(multi, 'v3');
  await deleteCrd(multi);
  const group = `crd-publish-openapi-test-multi-ver-${++seq}.example.com`;
  const a = await createCrd([{ name: 'v5' }], group, `E2eTestCrdPublishOpenapi${++seq}Crd`);
  const b = await createCrd([{ name: 'v6' }], group, `E2eTestCrdPublishOpenapi${++seq}Crd`);
  await published(a, 'v5');
  await published(b, 'v6');
  await deleteCrd(a);
  await deleteCrd(b);
});

test('[sig-api-machinery] CustomResourcePublishOpenAPI [Privileged:ClusterAdmin] works for multiple CRDs of same group and version but different kinds [Conformance]', async () => {
  const group = `crd-publish-openapi-test-multi-kind-${++seq}.example.com`;
  const a = await createCrd([{ name: 'v6' }], group, `E2eTestCrdPublishOpenapi${++seq}Crd`);
  const b = await createCrd([{ name: 'v6' }], group, `E2eTestCrdPublishOpenapi${++seq}Crd`);
  await published(a, 'v6');
  await published(b, 'v6');
  await deleteCrd(a);
  await deleteCrd(b);
});

test('[sig-api-machinery] CustomResourcePublishOpenAPI [Privileged:ClusterAdmin] updates the published spec when one version gets renamed [Conformance]', async () => {
  const c = await createCrd([{ name: 'v2' }, { name: 'v3', storage: false }]);
  await published(c, 'v2');
  await published(c, 'v3');
  const r = await raw.send('PATCH', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${c.name}`, [{ op: 'replace', path: '/spec/versions/1/name', value: 'v4' }], { 'Content-Type': 'application/json-patch+json' });
  assert.equal(r.status, 200, r.body);
  await published(c, 'v4');
  await unpublished(c, 'v3');
  assert.ok(definition(c, 'v2') in await definitions(), 'v2 stays');
  await deleteCrd(c);
});

test('[sig-api-machinery] CustomResourcePublishOpenAPI [Privileged:ClusterAdmin] removes definition from spec when one version gets changed to not be served [Conformance]', async () => {
  const c = await createCrd([{ name: 'v5' }, { name: 'v6', storage: false }]);
  await published(c, 'v5');
  await published(c, 'v6');
  const r = await raw.send('PATCH', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${c.name}`, [{ op: 'replace', path: '/spec/versions/1/served', value: false }], { 'Content-Type': 'application/json-patch+json' });
  assert.equal(r.status, 200, r.body);
  await unpublished(c, 'v6');
  assert.ok(definition(c, 'v5') in await definitions(), 'v5 stays');
  await deleteCrd(c);
});

const kubectl = (args: string[], input?: string) => file.ts.kubectl(args, input === undefined ? undefined : { input });
/** kubectl explain sees the definition once kubectl's discovery and OpenAPI have it. */
const explain = (what: string) => eventually(async () => {
  const r = await kubectl(['explain', what]);
  return r.code === 0 ? r.stdout : false;
}, `kubectl explain ${what}`, 20_000);

test('[sig-api-machinery] CustomResourcePublishOpenAPI [Privileged:ClusterAdmin] works for CRD with validation schema [Conformance]', async () => {
  const c = await createCrd([{ name: 'v1' }]);
  await published(c, 'v1');
  const cr = (spec: string) => `apiVersion: ${c.group}/v1\nkind: ${c.kind}\nmetadata: {name: test-cr, namespace: ${NS}}\nspec: ${spec}\n`;
  // Valid: create, apply, delete.
  await kubectlOk(file.ts, ['create', '-f', '-'], { input: cr('{bars: [{name: test-bar}]}') });
  await kubectlOk(file.ts, ['apply', '-f', '-'], { input: cr('{bars: [{name: test-bar, age: "10"}]}') });
  await kubectlOk(file.ts, ['delete', '-f', '-'], { input: cr('{}') });
  // Unknown and missing required properties are refused.
  const unknown = await kubectl(['create', '-f', '-'], cr('{foo: true}'));
  assert.notEqual(unknown.code, 0);
  assert.match(unknown.stderr, /unknown field "spec\.foo"/);
  const missing = await kubectl(['create', '-f', '-'], cr('{bars: [{age: "10"}]}'));
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /spec\.bars\[0\]\.name: Required value/);
  // kubectl explain follows the schema's descriptions.
  assert.match(await explain(c.plural), new RegExp(`KIND:\\s+${c.kind}[\\s\\S]*Foo CRD for Testing`));
  assert.match(await explain(`${c.plural}.spec`), /Specification of Foo/);
  assert.match(await explain(`${c.plural}.spec.bars`), /List of Bars and their specs\.[\s\S]*name\s+<string> -required-/);
  const nope = await kubectl(['explain', `${c.plural}.spec.bars2`]);
  assert.notEqual(nope.code, 0);
  await deleteCrd(c);
});

test('[sig-api-machinery] CustomResourcePublishOpenAPI [Privileged:ClusterAdmin] works for CRD preserving unknown fields at the schema root [Conformance]', async () => {
  const c = await createCrd([{ name: 'v1', schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } }]);
  await published(c, 'v1');
  const cr = `apiVersion: ${c.group}/v1\nkind: ${c.kind}\nmetadata: {name: test-cr, namespace: ${NS}}\na: {b: [{c: d}]}\n`;
  await kubectlOk(file.ts, ['create', '-f', '-'], { input: cr });
  await kubectlOk(file.ts, ['apply', '-f', '-'], { input: cr });
  await kubectlOk(file.ts, ['delete', '-f', '-'], { input: cr });
  assert.match(await explain(c.plural), new RegExp(`KIND:\\s+${c.kind}`));
  await deleteCrd(c);
});

test('[sig-api-machinery] CustomResourcePublishOpenAPI [Privileged:ClusterAdmin] works for CRD preserving unknown fields in an embedded object [Conformance]', async () => {
  const schema = { type: 'object', properties: { spec: { type: 'object', description: 'Specification of Waldo', properties: { dummy: { type: 'object', description: 'Dummy property.', 'x-kubernetes-preserve-unknown-fields': true } } } } };
  const c = await createCrd([{ name: 'v1', schema }]);
  await published(c, 'v1');
  const cr = `apiVersion: ${c.group}/v1\nkind: ${c.kind}\nmetadata: {name: test-cr, namespace: ${NS}}\nspec: {dummy: {a: {b: [{c: d}]}}}\n`;
  await kubectlOk(file.ts, ['create', '-f', '-'], { input: cr });
  await kubectlOk(file.ts, ['apply', '-f', '-'], { input: cr });
  await kubectlOk(file.ts, ['delete', '-f', '-'], { input: cr });
  assert.match(await explain(`${c.plural}.spec.dummy`), /Dummy property\./);
  await deleteCrd(c);
});

test('[sig-api-machinery] CustomResourcePublishOpenAPI [Privileged:ClusterAdmin] works for CRD without validation schema [Conformance]', async () => {
  // "without validation schema" is, since apiextensions v1, an object preserving unknown fields.
  const c = await createCrd([{ name: 'v1', schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: {} } }]);
  await published(c, 'v1');
  const cr = `apiVersion: ${c.group}/v1\nkind: ${c.kind}\nmetadata: {name: test-cr, namespace: ${NS}}\nspec: {unknown: [{any: thing}]}\n`;
  await kubectlOk(file.ts, ['create', '-f', '-'], { input: cr });
  await kubectlOk(file.ts, ['apply', '-f', '-'], { input: cr });
  await kubectlOk(file.ts, ['delete', '-f', '-'], { input: cr });
  assert.match(await explain(c.plural), /DESCRIPTION:/);
  await deleteCrd(c);
});
