/**
 * /openapi/v2 in gnostic protobuf: served for kubectl's Accept (both spellings), decoded back it is
 * the JSON document (every definition, field and extension), and negotiation follows kube-openapi's
 * handler (JSON for `*\/*`, 406 for nothing acceptable).
 */
import { strict as assert } from 'node:assert';
import { after, before, test } from 'node:test';
import { parse as fromYaml } from 'yaml';
import { RawClient } from '../../testing/raw-client.js';
import { startTestServer, type TestServer } from '../../testing/test-cluster.js';
import { openApiV2DocumentType } from './v2-protobuf.js';

type Json = Record<string, any>;

let s: TestServer;
let raw: RawClient;
before(async () => {
  s = await startTestServer();
  raw = new RawClient(s.url, s.dataDir);
});
after(async () => {
  raw?.close();
  await s?.stop();
});

const KUBECTL_ACCEPT = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';

/** Reads an openapi.v2.Schema message back into Swagger 2.0 JSON (the inverse of the encoder). */
function schemaJson(m: Json): Json {
  const out: Json = {};
  const names: Record<string, string> = {
    _ref: '$ref', format: 'format', title: 'title', description: 'description', pattern: 'pattern', discriminator: 'discriminator',
    multiple_of: 'multipleOf', maximum: 'maximum', minimum: 'minimum', max_length: 'maxLength', min_length: 'minLength',
    max_items: 'maxItems', min_items: 'minItems', max_properties: 'maxProperties', min_properties: 'minProperties',
    exclusive_maximum: 'exclusiveMaximum', exclusive_minimum: 'exclusiveMinimum', unique_items: 'uniqueItems', read_only: 'readOnly', required: 'required',
  };
  for (const [k, v] of Object.entries(m)) {
    if (names[k]) out[names[k]] = v;
    else if (k === 'default' || k === 'example') out[k] = fromYaml(v.yaml);
    else if (k === 'enum') out.enum = v.map((a: Json) => fromYaml(a.yaml));
    else if (k === 'type') out.type = v.value.length === 1 ? v.value[0] : v.value;
    else if (k === 'items') out.items = schemaJson(v.schema[0]);
    else if (k === 'all_of') out.allOf = v.map(schemaJson);
    else if (k === 'properties') out.properties = Object.fromEntries((v.additional_properties ?? []).map((p: Json) => [p.name, schemaJson(p.value ?? {})]));
    else if (k === 'additional_properties') out.additionalProperties = v.schema ? schemaJson(v.schema) : v.boolean;
    else if (k === 'vendor_extension') for (const e of v) out[e.name] = fromYaml(e.value.yaml);
    else assert.fail(`unexpected Schema field ${k}`);
  }
  return out;
}

function decode(body: Buffer): Json {
  const t = openApiV2DocumentType();
  return t.toObject(t.decode(body), { longs: Number, defaults: false, arrays: false, objects: false, oneofs: false }) as Json;
}

test('kubectl\'s protobuf Accept gets the gnostic Document, equal to the JSON document when decoded', async () => {
  const json = (await raw.request('/openapi/v2', { headers: { Accept: 'application/json' } })).json as Json;
  const r = await raw.request('/openapi/v2', { headers: { Accept: KUBECTL_ACCEPT } });
  assert.equal(r.status, 200);
  assert.equal(r.headers['content-type'], 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf');
  const doc = decode(r.bytes);
  assert.equal(doc.swagger, '2.0');
  assert.deepEqual(doc.info, json.info);
  const defs = Object.fromEntries((doc.definitions?.additional_properties ?? []).map((d: Json) => [d.name, schemaJson(d.value ?? {})]));
  assert.ok(Object.keys(defs).length > 100, 'every definition is carried');
  assert.deepEqual(defs, json.definitions);
  // Spot checks of what kubectl's client-side validation reads (kube-openapi's proto models).
  const pod = defs['io.k8s.api.core.v1.Pod']!;
  assert.deepEqual(pod['x-kubernetes-group-version-kind'], [{ group: '', version: 'v1', kind: 'Pod' }]);
  assert.equal(pod.properties.metadata.$ref, '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');
});

test('the deprecated spelling is served too; */* and no Accept get JSON; nothing acceptable is 406', async () => {
  const cur = await raw.request('/openapi/v2', { headers: { Accept: 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf' } });
  const old = await raw.request('/openapi/v2', { headers: { Accept: KUBECTL_ACCEPT } });
  assert.equal(cur.status, 200);
  assert.deepEqual(cur.bytes, old.bytes);
  for (const accept of ['*/*', '', 'application/*']) {
    const r = await raw.request('/openapi/v2', { headers: accept ? { Accept: accept } : {} });
    assert.equal(r.status, 200, accept);
    assert.match(String(r.headers['content-type']), /^application\/json/, accept);
  }
  assert.equal((await raw.request('/openapi/v2', { headers: { Accept: 'application/vnd.kubernetes.protobuf' } })).status, 406);
});
