/**
 * A built-in kind is registered in three places that must agree (docs/kinds.md, "A new kind
 * touches"): its definition under src/api/kinds (defineKind), DEFINITIONS in src/api/registry.ts
 * (what the server serves), and its typed ref in `resources` (src/client/resource-ref.ts: what clients,
 * informers and the kind resolver address without loading schemas). A kind defined but not registered,
 * or registered in one table and not the other, or with a different plural, scope or version in each,
 * fails here at once, naming the file to edit.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { builtinByKind, resources } from '../client/resource-ref.js';
import * as kindsIndex from './kinds/index.js';
import { registry } from './registry.js';
import type { ResourceDefinition } from './resource.js';

const KINDS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'kinds');
/**
 * Defined with defineKind but served by storage of their own, not DEFINITIONS' generic storage: v1
 * ComponentStatus is computed (src/apiserver/component-status/, docs/kinds.md) and the v1 `bindings`
 * collection is create-only (src/apiserver/storage/actions/bindings-collection.ts).
 */
const SERVED_APART = new Set(['/v1/ComponentStatus', '/v1/Binding']);

const gvk = (r: { group: string; version: string; kind?: string }) => `${r.group}/${r.version}/${r.kind}`;
const row = (r: { group: string; version: string; kind?: string; namespaced?: boolean }, plural: string) =>
  `${gvk(r)} as ${plural} (${r.namespaced ? 'namespaced' : 'cluster-scoped'})`;

function isDefinition(v: unknown): v is ResourceDefinition {
  const d = v as Partial<ResourceDefinition> | null;
  return typeof d === 'object' && d !== null && typeof d.plural === 'string' && typeof d.listKind === 'string' && typeof d.applyDefaults === 'function';
}

function kindModules(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'testdata' ? [] : kindModules(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

test('every served definition has a typed ref in resources with the same group, version, plural, kind and scope, and back', () => {
  const served = new Set(registry.all().map((d) => row(d, d.plural)));
  const refs = new Set(Object.values(resources).map((r) => row(r, r.resource)));
  const noRef = [...served].filter((r) => !refs.has(r));
  const notServed = [...refs].filter((r) => !served.has(r));
  assert.deepEqual(noRef, [], 'served (src/api/registry.ts DEFINITIONS) but no matching typed ref in src/client/resource-ref.ts `resources`');
  assert.deepEqual(notServed, [], 'a typed ref in src/client/resource-ref.ts `resources` that src/api/registry.ts does not serve as such');
  assert.equal(Object.keys(resources).length, registry.all().length, 'one typed ref per served definition');
  for (const d of registry.all()) assert.equal(builtinByKind(d.group, d.version, d.kind)?.resource, d.plural, `kind resolver: ${gvk(d)}`);
});

test('every kind defined under src/api/kinds is registered (or is served by storage of its own)', async () => {
  const registered = new Set<ResourceDefinition>(registry.all());
  const unregistered: string[] = [];
  const found = new Set<string>();
  for (const file of kindModules(KINDS_DIR)) {
    const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    for (const [name, value] of Object.entries(mod)) {
      if (!isDefinition(value)) continue;
      found.add(gvk(value));
      if (!registered.has(value) && !SERVED_APART.has(gvk(value))) unregistered.push(`${gvk(value)} (${path.relative(KINDS_DIR, file)}: ${name})`);
    }
  }
  assert.deepEqual(unregistered, [], 'defined but missing from DEFINITIONS in src/api/registry.ts');
  for (const d of registry.all()) assert.ok(found.has(gvk(d)), `${gvk(d)} is served but not defined under src/api/kinds`);
  for (const c of SERVED_APART) assert.ok(found.has(c), `${c} is listed as served apart but no longer defined`);
  // The index (types and helpers for the rest of the tree) re-exports only registered definitions.
  const fromIndex = Object.values(kindsIndex as Record<string, unknown>).filter(isDefinition);
  assert.ok(fromIndex.length > 30, 'the index re-exports the kinds\' definitions');
  for (const d of fromIndex) assert.ok(registered.has(d) || SERVED_APART.has(gvk(d)), `${gvk(d)} is exported from src/api/kinds/index.ts but not registered`);
});
