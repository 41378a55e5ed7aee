/**
 * What Bosun serves for every kind against upstream Kubernetes v1.32's definitions: field names
 * (missing and extra), types, formats, required, and enums where upstream's description lists them.
 * Upstream's definitions come from the models of @kubernetes/client-node@1.1.2, generated from
 * upstream's OpenAPI spec v1.32.0 and pinned (exact version, integrity in package-lock.json) as the
 * `k8s-api-1.32` devDependency; see docs/kinds.md. Known differences: testdata/upstream/allowlist.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KUBE_VERSION } from '../../apiserver/http/non-resource.js';
import { registry } from '../registry.js';
import { allowance, allowedEntries, ENUM_EXCEPTIONS } from './testdata/upstream/allowlist.js';
import { describedEnum, driftOf, servedEnums, servedMarkers, type Drift } from './testdata/upstream/drift.js';
import { ENUMS } from './testdata/upstream/enums.js';
import { LIST_MARKERS } from './testdata/upstream/list-markers.js';
import { modelNames, specVersion } from './testdata/upstream/models.js';

const names = modelNames();

/** Every drift line over every served kind and body, with the first kind (and path) that shows it. */
async function allDrift(): Promise<Map<string, Drift & { kind: string }>> {
  const out = new Map<string, Drift & { kind: string }>();
  for (const d of [...registry.all(), ...Object.values(registry.bodies)]) {
    for (const x of await driftOf(d.openapi.definition, d.openapi.schemas as Record<string, any>, names)) {
      if (!out.has(x.line)) out.set(x.line, { ...x, kind: d.kind });
    }
  }
  return out;
}

test('the upstream definitions are v1.32, the version Bosun reports', () => {
  assert.equal(specVersion(), `v${KUBE_VERSION.major}.${KUBE_VERSION.minor}.0`);
  assert.ok(names.has('V1Pod') && names.has('V1Deployment') && names.has('CoreV1EndpointPort'));
});

test('every served kind matches upstream v1.32 but for the allowlisted differences', async () => {
  const drift = await allDrift();
  const unexplained = [...drift.values()].filter((d) => !allowance(d.line)).map((d) => `${d.line}   (${d.kind} at ${d.path.join('.') || '<root>'})`);
  assert.deepEqual(unexplained, [], `drift from upstream v1.32: fix the schema, or add a reasoned entry to testdata/upstream/allowlist.ts:\n${unexplained.join('\n')}`);
  const lines = [...drift.keys()];
  const stale = allowedEntries().filter((e) => !lines.some((l) => l.startsWith(e)));
  assert.deepEqual(stale, [], 'allowlist entries that no longer occur (remove them)');
});

test('a field Bosun does not serve is reported to the client as unknown (kubectl warns, or rejects under --validate=strict)', async () => {
  const drift = await allDrift();
  for (const d of drift.values()) {
    if (!d.line.endsWith(': missing')) continue;
    const def = registry.all().find((k) => k.kind === d.kind);
    if (!def) continue; // a body kind: its handler checks unknown fields the same way
    const obj: Record<string, unknown> = { apiVersion: 'v1', kind: d.kind, metadata: { name: 'x' } };
    let at: any = obj;
    d.path.forEach((seg, i) => {
      const next = i === d.path.length - 1 ? 'value' : typeof d.path[i + 1] === 'number' ? [] : {};
      at[seg] = next;
      at = next;
    });
    // Under a loose object the field is kept as sent; anywhere else it must be reported.
    const where = d.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('').replace(/^\./, '').replace(/\.\[/g, '[');
    if (!d.loose) assert.ok(def.unknownFields(obj).includes(where), `${d.line}: neither served nor reported as unknown at ${where}`);
  }
});

test('the comparison sees wrong types, formats, enums, required and field names', async () => {
  const base = registry.byKind('apps', 'v1', 'Deployment')!.openapi.schemas as Record<string, any>;
  const name = 'io.k8s.api.apps.v1.DeploymentStrategy';
  const strategy = structuredClone(base[name]);
  strategy.properties.type.enum = ['Recreate'];
  strategy.properties.surplus = { type: 'string' };
  strategy.properties.rollingUpdate = { type: 'integer', format: 'int64' };
  strategy.required = ['type'];
  const lines = (await driftOf(name, { ...base, [name]: strategy }, names)).map((d) => d.line).sort();
  assert.deepEqual(lines, [
    'V1DeploymentStrategy.rollingUpdate: type number (upstream V1RollingUpdateDeployment)',
    'V1DeploymentStrategy.surplus: extra',
    'V1DeploymentStrategy.type: enum [Recreate] (upstream\'s description lists [Recreate,RollingUpdate])',
    'V1DeploymentStrategy.type: required (upstream does not require it)',
  ]);
  const status = structuredClone(base['io.k8s.api.apps.v1.DeploymentStatus']);
  delete status.properties.replicas;
  status.properties.observedGeneration.format = 'int32';
  const statusLines = (await driftOf('io.k8s.api.apps.v1.DeploymentStatus', { ...base, 'io.k8s.api.apps.v1.DeploymentStatus': status }, names)).map((d) => d.line);
  assert.ok(statusLines.includes('V1DeploymentStatus.replicas: missing'));
  assert.ok(statusLines.includes('V1DeploymentStatus.observedGeneration: format int32 (upstream int64)'));
});

test("every list field's list type, map keys and patch strategy are upstream v1.32's (list-markers.ts, quoted from upstream's types.go)", () => {
  const served = new Map<string, string>();
  for (const d of [...registry.all(), ...Object.values(registry.bodies)]) {
    for (const [k, v] of servedMarkers(d.openapi.schemas as Record<string, any>)) served.set(k, v);
  }
  const table = new Map(LIST_MARKERS.map(([field, markers, src]) => [field, { markers, src }]));
  const wrong = [...served].filter(([k, v]) => table.has(k) && table.get(k)!.markers !== v)
    .map(([k, v]) => `${k}: serves "${v}", upstream "${table.get(k)!.markers}" (${table.get(k)!.src})`);
  assert.deepEqual(wrong, [], 'list or patch markers differ from upstream');
  const unlisted = [...served.keys()].filter((k) => !table.has(k));
  assert.deepEqual(unlisted, [], 'list fields with no row in list-markers.ts: look up their markers upstream and add rows');
  const stale = [...table.keys()].filter((k) => !served.has(k));
  assert.deepEqual(stale, [], 'rows in list-markers.ts for fields Bosun does not serve');
});

test("every enum Bosun serves, and every field of an upstream +enum type, has upstream v1.32's values (enums.ts, from upstream's types.go)", () => {
  const served = new Map<string, string[]>();
  for (const d of [...registry.all(), ...Object.values(registry.bodies)]) {
    for (const [k, v] of servedEnums(d.openapi.schemas as Record<string, any>)) served.set(k, v);
  }
  const wrong: string[] = [];
  for (const [field, values, src] of ENUMS) {
    const mine = (served.get(field) ?? []).join(',');
    const same = mine === [...values].join(',');
    if (same === (field in ENUM_EXCEPTIONS)) wrong.push(`${field}: serves [${mine}], upstream [${values.join(',')}] (${src})${same ? ' but is listed in ENUM_EXCEPTIONS' : ''}`);
  }
  assert.deepEqual(wrong, [], 'enums differ from upstream');
  const unlisted = [...served.keys()].filter((k) => !ENUMS.some(([f]) => f === k));
  assert.deepEqual(unlisted, [], 'served enums with no row in enums.ts: look up the field\'s type upstream and add a row');
});

test("enum lists are read from upstream's description text", () => {
  assert.deepEqual(describedEnum('Type of thing.\n\nPossible enum values:\n - `"A"` first.\n - `"B"`'), ['A', 'B']);
  assert.equal(describedEnum('No list here.'), undefined);
});
