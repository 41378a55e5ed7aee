/**
 * Validation errors name the field (issue 13, finding 12). A table of the cases upstream reports on
 * a particular path, with kube-apiserver 1.32's exact wording (pkg/apis/core/validation:
 * ValidateConfigMap reports the whole object as field.NewPath(""), printed `[]`; ValidateSecret
 * reports `data`), then a sweep: every registered kind, given objects of hostile shapes (wrong types,
 * empty and oversized values at each top-level field), must never produce an error whose field is
 * empty, which kubectl would print as `is invalid: : ...`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../meta.js';
import { errors, type FieldError } from '../status.js';
import { registry } from '../registry.js';

const MiB = 1024 * 1024;

function messageOf(kind: string, obj: KubeObject): string {
  const def = registry.all().find((d) => d.kind === kind)!;
  const o = structuredClone(obj);
  def.applyDefaults(o);
  const errs = def.validate(o);
  return errors.invalid({ kind, name: o.metadata.name }, errs).status.message ?? '';
}

describe('validation errors name their field', () => {
  const cases: { what: string; kind: string; obj: KubeObject; message: string }[] = [
    {
      what: 'a ConfigMap over 1 MiB: the whole object, `[]`',
      kind: 'ConfigMap',
      obj: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'd' }, data: { a: 'x'.repeat(MiB), b: 'y' } } as KubeObject,
      message: 'ConfigMap "x" is invalid: []: Too long: may not be more than 1048576 bytes',
    },
    {
      what: 'a ConfigMap counts bytes, not characters',
      kind: 'ConfigMap',
      obj: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'd' }, data: { a: 'é'.repeat(MiB / 2 + 1) } } as KubeObject,
      message: 'ConfigMap "x" is invalid: []: Too long: may not be more than 1048576 bytes',
    },
    {
      what: 'a Secret over 1 MiB: `data`',
      kind: 'Secret',
      obj: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'd' }, data: { a: Buffer.alloc(MiB + 1).toString('base64') } } as KubeObject,
      message: 'Secret "s" is invalid: data: Too long: may not be more than 1048576 bytes',
    },
  ];
  for (const c of cases) {
    it(c.what, () => assert.equal(messageOf(c.kind, c.obj), c.message));
  }

  it('no kind reports an error without a field path, whatever shape its fields have', () => {
    const hostile: unknown[] = ['', 'x'.repeat(300), -1, 1.5, 2 ** 53, true, null, [], [{}], {}, { '': '' }, { a: { b: [] } }];
    const empty: string[] = [];
    for (const def of registry.all()) {
      const apiVersion = def.group ? `${def.group}/${def.version}` : def.version;
      const base = { apiVersion, kind: def.kind, metadata: { name: 'n', ...(def.namespaced ? { namespace: 'd' } : {}) } };
      const fields = ['spec', 'status', 'data', 'binaryData', 'stringData', 'type', 'subsets', 'endpoints', 'ports', 'addressType', 'rules', 'value', 'webhooks', 'secrets', 'target', 'roleRef'];
      const objects: Record<string, unknown>[] = [base];
      for (const f of fields) for (const v of hostile) objects.push({ ...base, [f]: v });
      for (const v of hostile) objects.push({ ...base, spec: { template: v, selector: v, containers: v, ports: v, replicas: v } });
      for (const obj of objects) {
        let errs: FieldError[] = [];
        try {
          const o = structuredClone(obj) as unknown as KubeObject;
          def.applyDefaults(o);
          errs = def.validate(o);
        } catch (err) {
          empty.push(`${def.kind} ${JSON.stringify(obj).slice(0, 120)}: validation threw ${String(err)}`);
        }
        for (const e of errs) if (!e.field) empty.push(`${def.kind} ${JSON.stringify(obj).slice(0, 120)}: "${e.detail}"`);
      }
    }
    assert.deepEqual([...new Set(empty)].slice(0, 30), []);
  });
});
