/**
 * The Deployment the server-side apply and Update tracking tests (apply.test.ts,
 * update-tracking.test.ts) work on: its configuration as a client sends it, what the storage makes
 * of it on create, apply options at two instants, and a manager's FieldsV1 in a result.
 */
import type { ApplyOptions } from '../apply.js';
import { testFieldInfo } from '../../testdata/field-info.js';
import type { JsonObject } from '../../json-value.js';

export const T1 = '2026-01-01T00:00:00Z';
export const T2 = '2026-01-01T00:01:00Z';
export const base = { apiVersion: 'apps/v1', fieldInfo: testFieldInfo };
export const opts = (manager: string, now = T1, extra: Partial<ApplyOptions> = {}): ApplyOptions => ({ ...base, manager, now, ...extra });

export function config(over: { replicas?: number; labels?: Record<string, string>; containers?: unknown[] } = {}): JsonObject {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', labels: over.labels ?? { app: 'web' } },
    spec: {
      replicas: over.replicas ?? 2,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: over.containers ?? [{ name: 'web', image: 'nginx:1.25', ports: [{ containerPort: 80 }] }] },
      },
    },
  };
}

/** What the storage does after apply on create: server metadata and defaults nobody owns. */
export function stored(obj: JsonObject): JsonObject {
  const o = structuredClone(obj) as any;
  Object.assign(o.metadata, { uid: 'u1', resourceVersion: '1', generation: 1, creationTimestamp: T1 });
  for (const c of o.spec.template.spec.containers) {
    c.imagePullPolicy ??= 'IfNotPresent';
    for (const p of c.ports ?? []) p.protocol ??= 'TCP';
  }
  o.spec.revisionHistoryLimit ??= 10;
  return o;
}

export const fields = (obj: JsonObject, manager: string, operation = 'Apply') =>
  ((obj.metadata as any).managedFields as any[]).find((e) => e.manager === manager && e.operation === operation)?.fieldsV1;
