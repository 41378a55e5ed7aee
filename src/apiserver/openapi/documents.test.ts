import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { registry } from '../../api/registry.js';
import { MemoryStore } from '../../store/index.js';
import { ApiCatalog } from '../discovery/catalog.js';
import { createStorages } from '../storage/index.js';
import { buildOpenApi } from './documents.js';

function docs() {
  const set = createStorages(new MemoryStore(), registry);
  const catalog = new ApiCatalog(set.all(), set.allActions());
  return { catalog, ...buildOpenApi(catalog) };
}

test('the v3 index points at one document per group version', () => {
  const d = docs();
  const keys = Object.keys((d.index as any).paths).sort();
  assert.ok(keys.includes('api/v1'));
  assert.ok(keys.includes('apis/apps/v1'));
  for (const k of keys) {
    assert.match((d.index as any).paths[k].serverRelativeURL, new RegExp(`^/openapi/v3/${k}\\?hash=[0-9A-F]+$`));
    assert.ok(d.groupVersion.get(k), k);
  }
});

test('every PATCH operation names its GVK and takes fieldValidation (kubectl then validates server-side)', () => {
  const d = docs();
  for (const e of d.catalog.entries().filter((x) => x.def.verbs.includes('patch'))) {
    const key = e.def.group ? `apis/${e.def.group}/${e.def.version}` : `api/${e.def.version}`;
    const doc = d.groupVersion.get(key) as any;
    const prefix = e.def.group ? `/apis/${e.def.group}/${e.def.version}` : `/api/${e.def.version}`;
    const path = e.def.namespaced ? `${prefix}/namespaces/{namespace}/${e.def.plural}/{name}` : `${prefix}/${e.def.plural}/{name}`;
    const patch = doc.paths[path]?.patch;
    assert.ok(patch, `${path} has a PATCH operation`);
    assert.deepEqual(patch['x-kubernetes-group-version-kind'], { group: e.def.group, version: e.def.version, kind: e.def.kind });
    assert.ok(patch.parameters.some((p: any) => p.name === 'fieldValidation' && p.in === 'query'), path);
    const schema = doc.components.schemas[e.def.openapi.definition];
    assert.deepEqual(schema['x-kubernetes-group-version-kind'], [{ group: e.def.group, version: e.def.version, kind: e.def.kind }], e.def.kind);
  }
});

test('every $ref resolves inside its document, in v3 and v2', () => {
  const d = docs();
  const refs = (v: unknown, out: string[] = []): string[] => {
    if (Array.isArray(v)) v.forEach((x) => refs(x, out));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) {
      if (k === '$ref') out.push(x as string);
      else refs(x, out);
    }
    return out;
  };
  for (const [key, doc] of d.groupVersion) {
    const schemas = (doc as any).components.schemas;
    for (const r of refs(doc)) assert.ok(schemas[r.replace('#/components/schemas/', '')], `${key}: ${r}`);
  }
  const defs = (d.v2 as any).definitions;
  for (const r of refs(d.v2)) assert.ok(defs[r.replace('#/definitions/', '')], `v2: ${r}`);
});

test('a create-only collection (bindings) has only its POST, as upstream lists it', () => {
  const doc = docs().groupVersion.get('api/v1') as any;
  const item = doc.paths['/api/v1/namespaces/{namespace}/bindings'];
  assert.deepEqual(Object.keys(item).filter((k) => k !== 'parameters'), ['post']);
  assert.deepEqual(item.post['x-kubernetes-group-version-kind'], { group: '', version: 'v1', kind: 'Binding' });
  assert.ok(item.post.parameters.some((p: any) => p.name === 'fieldValidation'));
  assert.equal(doc.paths['/api/v1/namespaces/{namespace}/bindings/{name}'], undefined);
});
