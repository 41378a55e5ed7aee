/**
 * compare (structured-merge-diff's TypedValue.Compare) skips subtrees that are equal (the same
 * object, or equal values) at every level before walking them with the schema. These cases pin
 * its answers: the same paths whether the new object shares the old one's unchanged subtrees (as
 * a copy-on-write patch leaves them) or is a deep copy, and the paths upstream records.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compare } from './compare.js';
import { SchemaCursor } from './schema.js';
import { testFieldInfo } from '../testdata/field-info.js';
import type { JsonObject } from '../json-value.js';

const old: JsonObject = {
  apiVersion: 'apps/v1', kind: 'Deployment',
  metadata: { name: 'web', labels: { app: 'web', tier: 'fe' }, finalizers: ['a', 'b'] },
  spec: {
    replicas: 2,
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.25', ports: [{ containerPort: 80, protocol: 'TCP' }] }, { name: 'side', image: 'busybox' }] } },
  },
  status: { replicas: 2, conditions: [{ type: 'Available', status: 'True' }, { type: 'Progressing', status: 'True' }] },
};

/** `old` with `change` made to a copy that shares every subtree the change does not touch. */
function sharedEdit(change: (o: any) => void, paths: string[][]): JsonObject {
  const o: any = { ...old };
  for (const p of paths) {
    let cur = o;
    for (const k of p) {
      cur[k] = Array.isArray(cur[k]) ? [...cur[k]] : { ...cur[k] };
      cur = cur[k];
    }
  }
  change(o);
  return o;
}

const cases: { name: string; updated: JsonObject; changed: string[]; removed: string[] }[] = [
  {
    // The test schema knows no list type for Deployment conditions: an atomic list, owned whole.
    name: 'a status condition flips, nothing else',
    updated: sharedEdit((o) => { o.status.conditions[1] = { type: 'Progressing', status: 'False', reason: 'Stuck' }; }, [['status'], ['status', 'conditions']]),
    changed: ['.status.conditions'], removed: [],
  },
  {
    name: 'a finalizer removed (a set list)',
    updated: sharedEdit((o) => { o.metadata.finalizers = ['b']; }, [['metadata']]),
    changed: [], removed: ['.metadata.finalizers[="a"]'],
  },
  {
    name: 'the second container image and a new label',
    updated: sharedEdit((o) => {
      o.spec.template.spec.containers[1] = { ...o.spec.template.spec.containers[1], image: 'busybox:1.36' };
      o.metadata.labels.env = 'prod';
    }, [['spec'], ['spec', 'template'], ['spec', 'template', 'spec'], ['spec', 'template', 'spec', 'containers'], ['metadata'], ['metadata', 'labels']]),
    changed: ['.metadata.labels.env', '.spec.template.spec.containers[name="side"].image'], removed: [],
  },
  {
    name: 'a container removed as a whole, replicas changed',
    updated: sharedEdit((o) => { o.spec.template.spec.containers.pop(); o.spec.replicas = 3; }, [['spec'], ['spec', 'template'], ['spec', 'template', 'spec'], ['spec', 'template', 'spec', 'containers']]),
    changed: ['.spec.replicas'],
    removed: ['.spec.template.spec.containers[name="side"]', '.spec.template.spec.containers[name="side"].image', '.spec.template.spec.containers[name="side"].name'],
  },
  { name: 'nothing changed (the same object)', updated: old, changed: [], removed: [] },
];

const pathsOf = (s: ReturnType<typeof compare>['changed']): string[] => s.paths().map((p) => p.map((el) => {
  const body = el.slice(2);
  if (el[0] === 'f') return `.${body}`;
  if (el[0] === 'v') return `[=${body}]`;
  const key = JSON.parse(body) as Record<string, unknown>;
  return `[${Object.keys(key).map((k) => `${k}=${JSON.stringify(key[k])}`).join(',')}]`;
}).join(''));

for (const c of cases) {
  test(`compare: ${c.name}`, () => {
    const cur = SchemaCursor.root(testFieldInfo);
    const shared = compare(old, c.updated, cur);
    const copied = compare(structuredClone(old), structuredClone(c.updated), cur);
    assert.deepEqual(pathsOf(shared.changed).sort(), [...c.changed].sort());
    assert.deepEqual(pathsOf(shared.removed).sort(), [...c.removed].sort());
    assert.deepEqual(shared.changed.toFieldsV1(), copied.changed.toFieldsV1(), 'the same with shared subtrees as with copies');
    assert.deepEqual(shared.removed.toFieldsV1(), copied.removed.toFieldsV1());
  });
}
